/**
 * The event store against real PostgreSQL: expected versions, concurrent appends to one stream, time
 * travel, a reader of all streams that never skips a late committer, and snapshots that give the same
 * state as a full replay (over random command sequences) and are never misread across schema versions.
 */
import type { DataSourceOptions, EntityManager } from 'typeorm';
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { fold, WrongExpectedVersionError, type SnapshotPolicy } from '../index';
import {
  creditAccount,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
} from '../test/credit-account';
import { EventSourcedRepository, eventStoreMigrations, PostgresEventStore } from './index';

const dataSourceOptions = (url: string): DataSourceOptions => ({
  type: 'postgres',
  url,
  migrations: eventStoreMigrations(),
  migrationsTransactionMode: 'all',
  synchronize: false,
  // Enough connections for the concurrency test's transactions to be truly concurrent.
  extra: { max: 60 },
});

const opened = (limit: number): AccountEvent => ({ type: 'AccountOpened', data: { limit } });
const reserved = (orderId: string, amount: number): AccountEvent => ({
  type: 'CreditReserved',
  data: { orderId, amount },
});

/** A small deterministic PRNG (mulberry32), so a failing random sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('PostgresEventStore', () => {
  const infra = testInfrastructure();
  const store = new PostgresEventStore();
  let db: MigratedDatabase;
  let streamNo = 0;
  const newStream = () => `account-${process.pid}-${(streamNo += 1)}`;
  const tx = <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => db.dataSource.transaction(work);

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'event_store_test', dataSourceOptions);
  });
  afterAll(() => db?.dispose());

  describe('append with an expected version', () => {
    it('creates a stream only where none exists, then appends only at the expected version', async () => {
      const stream = newStream();
      const first = await tx((m) =>
        store.append(m, stream, [opened(100)], { expectedVersion: 'no-stream', streamType: 'Account' }),
      );
      expect(first.version).toBe(1);
      expect(first.events.map((e) => [e.version, e.type])).toEqual([[1, 'AccountOpened']]);

      await expect(
        tx((m) =>
          store.append(m, stream, [opened(5)], { expectedVersion: 'no-stream', streamType: 'Account' }),
        ),
      ).rejects.toEqual(new WrongExpectedVersionError(stream, 'no-stream', 1));
      await expect(
        tx((m) =>
          store.append(m, stream, [reserved('o-1', 1)], { expectedVersion: 0, streamType: 'Account' }),
        ),
      ).rejects.toMatchObject({ name: 'WrongExpectedVersionError', actual: 1, retriable: true });
      await expect(
        tx((m) =>
          store.append(m, stream, [reserved('o-1', 1)], { expectedVersion: 2, streamType: 'Account' }),
        ),
      ).rejects.toMatchObject({ expected: 2, actual: 1 });

      const second = await tx((m) =>
        store.append(m, stream, [reserved('o-1', 10), reserved('o-2', 20)], {
          expectedVersion: 1,
          streamType: 'Account',
          metadata: { causationId: 'msg-1', correlationId: 'flow-1' },
        }),
      );
      expect(second.version).toBe(3);
      const any = await tx((m) =>
        store.append(m, stream, [reserved('o-3', 1)], { expectedVersion: 'any', streamType: 'Account' }),
      );
      expect(any.version).toBe(4);

      const events = await tx((m) => store.readStream<AccountEvent>(m, stream));
      expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
        [1, 'AccountOpened', { limit: 100 }],
        [2, 'CreditReserved', { orderId: 'o-1', amount: 10 }],
        [3, 'CreditReserved', { orderId: 'o-2', amount: 20 }],
        [4, 'CreditReserved', { orderId: 'o-3', amount: 1 }],
      ]);
      expect(events[1]?.metadata).toEqual({ causationId: 'msg-1', correlationId: 'flow-1' });
      // Positions increase in append order across the stream.
      const positions = events.map((e) => BigInt(e.position));
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      expect(await tx((m) => store.readStream(m, stream, { fromVersion: 2, toVersion: 3 }))).toHaveLength(2);
    });

    it('rolls back with the transaction: a failed transaction leaves no event and no version', async () => {
      const stream = newStream();
      await expect(
        tx(async (m) => {
          await store.append(m, stream, [opened(1)], { expectedVersion: 'no-stream', streamType: 'Account' });
          throw new Error('the business change failed');
        }),
      ).rejects.toThrow('the business change failed');
      expect(await tx((m) => store.version(m, stream))).toBe(0);
      expect(await tx((m) => store.readStream(m, stream))).toEqual([]);
    });
  });

  describe('concurrency', () => {
    it('50 concurrent reservations on one account reserve exactly what the limit allows; conflicts are decided again', async () => {
      const stream = newStream();
      const repository = new EventSourcedRepository({
        store,
        decider: creditAccount,
        streamType: 'Account',
        maxConflictRetries: 60,
      });
      await tx((m) => repository.handle(m, stream, { type: 'Open', limit: 1_000 }));

      // 50 orders of 30: the limit allows 33 of them.
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          tx((m) => repository.handle(m, stream, { type: 'Reserve', orderId: `o-${i}`, amount: 30 })),
        ),
      );
      const types = results.map((r) => r.events.map((e) => e.type)).flat();
      expect(types.filter((t) => t === 'CreditReserved')).toHaveLength(33);
      expect(types.filter((t) => t === 'CreditDeclined')).toHaveLength(17);
      // The test exercised what it is about: appends met each other and were decided again.
      expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);

      const loaded = await tx((m) => repository.load(m, stream));
      expect(loaded.version).toBe(51);
      expect(loaded.state.reserved).toBe(990);
      const versions = (await tx((m) => store.readStream(m, stream))).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    });
  });

  describe('time travel', () => {
    it('loads the account as it was at a version or at an instant', async () => {
      const stream = newStream();
      const repository = new EventSourcedRepository({ store, decider: creditAccount, streamType: 'Account' });
      await tx((m) => repository.handle(m, stream, { type: 'Open', limit: 100 }));
      await tx((m) => repository.handle(m, stream, { type: 'Reserve', orderId: 'o-1', amount: 10 }));
      const between = (await db.dataSource.query('SELECT clock_timestamp() AS now')) as { now: Date }[];
      await tx((m) => repository.handle(m, stream, { type: 'Reserve', orderId: 'o-2', amount: 20 }));

      expect((await tx((m) => repository.load(m, stream))).state.reserved).toBe(30);
      const atVersion = await tx((m) => repository.load(m, stream, { toVersion: 2 }));
      expect({ version: atVersion.version, reserved: atVersion.state.reserved }).toEqual({
        version: 2,
        reserved: 10,
      });
      const atInstant = await tx((m) => repository.load(m, stream, { asOf: between[0]?.now }));
      expect({ version: atInstant.version, reserved: atInstant.state.reserved }).toEqual({
        version: 2,
        reserved: 10,
      });
      const before = await tx((m) => repository.load(m, stream, { asOf: new Date(0) }));
      expect(before).toEqual({ state: creditAccount.initialState(), version: 0, fromSnapshot: false });
    });
  });

  describe('reading all streams', () => {
    it('stops below a transaction still in flight, so an event committed late is not skipped', async () => {
      const start = await tx((m) => store.readAll(m, { limit: 100_000 }));
      const after = start.at(-1)?.position ?? '0';
      const early = newStream();
      const late = newStream();

      // The late stream's append gets its position first but commits last.
      let releaseLate!: () => void;
      const lateHolding = new Promise<void>((resolve) => (releaseLate = resolve));
      let lateAppended!: () => void;
      const lateHasAppended = new Promise<void>((resolve) => (lateAppended = resolve));
      const lateTx = tx(async (m) => {
        await store.append(m, late, [opened(1)], { expectedVersion: 'no-stream', streamType: 'Account' });
        lateAppended();
        await lateHolding;
      });
      await lateHasAppended;
      await tx((m) =>
        store.append(m, early, [opened(2)], { expectedVersion: 'no-stream', streamType: 'Account' }),
      );

      // While the late transaction is open, neither its event nor the early one after it is read.
      expect(await tx((m) => store.readAll(m, { after }))).toEqual([]);
      releaseLate();
      await lateTx;
      const read = await tx((m) => store.readAll(m, { after }));
      expect(read.map((e) => e.streamId)).toEqual([late, early]);
      expect(await tx((m) => store.readAll(m, { after, streamType: 'Nothing' }))).toEqual([]);
    });
  });

  describe('snapshots', () => {
    const policy = (every: number, schemaVersion = 1): SnapshotPolicy<AccountState> => ({
      every,
      schemaVersion,
    });

    it('give the same state as a full replay, for random command sequences', async () => {
      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
        const next = random(seed);
        const stream = newStream();
        const every = 1 + Math.floor(next() * 5);
        const withSnapshots = new EventSourcedRepository({
          store,
          decider: creditAccount,
          streamType: 'Account',
          snapshots: policy(every),
        });
        const without = new EventSourcedRepository({ store, decider: creditAccount, streamType: 'Account' });
        await tx((m) => withSnapshots.handle(m, stream, { type: 'Open', limit: 500 }));
        const commands: AccountCommand[] = Array.from({ length: 40 }, () => {
          const orderId = `o-${Math.floor(next() * 12)}`;
          return next() < 0.7
            ? { type: 'Reserve', orderId, amount: 1 + Math.floor(next() * 120) }
            : { type: 'Release', orderId };
        });
        for (const command of commands) await tx((m) => withSnapshots.handle(m, stream, command));

        const snapshotted = await tx((m) => withSnapshots.load(m, stream));
        const replayed = await tx((m) => without.load(m, stream));
        const events = await tx((m) => store.readStream<AccountEvent>(m, stream));
        expect({ seed, state: snapshotted.state, version: snapshotted.version }).toEqual({
          seed,
          state: replayed.state,
          version: replayed.version,
        });
        expect(replayed.state).toEqual(
          fold(
            creditAccount,
            events.map((e) => ({ type: e.type, data: e.data }) as AccountEvent),
          ),
        );
        // Snapshots were really used where the stream is long enough to have one.
        expect(snapshotted.fromSnapshot).toBe(replayed.version >= every);
      }
    });

    it('of another schema version are ignored, or upcast when the policy knows how', async () => {
      const stream = newStream();
      const v1 = new EventSourcedRepository({
        store,
        decider: creditAccount,
        streamType: 'Account',
        snapshots: policy(2, 1),
      });
      await tx((m) => v1.handle(m, stream, { type: 'Open', limit: 100 }));
      await tx((m) => v1.handle(m, stream, { type: 'Reserve', orderId: 'o-1', amount: 7 }));
      // A snapshot written by "older code" whose state had another shape.
      await tx((m) =>
        store.saveSnapshot(m, stream, { version: 2, schemaVersion: 1, state: { wrong: 'shape' } }),
      );

      const v2 = new EventSourcedRepository({
        store,
        decider: creditAccount,
        streamType: 'Account',
        snapshots: policy(2, 2),
      });
      const ignored = await tx((m) => v2.load(m, stream));
      expect(ignored).toMatchObject({ fromSnapshot: false, version: 2, state: { reserved: 7, open: true } });

      const upcasting = new EventSourcedRepository({
        store,
        decider: creditAccount,
        streamType: 'Account',
        snapshots: {
          ...policy(2, 2),
          upcast: () => ({ open: true, limit: 100, reserved: 7, orders: { 'o-1': 7 } }),
        },
      });
      expect(await tx((m) => upcasting.load(m, stream))).toMatchObject({ fromSnapshot: true, version: 2 });
    });
  });
});
