import { DatabaseError } from 'pg';
import { EntityManager, QueryFailedError, type DataSource } from 'typeorm';
import { DecodeError, isRetriable } from '../errors/messaging.error';
import { silentLogger } from '../logging/logger';
import type { HandlerContext, InboundMessage } from '../core/handler';
import { effectivelyOnce, entityManagerOf } from './effectively-once.middleware';
import { MissingTransactionError, PostgresError } from './postgres.errors';

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

  it.each([
    ['22P02', false],
    ['23505', false],
    ['40001', true],
  ])('rethrows a failed transaction with SQLSTATE %s classified (retriable: %p)', async (code, retriable) => {
    const driverError = Object.assign(new DatabaseError('it failed', 9, 'error'), {
      severity: 'ERROR',
      code,
    });
    const failure = new QueryFailedError('SELECT 1', [], driverError);
    const transaction = jest.fn().mockRejectedValue(failure);
    const wrapped = effectivelyOnce({ dataSource: { transaction } as unknown as DataSource })(jest.fn());
    const withId = { ...message, record: { ...message.record, headers: { ce_id: Buffer.from('id-1') } } };

    const error = await wrapped(withId, { message: withId, logger: silentLogger }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PostgresError);
    expect(error).toMatchObject({ code: `POSTGRES_${code}`, cause: failure });
    expect(isRetriable(error)).toBe(retriable);
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
