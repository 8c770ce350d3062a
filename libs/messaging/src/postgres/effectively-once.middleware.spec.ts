import { EntityManager, type DataSource } from 'typeorm';
import { DecodeError } from '../errors/messaging.error';
import { silentLogger } from '../logging/logger';
import type { HandlerContext, InboundMessage } from '../core/handler';
import { effectivelyOnce, entityManagerOf } from './effectively-once.middleware';
import { MissingTransactionError } from './postgres.errors';

const message: InboundMessage = {
  record: {
    topic: 'orders.events',
    partition: 0,
    offset: '7',
    key: null,
    value: null,
    headers: {},
    timestamp: '0',
  },
  groupId: 'payments',
  attempt: 1,
};

describe('effectivelyOnce', () => {
  it('fails a record without ce_id with a non-retriable DecodeError before opening a transaction', async () => {
    const transaction = jest.fn();
    const handler = jest.fn();
    const wrapped = effectivelyOnce({ dataSource: { transaction } as unknown as DataSource })(handler);

    const error = await wrapped(message, { message, logger: silentLogger }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toBe(
      'Record orders.events/0@7 has no ce_id header; effectively-once needs it',
    );
    expect(transaction).not.toHaveBeenCalled();
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('entityManagerOf', () => {
  const context = (transaction?: unknown): HandlerContext => ({ message, logger: silentLogger, transaction });

  it('returns the transaction of an effectively-once handler', () => {
    const manager = Object.create(EntityManager.prototype) as EntityManager;
    expect(entityManagerOf(context(manager))).toBe(manager);
  });

  it.each([undefined, {}, 'tx'])('refuses a context whose transaction is %p', (transaction) => {
    expect(() => entityManagerOf(context(transaction))).toThrow(MissingTransactionError);
  });
});
