import { DeferredDelivery } from '../core/deferred';
import type { HandlerContext, InboundMessage, MessageHandler } from '../core/handler';
import { DecodeError, HandlerError, NonRetriableError, TransportError } from '../errors/messaging.error';
import { silentLogger } from '../logging/logger';
import type {
  ConsumedRecord,
  OutgoingRecord,
  ProducerPort,
  RecordMetadata,
} from '../ports/kafka-client.port';
import { retryAndDeadLetterMiddleware, routeFailure } from './retry-and-dead-letter.middleware';

const GROUP = 'billing';
const DELAYS = [1_000, 5_000];
const T0 = 1_700_000_000_000;

/** An in-memory producer: remembers what was sent, or fails when told to. */
class FakeProducer implements ProducerPort {
  readonly sent: { topic: string; record: OutgoingRecord }[] = [];
  failWith: Error | undefined;

  readonly connect = (): Promise<void> => Promise.resolve();
  readonly disconnect = (): Promise<void> => Promise.resolve();
  async transaction(): Promise<never> {
    throw new Error('not transactional');
  }
  async send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    if (this.failWith) throw this.failWith;
    records.forEach((record) => this.sent.push({ topic, record }));
    return records.map(() => ({ topic, partition: 0, offset: String(this.sent.length - 1) }));
  }
}

const sourceRecord: ConsumedRecord = {
  topic: 'payments.events',
  partition: 2,
  offset: '41',
  key: Buffer.from('order-7'),
  value: Buffer.from([0, 0, 0, 0, 1, 42]),
  headers: { ce_id: Buffer.from('id-1'), ce_type: Buffer.from('PaymentAuthorized'), gap: undefined },
  timestamp: '1699999999000',
};

function sentAt(producer: FakeProducer, index: number): { topic: string; record: OutgoingRecord } {
  const sent = producer.sent[index];
  if (!sent) throw new Error(`nothing sent at index ${index}`);
  return sent;
}

const textHeaders = (record: OutgoingRecord): Record<string, string> =>
  Object.fromEntries(Object.entries(record.headers ?? {}).map(([k, v]) => [k, v.toString()]));

/** What a retry record from `sent` looks like when consumed back from its topic. */
const consumedFrom = (sent: { topic: string; record: OutgoingRecord }, offset = '0'): ConsumedRecord => ({
  topic: sent.topic,
  partition: 0,
  offset,
  key: sent.record.key as Buffer,
  value: sent.record.value,
  headers: Object.fromEntries(
    Object.entries(sent.record.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]),
  ),
  timestamp: String(T0),
});

function setup() {
  const producer = new FakeProducer();
  let now = T0;
  const clock = { set: (t: number) => (now = t) };
  const calls: InboundMessage[] = [];
  const done = (): Promise<void> => Promise.resolve();
  let behaviour: () => Promise<void> = done;
  const handler: MessageHandler = async (message, context) => {
    expect(context.message).toBe(message);
    calls.push(message);
    await behaviour();
  };
  const wrapped = retryAndDeadLetterMiddleware({ producer, policy: { delaysMs: DELAYS }, now: () => now })(
    handler,
  );
  const deliver = (record: ConsumedRecord) => {
    const message: InboundMessage = { record, groupId: GROUP, attempt: 1 };
    const context: HandlerContext = { message, logger: silentLogger };
    return wrapped(message, context);
  };
  const failWith = (error: unknown) => {
    behaviour = async () => {
      throw error;
    };
  };
  const succeed = () => {
    behaviour = done;
  };
  return { producer, clock, calls, deliver, failWith, succeed };
}

