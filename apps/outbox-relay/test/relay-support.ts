/**
 * Test support for the relay's integration tests: a source database of the test's own with the messaging
 * migrations, the real OutboxWriter with the real envelope and Avro codecs (remembering every record it
 * encoded, so tests know the exact bytes the relay must publish), and a reader that collects a topic.
 */
import type { DataSourceOptions, QueryRunner } from 'typeorm';
import {
  AvroCodec,
  EnvelopeCodec,
  type AvroRecordSchema,
  type ConsumedRecord,
  type ConsumerPort,
  type EncodeOptions,
  type EventDefinition,
  type KafkaClient,
  type OutgoingRecord,
} from '@orderstream/messaging';
import {
  messagingMigrations,
  OutboxWriter,
  type OutboxEntry,
  type RecordEncoder,
} from '@orderstream/messaging/postgres';
import { createMigratedDatabase, uniqueName, waitFor, type MigratedDatabase } from '@orderstream/testing';

export const accountNotedSchema = {
  type: 'record',
  name: 'AccountNoted',
  namespace: 'orderstream.test.relay',
  fields: [
    { name: 'accountId', type: 'string' },
    // The event's position among its aggregate's events: per-aggregate order is checked on it.
    { name: 'n', type: 'long' },
  ],
} as const satisfies AvroRecordSchema;

export interface AccountNoted {
  accountId: string;
  n: number;
}

export function accountNoted(topic: string): EventDefinition<AccountNoted> {
  return {
    type: 'orderstream.test.relay.AccountNoted',
    topic,
    schema: accountNotedSchema,
    key: (event) => event.accountId,
  };
}

/** The real envelope codec, keeping what it encoded. */
export class RecordingEncoder implements RecordEncoder {
  readonly encoded = new Map<string, OutgoingRecord>();

  constructor(private readonly codec: EnvelopeCodec) {}

  async encode<T>(definition: EventDefinition<T>, data: T, options: EncodeOptions): Promise<OutgoingRecord> {
    const record = await this.codec.encode(definition, data, options);
    this.encoded.set(String(record.headers?.['ce_id']), record);
    return record;
  }
}

export interface SourceDatabase {
  db: MigratedDatabase;
  url: string;
  encoder: RecordingEncoder;
  writer: OutboxWriter;
  /** Writes one event in its own committed transaction. */
  write(definition: EventDefinition<AccountNoted>, event: AccountNoted): Promise<OutboxEntry>;
  /** Opens a transaction, writes one event in it and leaves it open. */
  writeUncommitted(
    definition: EventDefinition<AccountNoted>,
    event: AccountNoted,
  ): Promise<{ entry: OutboxEntry; transaction: QueryRunner }>;
  unpublished(): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function createSourceDatabase(
  postgresUrl: string,
  registryUrl: string,
): Promise<SourceDatabase> {
  let url = '';
  const db = await createMigratedDatabase(postgresUrl, 'relay_source', (databaseUrl): DataSourceOptions => {
    url = databaseUrl;
    return {
      type: 'postgres',
      url: databaseUrl,
      migrations: messagingMigrations(),
      migrationsTransactionMode: 'all',
      synchronize: false,
    };
  });
  const encoder = new RecordingEncoder(new EnvelopeCodec(new AvroCodec({ registryUrl })));
  const writer = new OutboxWriter({ encoder, source: '/orderstream/test-relay' });
  const add = (
    manager: QueryRunner['manager'],
    definition: EventDefinition<AccountNoted>,
    data: AccountNoted,
  ) => writer.add(manager, { definition, data, aggregateType: 'Account' });
  return {
    db,
    url,
    encoder,
    writer,
    write: (definition, event) => db.dataSource.transaction((manager) => add(manager, definition, event)),
    async writeUncommitted(definition, event) {
      const transaction = db.dataSource.createQueryRunner();
      await transaction.connect();
      await transaction.startTransaction();
      return { entry: await add(transaction.manager, definition, event), transaction };
    },
    async unpublished() {
      const rows = (await db.dataSource.query(
        'SELECT sequence::text AS sequence FROM messaging_outbox WHERE published_at IS NULL ORDER BY sequence',
      )) as { sequence: string }[];
      return rows.map((row) => row.sequence);
    },
    dispose: () => db.dispose(),
  };
}

/** Collects every record of a topic from the beginning, in a consumer group of its own. */
export class TopicReader {
  readonly records: ConsumedRecord[] = [];
  private readonly consumer: ConsumerPort;

  constructor(
    client: KafkaClient,
    private readonly topic: string,
  ) {
    this.consumer = client.consumer({ groupId: uniqueName('relay-test-reader'), fetchMaxWaitMs: 100 });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe([this.topic], { fromBeginning: true });
    await this.consumer.run({
      eachRecord: async (record) => {
        this.records.push(record);
      },
    });
  }

  async waitForCount(count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
    await waitFor(() => this.records.length >= count, {
      description: `${count} records on ${this.topic} (have ${this.records.length})`,
      timeoutMs,
    });
    return this.records;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** A consumed header as text. */
export function header(record: ConsumedRecord, name: string): string | undefined {
  return record.headers[name]?.toString('utf8');
}
