/**
 * Outbox atomicity against real PostgreSQL and the real schema registry: the event row commits with the
 * business change or not at all, holds exactly the Kafka record, and gets a strictly increasing sequence.
 */
import { Client } from 'pg';
import type { DataSourceOptions, EntityManager } from 'typeorm';
import {
  createMigratedDatabase,
  testInfrastructure,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import {
  AvroCodec,
  EnvelopeCodec,
  SchemaError,
  type OutgoingRecord,
  type EncodeOptions,
  type EventDefinition,
} from '../src';
import {
  fromStoredHeaders,
  messagingMigrations,
  OutboxError,
  OutboxWriter,
  type RecordEncoder,
  type StoredHeaders,
} from '../src/postgres';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

const orderNoted: EventDefinition<OrderNoted> = {
  type: 'orderstream.test.OrderNoted',
  topic: 'test.orders.events',
  schema: orderNotedSchema,
  key: (event) => event.orderId,
};

/** The real envelope codec, keeping what it encoded so the test knows every byte the outbox must store. */
class RecordingEncoder implements RecordEncoder {
  readonly encoded: OutgoingRecord[] = [];

  constructor(private readonly codec: EnvelopeCodec) {}

  async encode<T>(definition: EventDefinition<T>, data: T, options: EncodeOptions): Promise<OutgoingRecord> {
    const record = await this.codec.encode(definition, data, options);
    this.encoded.push(record);
    return record;
  }
}

interface OutboxRow {
  sequence: string;
  message_id: string;
  event_type: string;
  topic: string;
  key: string;
  headers: StoredHeaders;
  payload: Buffer | null;
  aggregate_type: string;
  aggregate_id: string;
  created_at: Date;
  published_at: Date | null;
}

const dataSourceOptions = (url: string): DataSourceOptions => ({
  type: 'postgres',
  url,
  migrations: messagingMigrations(),
  migrationsTransactionMode: 'all',
  synchronize: false,
});

describe('transactional outbox', () => {
  const infra = testInfrastructure();
  const codec = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
  let db: MigratedDatabase;
  let encoder: RecordingEncoder;
  let outbox: OutboxWriter;
  let databaseUrl: string;

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'outbox_test', (url) => {
      databaseUrl = url;
      return dataSourceOptions(url);
    });
    // A business table, to show the state change and its event commit together.
    await db.dataSource.query('CREATE TABLE notes (order_id text PRIMARY KEY, note text)');
  });
  afterAll(() => db?.dispose());

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE messaging_outbox, notes');
    encoder = new RecordingEncoder(new EnvelopeCodec(codec));
    outbox = new OutboxWriter({ encoder, source: '/orderstream/test' });
  });

  const outboxRows = (): Promise<OutboxRow[]> =>
    db.dataSource.query('SELECT * FROM messaging_outbox ORDER BY sequence');
  const noteCount = async (): Promise<number> =>
    Number(((await db.dataSource.query('SELECT count(*) AS n FROM notes')) as { n: string }[])[0]?.n);

  async function noteOrder(manager: EntityManager, event: OrderNoted) {
    await manager.query('INSERT INTO notes (order_id, note) VALUES ($1, $2)', [event.orderId, event.note]);
    return outbox.add(manager, {
      definition: orderNoted,
      data: event,
      aggregateType: 'Order',
      causedBy: { id: 'cause-1', correlationId: 'flow-1' },
    });
  }

  it('applies both messaging migrations', () => {
    expect(db.applied).toEqual(['CreateMessagingOutbox1764300000000', 'CreateMessagingInbox1764300000001']);
  });

  it('leaves no row when the transaction rolls back', async () => {
    const failure = new Error('business rule violated after the event was added');
    await expect(
      db.dataSource.transaction(async (manager) => {
        await noteOrder(manager, { orderId: 'order-1', amountCents: 100, note: 'rolled back' });
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect(encoder.encoded).toHaveLength(1);
    expect(await outboxRows()).toEqual([]);
    expect(await noteCount()).toBe(0);
  });

  it('leaves exactly one row, holding the exact Kafka record, when the transaction commits', async () => {
    const event: OrderNoted = { orderId: 'order-2', amountCents: 1250, note: 'committed' };
    const entry = await db.dataSource.transaction((manager) => noteOrder(manager, event));

    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    const [row] = rows as [OutboxRow];
    const [sent] = encoder.encoded as [OutgoingRecord];
    expect(entry).toEqual({
      sequence: row.sequence,
      messageId: sent.headers?.['ce_id'],
      topic: 'test.orders.events',
      key: 'order-2',
    });
    expect(row).toEqual({
      sequence: entry.sequence,
      message_id: sent.headers?.['ce_id'],
      event_type: 'orderstream.test.OrderNoted',
      topic: 'test.orders.events',
      key: 'order-2',
      headers: {
        ce_id: sent.headers?.['ce_id'],
        ce_type: 'orderstream.test.OrderNoted',
        ce_source: '/orderstream/test',
        ce_subject: 'order-2',
        ce_specversion: '1.0',
        ce_time: sent.headers?.['ce_time'],
        'content-type': 'application/avro',
        'correlation-id': 'flow-1',
        'causation-id': 'cause-1',
      },
      payload: sent.value,
      aggregate_type: 'Order',
      aggregate_id: 'order-2',
      created_at: expect.any(Date),
      published_at: null,
    });
    // What the relay will publish is byte for byte what was encoded, and it decodes back to the event.
    expect(fromStoredHeaders(row.headers)).toEqual(sent.headers);
    expect(await codec.decode<OrderNoted>(row.payload)).toEqual(event);
    expect(await noteCount()).toBe(1);
  });

  it('numbers rows with strictly increasing sequences, across and within transactions', async () => {
    const entries = [];
    for (let i = 0; i < 3; i++) {
      entries.push(
        await db.dataSource.transaction((manager) =>
          noteOrder(manager, { orderId: `order-${i}`, amountCents: i, note: null }),
        ),
      );
    }
    entries.push(
      ...(await db.dataSource.transaction(async (manager) => [
        await noteOrder(manager, { orderId: 'order-a', amountCents: 1, note: null }),
        await noteOrder(manager, { orderId: 'order-b', amountCents: 2, note: null }),
      ])),
    );

    const sequences = entries.map((e) => BigInt(e.sequence));
    expect(sequences).toHaveLength(5);
    // Strictly increasing: sorting changes nothing and no value repeats.
    expect([...sequences].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sequences);
    expect(new Set(sequences).size).toBe(sequences.length);
    const rows = await outboxRows();
    expect(rows.map((r) => [r.sequence, r.key])).toEqual(entries.map((e) => [e.sequence, e.key]));
  });

  it('queues a deliberate resend with the same ce_id, told apart by its attempt, and refuses a plain repeat', async () => {
    const event = { definition: orderNoted, aggregateType: 'Order', id: 'command-1' } as const;
    const data: OrderNoted = { orderId: 'order-9', amountCents: 5, note: null };
    await db.dataSource.transaction((m) => outbox.add(m, { ...event, data }));
    await db.dataSource.transaction((m) => outbox.add(m, { ...event, data, attempt: 2 }));
    const rows = await outboxRows();
    expect(rows.map((r) => [r.message_id, (r.headers as Record<string, string>)['ce_id']])).toEqual([
      ['command-1', 'command-1'],
      ['command-1#2', 'command-1'],
    ]);
    // The same message again without saying it is a resend: the unique message_id refuses it.
    await expect(db.dataSource.transaction((m) => outbox.add(m, { ...event, data }))).rejects.toThrow(
      /messaging_outbox_message_id_key/,
    );
  });

  it('refuses to write outside a transaction', async () => {
    await expect(
      outbox.add(db.dataSource.manager, {
        definition: orderNoted,
        data: { orderId: 'order-3', amountCents: 1, note: null },
        aggregateType: 'Order',
      }),
    ).rejects.toThrow(OutboxError);
    expect(await outboxRows()).toEqual([]);
  });

  it('fails the business transaction when the event does not fit its schema', async () => {
    const invalid = { orderId: 'order-4', amountCents: 'a lot', note: null } as unknown as OrderNoted;
    await expect(db.dataSource.transaction((manager) => noteOrder(manager, invalid))).rejects.toThrow(
      SchemaError,
    );
    expect(await outboxRows()).toEqual([]);
    expect(await noteCount()).toBe(0);
  });

  it('notifies the outbox channel on commit only, once per transaction', async () => {
    const listener = new Client({ connectionString: databaseUrl });
    await listener.connect();
    const notifications: string[] = [];
    listener.on('notification', (n) => notifications.push(n.channel));
    try {
      await listener.query('LISTEN messaging_outbox');
      await expect(
        db.dataSource.transaction(async (manager) => {
          await noteOrder(manager, { orderId: 'order-5', amountCents: 1, note: null });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await db.dataSource.transaction(async (manager) => {
        await noteOrder(manager, { orderId: 'order-6', amountCents: 1, note: null });
        await noteOrder(manager, { orderId: 'order-7', amountCents: 1, note: null });
      });
      // Notifications arrive in commit order: had the rolled-back transaction notified, it would be first.
      await waitFor(() => notifications.length > 0, { description: 'a notification on messaging_outbox' });
      // A later transaction's notification proves nothing else was queued in between.
      await db.dataSource.transaction((manager) =>
        noteOrder(manager, { orderId: 'order-8', amountCents: 1, note: null }),
      );
      await waitFor(() => notifications.length > 1, { description: 'the second notification' });
      expect(notifications).toEqual(['messaging_outbox', 'messaging_outbox']);
    } finally {
      await listener.end();
    }
  });
});

describe('messaging migrations with custom table names', () => {
  it('creates the outbox and inbox under the configured names, and the writer uses them', async () => {
    const infra = testInfrastructure();
    const tables = { outbox: 'orders_outbox', inbox: 'orders_inbox' };
    const db = await createMigratedDatabase(infra.postgresUrl, 'outbox_names', (url) => ({
      ...dataSourceOptions(url),
      migrations: messagingMigrations(tables),
    }));
    try {
      expect(db.applied).toEqual(['CreateMessagingOutbox1764300000000', 'CreateMessagingInbox1764300000001']);
      expect(
        await db.dataSource.query(
          `SELECT to_regclass('orders_outbox')::text AS outbox, to_regclass('orders_inbox')::text AS inbox,
                  to_regclass('messaging_outbox')::text AS default_outbox`,
        ),
      ).toEqual([{ outbox: 'orders_outbox', inbox: 'orders_inbox', default_outbox: null }]);

      const writer = new OutboxWriter({
        encoder: new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl })),
        source: '/orderstream/test',
        table: tables.outbox,
        notifyChannel: false,
      });
      const entry = await db.dataSource.transaction((manager) =>
        writer.add(manager, {
          definition: orderNoted,
          data: { orderId: 'order-9', amountCents: 9, note: null },
          aggregateType: 'Order',
        }),
      );
      expect(await db.dataSource.query('SELECT sequence::text AS sequence, key FROM orders_outbox')).toEqual([
        { sequence: entry.sequence, key: 'order-9' },
      ]);
    } finally {
      await db.dispose();
    }
  });
});