describe('routeFailure', () => {
  it('sends retriable failures through each retry topic, then to the dead-letter topic', () => {
    const error = new HandlerError('down');
    expect(routeFailure(error, 0, DELAYS)).toEqual({ kind: 'retry', stage: 1, delayMs: 1_000 });
    expect(routeFailure(error, 1, DELAYS)).toEqual({ kind: 'retry', stage: 2, delayMs: 5_000 });
    expect(routeFailure(error, 2, DELAYS)).toEqual({ kind: 'dead-letter', reason: 'retries-exhausted' });
    expect(routeFailure(error, 0, [])).toEqual({ kind: 'dead-letter', reason: 'retries-exhausted' });
  });

  it('sends non-retriable failures to the dead-letter topic from any stage', () => {
    expect(routeFailure(new NonRetriableError('no'), 0, DELAYS)).toEqual({
      kind: 'dead-letter',
      reason: 'non-retriable',
    });
    expect(routeFailure(new DecodeError('garbage'), 1, DELAYS)).toEqual({
      kind: 'dead-letter',
      reason: 'non-retriable',
    });
  });
});

describe('retryAndDeadLetterMiddleware', () => {
  it('passes a successful message through untouched and sends nothing', async () => {
    const { producer, calls, deliver } = setup();
    await deliver(sourceRecord);
    expect(calls).toEqual([{ record: sourceRecord, groupId: GROUP, attempt: 1 }]);
    expect(producer.sent).toEqual([]);
  });

  it('sends a retriable failure on the source topic to retry topic 1 with the original record and headers', async () => {
    const { producer, clock, deliver, failWith } = setup();
    failWith(new HandlerError('gateway down', { code: 'GATEWAY_DOWN' }));
    clock.set(T0 + 5);

    await expect(deliver(sourceRecord)).resolves.toBeUndefined();

    expect(producer.sent).toHaveLength(1);
    const { topic, record } = sentAt(producer, 0);
    expect(topic).toBe('billing.retry.1');
    expect(record.key).toEqual(Buffer.from('order-7'));
    expect(record.value).toEqual(sourceRecord.value);
    expect(textHeaders(record)).toEqual({
      ce_id: 'id-1',
      ce_type: 'PaymentAuthorized',
      'x-original-topic': 'payments.events',
      'x-original-partition': '2',
      'x-original-offset': '41',
      'x-original-timestamp': '1699999999000',
      'x-attempt': '2',
      'x-retry-due-at': String(T0 + 5 + 1_000),
      'x-first-failure-at': String(T0 + 5),
      'x-last-failure-at': String(T0 + 5),
      'x-error-code': 'GATEWAY_DOWN',
      'x-error-class': 'HandlerError',
      'x-error-message': 'gateway down',
    });
  });

  it('defers a retry record that is not due, without calling the handler', async () => {
    const { producer, clock, calls, deliver, failWith } = setup();
    failWith(new HandlerError('down'));
    await deliver(sourceRecord);
    const retry = consumedFrom(sentAt(producer, 0));

    clock.set(T0 + 999);
    const deferred = await deliver(retry).catch((error: unknown) => error);
    expect(deferred).toBeInstanceOf(DeferredDelivery);
    expect((deferred as DeferredDelivery).dueAt).toBe(T0 + 1_000);
    expect(calls).toHaveLength(1);
    expect(producer.sent).toHaveLength(1);
  });

  it('runs a due retry record with the attempt from x-attempt', async () => {
    const { producer, clock, calls, deliver, failWith, succeed } = setup();
    failWith(new HandlerError('down'));
    await deliver(sourceRecord);
    succeed();

    clock.set(T0 + 1_000);
    await deliver(consumedFrom(sentAt(producer, 0)));
    expect(calls.map((m) => [m.record.topic, m.attempt])).toEqual([
      ['payments.events', 1],
      ['billing.retry.1', 2],
    ]);
    expect(producer.sent).toHaveLength(1);
  });

  it('moves a failure on retry topic n to retry topic n + 1, keeping origin and first failure', async () => {
    const { producer, clock, deliver, failWith } = setup();
    failWith(new HandlerError('down'));
    await deliver(sourceRecord);
    clock.set(T0 + 1_500);
    failWith(new TransportError('still down'));
    await deliver(consumedFrom(sentAt(producer, 0)));

    const second = sentAt(producer, 1);
    expect(second.topic).toBe('billing.retry.2');
    expect(textHeaders(second.record)).toEqual({
      ce_id: 'id-1',
      ce_type: 'PaymentAuthorized',
      'x-original-topic': 'payments.events',
      'x-original-partition': '2',
      'x-original-offset': '41',
      'x-original-timestamp': '1699999999000',
      'x-attempt': '3',
      'x-retry-due-at': String(T0 + 1_500 + 5_000),
      'x-first-failure-at': String(T0),
      'x-last-failure-at': String(T0 + 1_500),
      'x-error-code': 'MESSAGING_TRANSPORT',
      'x-error-class': 'TransportError',
      'x-error-message': 'still down',
    });
  });

  it('dead-letters a failure on the last retry topic with every dead-letter header', async () => {
    const { producer, clock, deliver, failWith } = setup();
    const error = new HandlerError('down for good', { code: 'GATEWAY_DOWN' });
    failWith(error);
    await deliver(sourceRecord);
    clock.set(T0 + 1_000);
    await deliver(consumedFrom(sentAt(producer, 0)));
    clock.set(T0 + 6_000);
    await deliver(consumedFrom(sentAt(producer, 1)));

    expect(producer.sent.map((s) => s.topic)).toEqual(['billing.retry.1', 'billing.retry.2', 'billing.dlt']);
    const dlt = sentAt(producer, 2).record;
    expect(dlt.key).toEqual(Buffer.from('order-7'));
    expect(dlt.value).toEqual(sourceRecord.value);
    expect(textHeaders(dlt)).toEqual({
      ce_id: 'id-1',
      ce_type: 'PaymentAuthorized',
      'x-original-topic': 'payments.events',
      'x-original-partition': '2',
      'x-original-offset': '41',
      'x-original-timestamp': '1699999999000',
      'x-dlt-consumer-group': 'billing',
      'x-dlt-reason': 'retries-exhausted',
      'x-dlt-error-code': 'GATEWAY_DOWN',
      'x-dlt-error-class': 'HandlerError',
      'x-dlt-error-message': 'down for good',
      'x-dlt-error-stack': error.stack,
      'x-dlt-attempts': '3',
      'x-dlt-first-failure-at': String(T0),
      'x-dlt-last-failure-at': String(T0 + 6_000),
    });
  });

  it('dead-letters undecodable input at once, as attempt 1', async () => {
    const { producer, deliver, failWith } = setup();
    failWith(new DecodeError('Payload is not in the Confluent wire format'));
    await deliver(sourceRecord);
    expect(producer.sent.map((s) => s.topic)).toEqual(['billing.dlt']);
    expect(textHeaders(sentAt(producer, 0).record)).toMatchObject({
      'x-dlt-reason': 'non-retriable',
      'x-dlt-error-code': 'MESSAGING_DECODE',
      'x-dlt-error-class': 'DecodeError',
      'x-dlt-attempts': '1',
      'x-dlt-first-failure-at': String(T0),
      'x-dlt-last-failure-at': String(T0),
    });
  });

  it('bounds the stack header to 2 KiB and describes thrown non-errors', async () => {
    const { producer, deliver, failWith } = setup();
    const error = new NonRetriableError('long');
    error.stack = 'é'.repeat(5_000);
    failWith(error);
    await deliver(sourceRecord);
    const stack = textHeaders(sentAt(producer, 0).record)['x-dlt-error-stack'] ?? '';
    expect(Buffer.byteLength(stack)).toBe(2_048);
    expect(stack).toBe('é'.repeat(1_024));

    failWith('plain string');
    await deliver(sourceRecord);
    expect(textHeaders(sentAt(producer, 1).record)).toMatchObject({
      'x-error-code': 'UNCLASSIFIED',
      'x-error-class': 'string',
      'x-error-message': 'plain string',
    });
  });

  it('starts over a record replayed onto its source topic, dropping its old failure headers', async () => {
    const { producer, clock, deliver, failWith } = setup();
    failWith(new NonRetriableError('bad'));
    await deliver(sourceRecord);
    const replayed: ConsumedRecord = {
      ...consumedFrom(sentAt(producer, 0)),
      topic: 'payments.events',
      partition: 1,
      offset: '900',
      timestamp: String(T0 + 50),
    };
    clock.set(T0 + 60);
    failWith(new HandlerError('again'));
    await deliver(replayed);

    expect(sentAt(producer, 1).topic).toBe('billing.retry.1');
    expect(textHeaders(sentAt(producer, 1).record)).toEqual({
      ce_id: 'id-1',
      ce_type: 'PaymentAuthorized',
      'x-original-topic': 'payments.events',
      'x-original-partition': '1',
      'x-original-offset': '900',
      'x-original-timestamp': String(T0 + 50),
      'x-attempt': '2',
      'x-retry-due-at': String(T0 + 60 + 1_000),
      'x-first-failure-at': String(T0 + 60),
      'x-last-failure-at': String(T0 + 60),
      'x-error-code': 'HANDLER_FAILED',
      'x-error-class': 'HandlerError',
      'x-error-message': 'again',
    });
  });

  it("treats another group's retry topic as a source topic", async () => {
    const { producer, calls, deliver, failWith } = setup();
    failWith(new HandlerError('down'));
    await deliver({ ...sourceRecord, topic: 'shipping.retry.1' });
    expect(calls.map((m) => m.attempt)).toEqual([1]);
    expect(producer.sent.map((s) => s.topic)).toEqual(['billing.retry.1']);
    expect(textHeaders(sentAt(producer, 0).record)['x-original-topic']).toBe('shipping.retry.1');
  });

  it('lets a DeferredDelivery from an inner layer through without routing it', async () => {
    const { producer, deliver, failWith } = setup();
    failWith(new DeferredDelivery(T0 + 10));
    await expect(deliver(sourceRecord)).rejects.toBeInstanceOf(DeferredDelivery);
    expect(producer.sent).toEqual([]);
  });

  it('tells onRouted where each failed message went, after it was written', async () => {
    const producer = new FakeProducer();
    let now = T0;
    const routed: unknown[] = [];
    const handler: MessageHandler = async () => {
      throw new HandlerError('down', { code: 'GATEWAY_DOWN' });
    };
    const wrapped = retryAndDeadLetterMiddleware({
      producer,
      policy: { delaysMs: [100] },
      now: () => now,
      onRouted: (event) => {
        routed.push({ ...event, message: event.message.record.topic });
        throw new Error('a broken listener changes nothing');
      },
    })(handler);
    const deliver = (record: ConsumedRecord) => {
      const message: InboundMessage = { record, groupId: GROUP, attempt: 1 };
      return wrapped(message, { message, logger: silentLogger });
    };
    await deliver(sourceRecord);
    now = T0 + 100;
    await deliver(consumedFrom(sentAt(producer, 0)));
    expect(routed).toEqual([
      {
        kind: 'retry',
        message: 'payments.events',
        errorCode: 'GATEWAY_DOWN',
        topic: 'billing.retry.1',
        dueAt: T0 + 100,
      },
      {
        kind: 'dead-letter',
        message: 'billing.retry.1',
        errorCode: 'GATEWAY_DOWN',
        topic: 'billing.dlt',
        reason: 'retries-exhausted',
      },
    ]);
  });

  it('fails the delivery when the retry topic cannot be written, so the record is not committed', async () => {
    const { producer, deliver, failWith } = setup();
    failWith(new HandlerError('down'));
    producer.failWith = new TransportError('broker gone');
    await expect(deliver(sourceRecord)).rejects.toThrow('broker gone');
  });
});
