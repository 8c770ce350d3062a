/**
 * Event-sourced customer accounts in the running payments service, against the real stack: concurrent
 * authorizations of one account, time travel over HTTP, the projection rebuilt from the streams, and
 * loading with and without snapshots over random command sequences.
 */
import { randomUUID } from 'node:crypto';
import { orderPlacedEvent, type OrderPlaced } from '@orderstream/contracts';
import { PostgresEventStore, EventSourcedRepository } from '@orderstream/event-store/postgres';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import { ValidationError } from '@orderstream/messaging';
import { uniqueName, waitFor } from '@orderstream/testing';
import { startPayments } from '../test/service-under-test';
import {
  CUSTOMER_ACCOUNT_STREAM,
  customerAccount,
  customerAccountStream,
  type CustomerAccountCommand,
} from './customer-account.decider';
import { CustomerAccounts } from './customer-accounts';

const PROPERTY_TEST_STREAM = 'CustomerAccountPropertyTest';

describe('event-sourced customer accounts', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startPayments();
  });
  afterAll(() => service?.close());

  async function customer(creditLimitCents: number): Promise<string> {
    const customerId = uniqueName('customer');
    await service.dataSource.query(
      'INSERT INTO customer_accounts (customer_id, credit_limit_cents) VALUES ($1, $2)',
      [customerId, creditLimitCents],
    );
    return customerId;
  }

  const order = (customerId: string, totalCents: number): OrderPlaced => ({
    orderId: randomUUID(),
    customerId,
    lines: [{ sku: 'SKU-TEE-M', quantity: 1, unitPriceCents: totalCents }],
    totalCents,
    currency: 'EUR',
    placedAt: Date.UTC(2026, 0, 1),
  });

  async function place(orders: OrderPlaced[]): Promise<void> {
    const { envelopes } = await service.publisher.publishBatch(
      orders.map((data) => ({ definition: orderPlacedEvent, data })),
    );
    const ids = envelopes.map((e) => e.id);
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `payments to handle ${ids.length} OrderPlaced`,
      timeoutMs: 90_000,
    });
  }

  const accountRow = async (customerId: string) =>
    (
      (await service.dataSource.query(
        'SELECT credit_limit_cents::int AS "limit", reserved_cents::int AS reserved FROM customer_accounts WHERE customer_id = $1',
        [customerId],
      )) as { limit: number; reserved: number }[]
    )[0];

  const streamTypes = async (customerId: string): Promise<string[]> =>
    (
      (await service.dataSource.query(
        'SELECT type FROM event_store_events WHERE stream_id = $1 ORDER BY version',
        [customerAccountStream(customerId)],
      )) as { type: string }[]
    ).map((row) => row.type);

  it('50 concurrent authorizations of one account reserve exactly what its limit allows, none lost', async () => {
    // 50 orders of 30.00 against a limit of 1,000.00: 33 fit.
    const customerId = await customer(100_000);
    const orders = Array.from({ length: 50 }, () => order(customerId, 3_000));
    await place(orders);

    const statuses = (await service.dataSource.query(
      'SELECT status, count(*)::int AS n FROM payments WHERE customer_id = $1 GROUP BY status ORDER BY status',
      [customerId],
    )) as { status: string; n: number }[];
    expect(statuses).toEqual([
      { status: 'AUTHORIZED', n: 33 },
      { status: 'DECLINED', n: 17 },
    ]);
    expect(await accountRow(customerId)).toEqual({ limit: 100_000, reserved: 99_000 });
    const types = await streamTypes(customerId);
    expect(types[0]).toBe('AccountOpened');
    expect(types.filter((t) => t === 'CreditReserved')).toHaveLength(33);
    expect(types.filter((t) => t === 'CreditDeclined')).toHaveLength(17);
    expect(types).toHaveLength(51);
    // The orders went to more than one partition, so authorizations of this account ran at once.
    const partitions = (await service.dataSource.query(
      'SELECT count(DISTINCT partition)::int AS n FROM messaging_inbox WHERE message_id = ANY($1)',
      [
        (
          await service.dataSource.query(
            `SELECT metadata->>'causationId' AS id FROM event_store_events WHERE stream_id = $1 AND version > 1`,
            [customerAccountStream(customerId)],
          )
        ).map((row: { id: string }) => row.id),
      ],
    )) as { n: number }[];
    expect(partitions[0]?.n).toBeGreaterThan(1);
  });

  it('answers GET /customers/{id}?asOf= with the account as it was at a version or an instant', async () => {
    const customerId = await customer(10_000);
    await place([order(customerId, 1_000)]);
    const between = new Date();
    await place([order(customerId, 2_000)]);

    const get = async (asOf?: string) => {
      const response = await fetch(
        `${service.baseUrl}/customers/${customerId}${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`,
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await get()).toEqual({
      status: 200,
      body: { customerId, creditLimitCents: 10_000, reservedCents: 3_000, availableCents: 7_000 },
    });
    expect((await get('1')).body).toEqual({
      customerId,
      creditLimitCents: 10_000,
      reservedCents: 0,
      availableCents: 10_000,
      version: 1,
    });
    expect((await get('2')).body).toMatchObject({ reservedCents: 1_000, version: 2 });
    expect((await get(between.toISOString())).body).toMatchObject({ reservedCents: 1_000, version: 2 });
    expect((await get('0')).status).toBe(404);
    expect((await get('1999-01-01T00:00:00Z')).status).toBe(404);
    const invalid = await fetch(`${service.baseUrl}/customers/${customerId}?asOf=yesterday`);
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('rebuilds the projection from the streams: the same rows, a row without a stream imported first', async () => {
    const customers = [await customer(50_000), await customer(7_000), await customer(3_000)];
    await place([order(customers[0] as string, 4_500), order(customers[1] as string, 9_000)]);
    // customers[2] was never used: a row with no stream.
    expect(await streamTypes(customers[2] as string)).toEqual([]);
    const accounts = service.app.get(CustomerAccounts);
    const rows = () =>
      service.dataSource.query(
        'SELECT customer_id, credit_limit_cents, reserved_cents FROM customer_accounts ORDER BY customer_id',
      );
    const before = await rows();
    const streams = (await service.dataSource.query(
      'SELECT count(*)::int AS n FROM event_store_streams WHERE stream_type = $1',
      [CUSTOMER_ACCOUNT_STREAM],
    )) as { n: number }[];
    const rebuilt = await service.dataSource.transaction((manager) => accounts.rebuildProjection(manager));
    expect(rebuilt).toBe((streams[0]?.n ?? 0) + 1);
    expect(await rows()).toEqual(before);
    expect(await streamTypes(customers[2] as string)).toEqual(['AccountOpened']);
    expect(await accountRow(customers[0] as string)).toEqual({ limit: 50_000, reserved: 4_500 });
    expect(await accountRow(customers[1] as string)).toEqual({ limit: 7_000, reserved: 0 });
  });

  it('loads the same account with and without snapshots, for random command sequences', async () => {
    const store = new PostgresEventStore();
    for (const seed of [11, 12, 13, 14, 15]) {
      let a = seed;
      const next = () => {
        a = (Math.imul(a, 1_103_515_245) + 12_345) & 0x7fffffff;
        return a / 0x80000000;
      };
      const every = 1 + Math.floor(next() * 6);
      const withSnapshots = new EventSourcedRepository({
        store,
        decider: customerAccount,
        // A stream type of its own: these accounts are not the service's (no projection rows).
        streamType: PROPERTY_TEST_STREAM,
        snapshots: { every, schemaVersion: 1 },
      });
      const without = new EventSourcedRepository({
        store,
        decider: customerAccount,
        streamType: PROPERTY_TEST_STREAM,
      });
      const customerId = uniqueName('customer');
      const stream = `${PROPERTY_TEST_STREAM}-${customerId}`;
      const reservations: { orderId: string; amountCents: number }[] = [];
      const commands: CustomerAccountCommand[] = [
        { type: 'OpenAccount', customerId, creditLimitCents: 50_000 },
      ];
      for (let i = 0; i < 30; i++) {
        const roll = next();
        if (roll < 0.6) {
          const reservation = { orderId: `o-${i}`, amountCents: 1 + Math.floor(next() * 9_000) };
          reservations.push(reservation);
          commands.push({ type: 'ReserveCredit', ...reservation });
        } else if (roll < 0.85 && reservations.length > 0) {
          commands.push({ type: 'SetCreditLimit', creditLimitCents: 50_000 + Math.floor(next() * 20_000) });
        } else {
          commands.push({ type: 'SetCreditLimit', creditLimitCents: 80_000 });
        }
      }
      let refused = 0;
      for (const command of commands) {
        // A refused command (a limit below what is reserved) appends nothing: part of a random history.
        await service.dataSource
          .transaction((m) => withSnapshots.handle(m, stream, command))
          .catch((error: unknown) => {
            if (!(error instanceof ValidationError)) throw error;
            refused += 1;
          });
      }
      expect(refused).toBeLessThan(commands.length);
      const snapshotted = await service.dataSource.transaction((m) => withSnapshots.load(m, stream));
      const replayed = await service.dataSource.transaction((m) => without.load(m, stream));
      expect({ seed, state: snapshotted.state, version: snapshotted.version }).toEqual({
        seed,
        state: replayed.state,
        version: replayed.version,
      });
      expect(snapshotted.fromSnapshot).toBe(replayed.version >= every);
    }
  });
});
