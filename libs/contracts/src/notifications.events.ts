/**
 * Events of the notifications bounded context (the notifications service), on `notifications.events`, keyed
 * by order id. Naming, money and reasons: see docs/contracts.md. A new event needs no release to be added;
 * once released (libs/contracts/released/README.md), it may only change BACKWARD compatibly.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.notifications.v1';

/** The order states a customer is told about: orders' terminal ones. */
export const NOTIFIED_ORDER_STATES = ['CONFIRMED', 'REJECTED', 'CANCELLED'] as const;
export type NotifiedOrderState = (typeof NOTIFIED_ORDER_STATES)[number];

// ---------------------------------------------------------------------------------------------------------
// NotificationSent

export const notificationSentSchema = {
  type: 'record',
  name: 'NotificationSent',
  namespace: NAMESPACE,
  doc: 'The customer was told how their order ended: once per order and terminal state.',
  fields: [
    { name: 'notificationId', type: UUID_STRING },
    { name: 'orderId', type: UUID_STRING, doc: 'The order id (a UUID); also the Kafka key.' },
    { name: 'customerId', type: 'string' },
    {
      name: 'orderState',
      type: { type: 'enum', name: 'NotifiedOrderState', symbols: [...NOTIFIED_ORDER_STATES] },
    },
    { name: 'reason', type: ['null', 'string'], default: null, doc: 'Why it was rejected or cancelled.' },
    { name: 'channel', type: 'string', doc: 'How the customer was told, e.g. `email`.' },
    { name: 'totalCents', type: 'long', doc: 'The order total, in minor units of `currency`.' },
    { name: 'currency', type: 'string', doc: 'ISO 4217 alphabetic code, e.g. EUR.' },
    { name: 'message', type: 'string', doc: 'The text sent.' },
    {
      name: 'sentAt',
      type: { type: 'long', logicalType: 'timestamp-millis' },
      doc: 'When it was sent, in milliseconds since the Unix epoch (UTC).',
    },
  ],
} as const satisfies RecordSchema;

export interface NotificationSent {
  notificationId: string;
  orderId: string;
  customerId: string;
  orderState: NotifiedOrderState;
  reason: string | null;
  channel: string;
  totalCents: number;
  currency: string;
  message: string;
  sentAt: number;
}

export const notificationSentEvent: EventContract<NotificationSent> = {
  type: 'orderstream.notifications.NotificationSent',
  topic: Topics.notifications,
  schema: notificationSentSchema,
  key: (event) => event.orderId,
};

/** Every event of the notifications context, by record name. */
export const notificationsEvents = {
  NotificationSent: notificationSentEvent,
} as const;
