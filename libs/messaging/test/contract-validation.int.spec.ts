/**
 * Contract-level validation against the real registry and broker: a payload that is valid Avro but breaks
 * a logical type its contract declares (an order id that is not a UUID) is never produced by our encoder,
 * and when another producer writes one anyway it is rejected at decode as a non-retriable `SchemaError`:
 * dead-lettered on its first attempt, the handler never called, no retry topic touched, the partition
 * moving on. The case: such an OrderPlaced was stored by payments and then retried by orders
 * through every retry topic (40 s) before its dead-letter topic.
 */
import { randomUUID } from 'node:crypto';
import { createTestTopic, testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import { Type, type Schema } from 'avsc';
import {
  AvroCodec,
  DEAD_LETTER_HEADERS,
  on,
  retryTopicNames,
  SchemaError,
  subscribe,
  type AvroRecordSchema,
  type EventDefinition,
  type RetryPolicy,
} from '../src';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';

/** A test event shaped like the contracts' OrderPlaced: its id declares the uuid logical type. */
const orderTakenSchema = {
  type: 'record',
  name: 'OrderTaken',
  namespace: 'orderstream.test',
  fields: [
    { name: 'orderId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'customerId', type: 'string' },
    { name: 'totalCents', type: 'long' },
  ],
} as const satisfies AvroRecordSchema;

interface OrderTaken {
  orderId: string;
  customerId: string;
  totalCents: number;
}

const POLICY: RetryPolicy = { immediate: { attempts: 3, backoffMs: 0 }, delaysMs: [1_000, 2_000] };

describe('contract validation at encode and decode', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let payloads: AvroCodec;

  beforeAll(async () => {
    kit = await openMessagingKit('contract-validation-test');
    payloads = new AvroCodec({ registryUrl: infra.schemaRegistryUrl });
  });
  afterAll(() => kit?.close());

  async function definition(): Promise<EventDefinition<OrderTaken>> {
    const topic = await createTestTopic(kit.admin, 'contract.orders', { partitions: 1 });
    return { type: 'orderstream.test.OrderTaken', topic, schema: orderTakenSchema, key: (e) => e.orderId };
  }

  const endOffset = async (topic: string): Promise<number> =>
    (await kit.admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);

  it('never encodes an order id that is not a UUID: publish fails with SchemaError and sends nothing', async () => {
    const taken = await definition();

    const failure = await kit.publisher
      .publish(taken, { orderId: 'order-1', customerId: 'customer-1', totalCents: 100 })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SchemaError);
    expect((failure as SchemaError).code).toBe('MESSAGING_SCHEMA');
    expect((failure as SchemaError).message).toContain('(invalid: orderId)');
    expect((failure as SchemaError).message).toContain('"order-1" is not a valid uuid');
    expect(await endOffset(taken.topic)).toBe(0);
  });

  it('dead-letters a valid-Avro event whose order id is not a UUID on its first attempt, without retries', async () => {
    const taken = await definition();
    const groupId = uniqueName('contract-group');
    const handled: string[] = [];
    const subscription = await subscribe({
      client: kit.client,
      groupId,
      routes: [on(taken, async (event) => void handled.push(event.data.orderId))],
      delivery: 'at-least-once',
      retry: POLICY,
      codec: kit.codec,
      producer: kit.producer,
      admin: kit.admin,
      runner: { consumer: { fetchMaxWaitMs: 100 } },
    });
    kit.subscriptions.push(subscription);

    // Raw, as a producer without our encoder would write it: the registered schema's id in the Confluent
    // framing, and a body written by plain avsc, which does not check the logical type.
    const schemaId = await payloads.register(orderTakenSchema);
    const body = Type.forSchema(orderTakenSchema as unknown as Schema).toBuffer({
      orderId: 'not-a-uuid',
      customerId: 'customer-1',
      totalCents: 100,
    });
    const framing = Buffer.alloc(5);
    framing.writeInt32BE(schemaId, 1);
    const valid = { orderId: randomUUID(), customerId: 'customer-1', totalCents: 200 };
    const poison = await kit.codec.encode(taken, valid, { source: '/orderstream/rogue' });
    await kit.producer.send(taken.topic, [{ ...poison, value: Buffer.concat([framing, body]) }]);
    // A valid event behind it: handled once the poison has left the partition.
    await kit.publisher.publish(taken, valid);

    await waitFor(() => handled.length === 1, { description: 'the valid event behind the poison' });
    const [dead] = await kit.readAll(subscription.deadLetterTopic, 1);
    const header = (name: string) => dead?.headers[name]?.toString();

    expect(handled).toEqual([valid.orderId]);
    expect(header(DEAD_LETTER_HEADERS.reason)).toBe('non-retriable');
    expect(header(DEAD_LETTER_HEADERS.errorCode)).toBe('MESSAGING_SCHEMA');
    expect(header(DEAD_LETTER_HEADERS.errorClass)).toBe('SchemaError');
    expect(header(DEAD_LETTER_HEADERS.attempts)).toBe('1');
    expect(header(DEAD_LETTER_HEADERS.errorMessage)).toContain('(orderId)');
    expect(header(DEAD_LETTER_HEADERS.errorMessage)).toContain('"not-a-uuid" is not a valid uuid');
    expect(header('ce_id')).toBe(poison.headers?.['ce_id']);
    expect(dead?.value).toEqual(Buffer.concat([framing, body]));
    for (const retryTopic of retryTopicNames(groupId, POLICY)) expect(await endOffset(retryTopic)).toBe(0);
  });
});
