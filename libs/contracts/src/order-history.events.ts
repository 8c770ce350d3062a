/**
 * Events of the orderHistory bounded context (the order-history service), on `order-history.events`, keyed by order id.
 * Naming, money and reasons: see docs/contracts.md. A new event needs no release to be added; once released
 * (libs/contracts/released/README.md), it may only change BACKWARD compatibly.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.orderHistory.v1';

// ---------------------------------------------------------------------------------------------------------
// OrderRecorded

export const orderHistoryOrderRecordedSchema = {
  type: 'record',
  name: 'OrderRecorded',
  namespace: NAMESPACE,
  doc: 'The order-history service recorded a placed order (the example event of the service template: replace it).',
  fields: [
    { name: 'orderId', type: UUID_STRING, doc: 'The order id (a UUID); also the Kafka key.' },
    { name: 'customerId', type: 'string' },
    { name: 'itemCount', type: 'int', doc: 'Units ordered, over every line of the order.' },
  ],
} as const satisfies RecordSchema;

export interface OrderHistoryOrderRecorded {
  orderId: string;
  customerId: string;
  itemCount: number;
}

export const orderHistoryOrderRecordedEvent: EventContract<OrderHistoryOrderRecorded> = {
  type: 'orderstream.orderHistory.OrderRecorded',
  topic: Topics.orderHistory,
  schema: orderHistoryOrderRecordedSchema,
  key: (event) => event.orderId,
};

/** Every event of the orderHistory context, by record name. */
export const orderHistoryEvents = {
  OrderRecorded: orderHistoryOrderRecordedEvent,
} as const;
