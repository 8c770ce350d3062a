import type { HandlerContext, InboundMessage } from '../core/handler';
import { immediateRetryMiddleware } from '../failure/immediate-retry.middleware';
import { retryAndDeadLetterMiddleware } from '../failure/retry-and-dead-letter.middleware';
import { silentLogger } from '../logging/logger';
import type {
  ConsumedRecord,
  OutgoingRecord,
  ProducerPort,
  RecordMetadata,
} from '../ports/kafka-client.port';
import {
  ConflictError,
  IllegalStateError,
  IllegalTransitionError,
  InvariantViolatedError,
  NotFoundError,
  ValidationError,
} from './application.error';
import {
  ApplicationError,
  errorCode,
  isRetriable,
  MessagingError,
  NonRetriableError,
} from './messaging.error';

const CLASSES = [
  [ValidationError, 'VALIDATION_FAILED'],
  [NotFoundError, 'NOT_FOUND'],
  [IllegalStateError, 'ILLEGAL_STATE'],
  [IllegalTransitionError, 'ILLEGAL_TRANSITION'],
  [ConflictError, 'CONFLICT'],
  [InvariantViolatedError, 'INVARIANT_VIOLATED'],
  [NonRetriableError, 'HANDLER_NON_RETRIABLE'],
] as const;

describe('application errors', () => {
  it.each(CLASSES)('%p has the stable code %s and is never retriable', (ErrorClass, code) => {
    const error = new ErrorClass('it broke');

    expect(error.code).toBe(code);
    expect(errorCode(error)).toBe(code);
    expect(error.retriable).toBe(false);
    expect(isRetriable(error)).toBe(false);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe('it broke');
    expect(error.details).toBeUndefined();
    expect(error).toBeInstanceOf(ApplicationError);
    expect(error).toBeInstanceOf(MessagingError);
    expect(error).toBeInstanceOf(Error);
  });

  it.each(CLASSES)('%p keeps a refined code, the details and the cause', (ErrorClass) => {
    const cause = new Error('root');
    const error = new ErrorClass('no order 42', {
      code: 'ORDER_NOT_FOUND',
      details: { orderId: '42' },
      cause,
    });

    expect(error.code).toBe('ORDER_NOT_FOUND');
    expect(error.details).toEqual({ orderId: '42' });
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(false);
  });

  it('makes an illegal transition an illegal state', () => {
    const error = new IllegalTransitionError('CANCELLED cannot be confirmed');
    expect(error).toBeInstanceOf(IllegalStateError);
    expect(new IllegalStateError('x')).not.toBeInstanceOf(IllegalTransitionError);
  });

  it('keeps the classes apart, so a mapping by class cannot confuse them', () => {
    for (const [ErrorClass] of CLASSES) {
      const others = CLASSES.filter(
        ([Other]) =>
          Other !== ErrorClass && !(ErrorClass === IllegalTransitionError && Other === IllegalStateError),
      );
      for (const [Other] of others) expect(new ErrorClass('x')).not.toBeInstanceOf(Other);
    }
  });
});

/** Remembers what the failure layers send. */
class RecordingProducer implements ProducerPort {
  readonly sent: { topic: string; record: OutgoingRecord }[] = [];
  readonly connect = (): Promise<void> => Promise.resolve();
  readonly disconnect = (): Promise<void> => Promise.resolve();
  async transaction(): Promise<never> {
    throw new Error('not transactional');
  }
  async send(topic: string, records: OutgoingRecord[]): Promise<RecordMetadata[]> {
    records.forEach((record) => this.sent.push({ topic, record }));
    return records.map(() => ({ topic, partition: 0, offset: '0' }));
  }
}

describe('application errors in the failure layers', () => {
  const record: ConsumedRecord = {
    topic: 'orders.events',
    partition: 1,
    offset: '7',
    key: Buffer.from('order-1'),
    value: Buffer.from([0]),
    headers: { ce_id: Buffer.from('id-1') },
    timestamp: '1700000000000',
  };

  it.each(CLASSES)(
    '%p is dead-lettered on attempt 1 after one handler call, its code and class in the headers',
    async (ErrorClass, code) => {
      const producer = new RecordingProducer();
      let calls = 0;
      const handle = retryAndDeadLetterMiddleware({ producer, policy: { delaysMs: [1_000, 2_000] } })(
        immediateRetryMiddleware({ attempts: 3, backoffMs: 0 })(async () => {
          calls += 1;
          throw new ErrorClass('no retry fixes this', { details: { orderId: 'order-1' } });
        }),
      );
      const message: InboundMessage = { record, groupId: 'orders', attempt: 1 };
      const context: HandlerContext = { message, logger: silentLogger };

      await handle(message, context);

      expect(calls).toBe(1);
      expect(producer.sent.map((s) => s.topic)).toEqual(['orders.dlt']);
      const headers = Object.fromEntries(
        Object.entries(producer.sent[0]?.record.headers ?? {}).map(([k, v]) => [k, v.toString()]),
      );
      expect(headers).toMatchObject({
        'x-dlt-reason': 'non-retriable',
        'x-dlt-error-code': code,
        'x-dlt-error-class': ErrorClass.name,
        'x-dlt-error-message': 'no retry fixes this',
        'x-dlt-attempts': '1',
      });
    },
  );
});
