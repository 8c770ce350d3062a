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
 *
 * It carries a traceparent of a trace of its own, as a traced client's record would: each group's failed
 * `process` span (with the DecodeError as its exception) is then in that trace, and so are the dead-letter
 * records, which keep the original headers. The run's summary prints the trace id.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { authorizePaymentCommand, orderPlacedEvent } from '@orderstream/contracts';
import { HEADERS, type KafkaClient, type RecordMetadata } from '@orderstream/messaging';
import type { SagaMode } from '@orderstream/system';

export const POISON_SOURCE = '/orderstream/demo';
/** The group expected to dead-letter it, hence `<group>.dlt`. */
export const POISON_GROUP = 'payments';

export interface PoisonMessage {
  key: string;
  /** The trace id of its `traceparent`. */
  traceId: string;
  topic: string;
  metadata: RecordMetadata;
}

export async function producePoisonMessage(
  client: KafkaClient,
  sagaMode: SagaMode = 'choreography',
): Promise<PoisonMessage> {
  const contract = sagaMode === 'orchestration' ? authorizePaymentCommand : orderPlacedEvent;
  const key = `poison-${randomUUID()}`;
  const traceId = randomBytes(16).toString('hex');
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
          [HEADERS.traceparent]: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      },
    ]);
    if (!metadata) throw new Error('The broker acknowledged the poison message without metadata');
    return { key, traceId, topic: contract.topic, metadata };
  } finally {
    await producer.disconnect();
  }
}
