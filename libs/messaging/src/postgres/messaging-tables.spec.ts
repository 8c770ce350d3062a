import { bareTableName, quoteTableName, resolveTableNames } from './messaging-tables';

describe('messaging table names', () => {
  it('defaults to messaging_outbox and messaging_inbox', () => {
    expect(resolveTableNames()).toEqual({ outbox: 'messaging_outbox', inbox: 'messaging_inbox' });
    expect(resolveTableNames({ inbox: 'billing.inbox' })).toEqual({
      outbox: 'messaging_outbox',
      inbox: 'billing.inbox',
    });
  });

  it('quotes plain and schema-qualified names', () => {
    expect(quoteTableName('messaging_outbox')).toBe('"messaging_outbox"');
    expect(quoteTableName('billing.outbox_2')).toBe('"billing"."outbox_2"');
    expect(bareTableName('billing.outbox_2')).toBe('outbox_2');
  });

  it.each(['Outbox', 'outbox; DROP TABLE orders', 'a.b.c', '', '1outbox', 'out"box', 'x'.repeat(64)])(
    'rejects %j',
    (name) => {
      expect(() => quoteTableName(name)).toThrow(RangeError);
      expect(() => resolveTableNames({ outbox: name })).toThrow(/Invalid table name/);
    },
  );
});
