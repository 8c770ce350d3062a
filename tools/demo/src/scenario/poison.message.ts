/**
 * The scenario's one poison message: a record on orders.events whose CloudEvents headers are fine and
 * announce an OrderPlaced, but whose value is not Avro at all (a client with a bug, a wrong serializer).
 * With the saga orchestrated, payments reads commands instead: the poison message is then an
 * AuthorizePayment on payments.commands, which payments alone reads and dead-letters the same way.
 *
 * It names OrderPlaced on purpose: of the groups reading orders.events, payments and order-history route
 * that type, so each decodes it, gets a non-retriable DecodeError and dead-letters it at once to its own
 * dead-letter topic (`payments.dlt`, `order-history.g<n>.dlt`); inventory and notifications skip it by its
 * ce_type without decoding. One poison message, a dead letter per group that wanted the type, and every
 * group's partitions keep moving. The summary follows payments' copy.
 */
import { randomUUID } from 'node:crypto';
import { authorizePaymentCommand, orderPlacedEvent } from '@orderstream/contracts';
import { HEADERS, type KafkaClient, type RecordMetadata } from '@orderstream/messaging';
import type { SagaMode } from '@orderstream/system';

export const POISON_SOURCE = '/orderstream/demo';
/** The group expected to dead-letter it, hence `<group>.dlt`. */
export const POISON_GROUP = 'payments';

export interface PoisonMessage {
  key: string;
  topic: string;
  metadata: RecordMetadata;
}

export async function producePoisonMessage(
  client: KafkaClient,
  sagaMode: SagaMode = 'choreography',
): Promise<PoisonMessage> {
  const contract = sagaMode === 'orchestration' ? authorizePaymentCommand : orderPlacedEvent;
  const key = `poison-${randomUUID()}`;
  const producer = client.producer();
  await producer.connect();
  try {
    const [metadata] = await producer.send(contract.topic, [
      {
        key,
        value: Buffer.from('{"orderId": "this is JSON, not Avro in the Confluent wire format"}', 'utf8'),
        headers: {
          [HEADERS.id]: randomUUID(),
          [HEADERS.type]: contract.type,
          [HEADERS.source]: POISON_SOURCE,
          [HEADERS.subject]: key,
          [HEADERS.time]: new Date().toISOString(),
          [HEADERS.specversion]: '1.0',
          [HEADERS.contentType]: 'application/avro',
        },
      },
    ]);
    if (!metadata) throw new Error('The broker acknowledged the poison message without metadata');
    return { key, topic: contract.topic, metadata };
  } finally {
    await producer.disconnect();
  }
}
