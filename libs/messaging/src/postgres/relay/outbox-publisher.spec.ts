import { groupByTopic, toOutgoingRecord, type OutboxRow } from './outbox-publisher';

const row = (sequence: string, topic: string, key: string): OutboxRow => ({
  sequence,
  topic,
  key,
  headers: { ce_id: `id-${sequence}`, bin: { base64: Buffer.from([0, 255]).toString('base64') } },
  payload: Buffer.from(sequence),
});

describe('groupByTopic', () => {
  it('makes one batch per topic, keeping outbox order within each and first-seen order across', () => {
    const batches = groupByTopic([
      row('1', 'payments.events', 'p-1'),
      row('2', 'orders.events', 'o-1'),
      row('3', 'payments.events', 'p-2'),
      row('4', 'payments.events', 'p-1'),
    ]);
    expect(batches.map((b) => [b.topic, b.sequences, b.records.map((r) => r.key)])).toEqual([
      ['payments.events', ['1', '3', '4'], ['p-1', 'p-2', 'p-1']],
      ['orders.events', ['2'], ['o-1']],
    ]);
  });

  it('returns nothing for no rows', () => {
    expect(groupByTopic([])).toEqual([]);
  });
});

describe('toOutgoingRecord', () => {
  it('restores text and binary headers byte for byte', () => {
    expect(toOutgoingRecord(row('7', 't', 'k'))).toEqual({
      key: 'k',
      value: Buffer.from('7'),
      headers: { ce_id: 'id-7', bin: Buffer.from([0, 255]) },
    });
  });
});
