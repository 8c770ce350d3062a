/**
 * The saga orchestrator on a real PostgreSQL database: each decision changes the instance row and writes its
 * commands in one transaction (here to a table standing in for the outbox), replies are correlated by command
 * id so duplicates change nothing, and a second orchestrator on the same database (a restarted process)
 * carries every in-flight instance on from its persisted state, sharing the deadline work without doing any
 * twice.
 */
import type { DataSourceOptions, EntityManager } from 'typeorm';
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { defineSaga } from '../../saga/saga-definition';
import type { SagaCommand } from '../../saga/saga-machine';
import { PostgresSagaOrchestrator, sagaMigrations } from './index';

interface Order {
  orderId: string;
}

const definition = defineSaga<Order>({
  name: 'test-order',
  steps: [
    {
      name: 'AuthorizePayment',
      participant: 'payments',
      action: (o) => ({ type: 'AuthorizePayment', payload: o }),
      successOn: ['PaymentAuthorized'],
      failureOn: ['PaymentDeclined'],
      compensation: {
        command: (o) => ({ type: 'RefundPayment', payload: o }),
        doneOn: ['PaymentRefunded'],
        timeoutMs: 1_000,
        retries: 3,
      },
      timeoutMs: 1_000,
      retries: 1,
    },
    {
      name: 'ReserveStock',
      participant: 'inventory',
      action: (o) => ({ type: 'ReserveStock', payload: o }),
      successOn: ['StockReserved'],
      failureOn: ['StockRejected'],
      timeoutMs: 1_000,
      retries: 0,
    },
  ],
});

const dataSourceOptions = (url: string): DataSourceOptions => ({
  type: 'postgres',
  url,
  migrations: sagaMigrations(),
  migrationsTransactionMode: 'all',
  synchronize: false,
});

/** Stands in for the outbox: the commands sent, in the orchestrator's transaction. */
async function sendTo(manager: EntityManager, command: SagaCommand): Promise<void> {
  await manager.query(
    'INSERT INTO sent_commands (saga_id, command_id, kind, type, attempt) VALUES ($1, $2, $3, $4, $5)',
    [command.sagaId, command.commandId, command.kind, command.type, command.attempt],
  );
}

