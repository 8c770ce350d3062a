/**
 * Events of the notifications bounded context (the notifications service), on `notifications.events`, keyed by order id.
 * Naming, money and reasons: see docs/contracts.md. A new event needs no release to be added; once released
 * (libs/contracts/released/README.md), it may only change BACKWARD compatibly.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.notifications.v1';

// ---------------------------------------------------------------------------------------------------------
// OrderRecorded

export const notificationsOrderRecordedSchema = {
  type: 'record',
  name: 'OrderRecorded',
  namespace: NAMESPACE,
  doc: 'The notifications service recorded a placed order (the example event of the service template: replace it).',
  fields: [
    { name: 'orderId', type: UUID_STRING, doc: 'The order id (a UUID); also the Kafka key.' },
    { name: 'customerId', type: 'string' },
    { name: 'itemCount', type: 'int', doc: 'Units ordered, over every line of the order.' },
  ],
} as const satisfies RecordSchema;

export interface NotificationsOrderRecorded {
  orderId: string;
  customerId: string;
  itemCount: number;
}

export const notificationsOrderRecordedEvent: EventContract<NotificationsOrderRecorded> = {
  type: 'orderstream.notifications.OrderRecorded',
  topic: Topics.notifications,
  schema: notificationsOrderRecordedSchema,
  key: (event) => event.orderId,
};

/** Every event of the notifications context, by record name. */
export const notificationsEvents = {
  OrderRecorded: notificationsOrderRecordedEvent,
} as const;
