/**
 * The poison, end to end in payments against real Kafka, registry and PostgreSQL: an OrderPlaced
 * that is valid Avro but whose orderId is not a UUID (written by a producer still on a schema that did not
 * declare the uuid logical type, as release 1.0.0 did not) was stored by payments, whose order_id column is
 * text, and republished; orders then failed on it with SQLSTATE 22P02 through all its retry topics. Now
 * payments rejects it at decode, against the contract it reads with: dead-lettered on the first attempt
 * with MESSAGING_SCHEMA, nothing stored, nothing republished, not even an inbox row.
 */
import { randomUUID } from 'node:crypto';
import { orderPlacedEvent, type OrderPlaced } from '@orderstream/contracts';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopicName,
  namespacedKafkaClient,
  type ConsumedRecord,
  type EventDefinition,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { paymentsConsumer } from './payments.consumer';
import { startPayments } from './test/service-under-test';

/** OrderPlaced as a producer on the 1.0.0 contract writes it: orderId a plain string. */
const orderPlacedBeforeUuid: EventDefinition<OrderPlaced> = {
  ...orderPlacedEvent,
  schema: JSON.parse(JSON.stringify(orderPlacedEvent.schema).replaceAll(',"logicalType":"uuid"', '')),
};

describe('payments and an OrderPlaced whose orderId is not a UUID', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startPayments();
  });
  afterAll(() => service?.close());

  it('dead-letters it on the first attempt with MESSAGING_SCHEMA and stores nothing', async () => {
    expect(JSON.stringify(orderPlacedBeforeUuid.schema)).not.toContain('uuid');
    const customerId = uniqueName('customer');
    await service.dataSource.query(
      'INSERT INTO customer_accounts (customer_id, credit_limit_cents) VALUES ($1, $2)',
      [customerId, 10_000],
    );
    const orderId = `not-a-uuid-${randomUUID().slice(0, 8)}`;
    const published = await service.publisher.publish(orderPlacedBeforeUuid, {
      orderId,
      customerId,
      lines: [{ sku: 'SKU-TEE-M', quantity: 1, unitPriceCents: 1_000 }],
      totalCents: 1_000,
      currency: 'EUR',
      placedAt: Date.UTC(2026, 0, 1),
    });

    const dead = await deadLetterOf(published.envelope.id);
    const header = (name: string) => dead.headers[name]?.toString();

    expect(header(DEAD_LETTER_HEADERS.consumerGroup)).toBe(paymentsConsumer.name);
    expect(header(DEAD_LETTER_HEADERS.reason)).toBe('non-retriable');
    expect(header(DEAD_LETTER_HEADERS.errorCode)).toBe('MESSAGING_SCHEMA');
    expect(header(DEAD_LETTER_HEADERS.errorClass)).toBe('SchemaError');
    expect(header(DEAD_LETTER_HEADERS.attempts)).toBe('1');
    expect(header(DEAD_LETTER_HEADERS.errorMessage)).toContain('(orderId)');
    expect(
      await service.dataSource.query('SELECT order_id FROM payments WHERE order_id = $1', [orderId]),
    ).toEqual([]);
    expect(await service.outboxOf(orderId)).toEqual([]);
    expect(await service.handledCount([published.envelope.id])).toBe(0);
    expect(
      await service.dataSource.query(
        'SELECT reserved_cents::int AS reserved FROM customer_accounts WHERE customer_id = $1',
        [customerId],
      ),
    ).toEqual([{ reserved: 0 }]);
  });

  /** The record payments dead-lettered for this message id, read from payments.dlt in the service's namespace. */
  async function deadLetterOf(messageId: string): Promise<ConsumedRecord> {
    const client = namespacedKafkaClient(
      createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'payments-dlt-reader' }),
      service.namespace,
    );
    const reader = client.consumer({ groupId: uniqueName('payments-dlt-reader') });
    await reader.connect();
    try {
      await reader.subscribe([deadLetterTopicName(paymentsConsumer.name)], { fromBeginning: true });
      let found: ConsumedRecord | undefined;
      await reader.run({
        eachRecord: async (record) => {
          if (record.headers['ce_id']?.toString() === messageId) found = record;
        },
      });
      return await waitFor(() => found, { description: `${messageId} on payments.dlt`, timeoutMs: 60_000 });
    } finally {
      await reader.disconnect();
    }
  }
});