describe('PostgresSagaOrchestrator', () => {
  const infra = testInfrastructure();
  let db: MigratedDatabase;
  let clock = Date.UTC(2026, 11, 7);
  let ids = 0;
  const orchestrator = () =>
    new PostgresSagaOrchestrator<Order>({
      definition,
      send: sendTo,
      now: () => clock,
      newId: () => `cmd-${++ids}`,
    });
  const tx = <T>(work: (m: EntityManager) => Promise<T>) => db.dataSource.transaction(work);
  const sent = async (sagaId: string) =>
    (await db.dataSource.query(
      'SELECT kind, type, attempt FROM sent_commands WHERE saga_id = $1 ORDER BY seq',
      [sagaId],
    )) as { kind: string; type: string; attempt: number }[];

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'saga_orchestrator_test', dataSourceOptions);
    await db.dataSource.query(
      `CREATE TABLE sent_commands (seq bigint GENERATED ALWAYS AS IDENTITY, saga_id text, command_id text,
         kind text, type text, attempt int)`,
    );
  });
  afterAll(() => db?.dispose());

  it('persists each step with its command, completes, and ignores a duplicate reply', async () => {
    const saga = orchestrator();
    const started = await tx((m) => saga.start(m, 'saga-a', { orderId: 'a' }));
    await tx((m) =>
      saga.handleReply(m, { commandId: started.commandId, type: 'PaymentAuthorized', payload: {} }),
    );
    // The same reply again (a redelivery): no instance awaits that command any more.
    expect(
      await tx((m) =>
        saga.handleReply(m, { commandId: started.commandId, type: 'PaymentAuthorized', payload: {} }),
      ),
    ).toBeUndefined();
    const reserving = await tx((m) => saga.load(m, 'saga-a'));
    await tx((m) =>
      saga.handleReply(m, { commandId: reserving.commandId, type: 'StockReserved', payload: {} }),
    );
    expect(await tx((m) => saga.load(m, 'saga-a'))).toMatchObject({ status: 'completed', deadline: null });
    expect(await sent('saga-a')).toEqual([
      { kind: 'action', type: 'AuthorizePayment', attempt: 1 },
      { kind: 'action', type: 'ReserveStock', attempt: 1 },
    ]);
  });

  it('changes neither the instance nor the commands when the transaction rolls back', async () => {
    const saga = orchestrator();
    const started = await tx((m) => saga.start(m, 'saga-b', { orderId: 'b' }));
    await expect(
      tx(async (m) => {
        await saga.handleReply(m, { commandId: started.commandId, type: 'PaymentAuthorized', payload: {} });
        throw new Error('the handler failed after the orchestrator decided');
      }),
    ).rejects.toThrow('the handler failed');
    expect(await tx((m) => saga.load(m, 'saga-b'))).toMatchObject({ status: 'running', step: 0 });
    expect(await sent('saga-b')).toEqual([{ kind: 'action', type: 'AuthorizePayment', attempt: 1 }]);
  });

  it('tells the service what happened, in the same transaction, with the reply that caused it', async () => {
    await db.dataSource.query(
      'CREATE TABLE IF NOT EXISTS transitions (seq bigint GENERATED ALWAYS AS IDENTITY, saga_id text, outcome text, reply text)',
    );
    const saga = new PostgresSagaOrchestrator<Order>({
      definition,
      send: sendTo,
      now: () => clock,
      newId: () => `cmd-${++ids}`,
      onTransition: async (manager, transition, reply) => {
        await manager.query('INSERT INTO transitions (saga_id, outcome, reply) VALUES ($1, $2, $3)', [
          transition.instance.id,
          transition.outcome,
          reply?.type ?? null,
        ]);
      },
    });
    const started = await tx((m) => saga.start(m, 'saga-d', { orderId: 'd' }));
    clock += 1_000;
    await saga.processDeadlines(db.dataSource);
    // A reply whose transaction rolls back leaves no trace of the hook either.
    await expect(
      tx(async (m) => {
        await saga.handleReply(m, { commandId: started.commandId, type: 'PaymentDeclined', payload: {} });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await tx((m) =>
      saga.handleReply(m, { commandId: started.commandId, type: 'PaymentDeclined', payload: {} }),
    );
    expect(
      await db.dataSource.query('SELECT outcome, reply FROM transitions WHERE saga_id = $1 ORDER BY seq', [
        'saga-d',
      ]),
    ).toEqual([
      { outcome: 'retried', reply: null },
      { outcome: 'failed', reply: 'PaymentDeclined' },
    ]);
    expect(await tx((m) => saga.load(m, 'saga-d'))).toMatchObject({
      status: 'compensated',
      failure: { step: 'AuthorizePayment', reason: 'PaymentDeclined' },
    });
  });

  it('carries in-flight instances on after a crash: a new orchestrator retries, compensates, completes', async () => {
    const before = orchestrator();
    for (let i = 0; i < 10; i++) await tx((m) => before.start(m, `saga-c${i}`, { orderId: `c${i}` }));
    // "Crash": the first orchestrator is gone. Two new ones share the deadlines once they are due.
    clock += 1_000;
    const [one, two] = [orchestrator(), orchestrator()];
    const handled = await Promise.all([
      one.processDeadlines(db.dataSource),
      two.processDeadlines(db.dataSource),
    ]);
    expect(handled[0] + handled[1]).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 10; i++) {
      expect(await sent(`saga-c${i}`)).toEqual([
        { kind: 'action', type: 'AuthorizePayment', attempt: 1 },
        { kind: 'action', type: 'AuthorizePayment', attempt: 2 },
      ]);
    }
    // The late reply to the first attempt (same command id) still completes the step.
    const c0 = await tx((m) => one.load(m, 'saga-c0'));
    await tx((m) => one.handleReply(m, { commandId: c0.commandId, type: 'PaymentAuthorized', payload: {} }));
    // The next step times out (no retries): the payment is refunded.
    clock += 1_000;
    await two.processDeadlines(db.dataSource);
    const compensating = await tx((m) => two.load(m, 'saga-c0'));
    expect(compensating).toMatchObject({
      status: 'compensating',
      failure: { step: 'ReserveStock', reason: 'timeout' },
    });
    await tx((m) =>
      one.handleReply(m, { commandId: compensating.commandId, type: 'PaymentRefunded', payload: {} }),
    );
    expect(await tx((m) => one.load(m, 'saga-c0'))).toMatchObject({ status: 'compensated' });
    expect((await sent('saga-c0')).map((c) => `${c.kind}:${c.type}`)).toEqual([
      'action:AuthorizePayment',
      'action:AuthorizePayment',
      'action:ReserveStock',
      'compensation:RefundPayment',
    ]);
  });
});
