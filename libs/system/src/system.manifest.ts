/**
 * The system: each service, what it owns and what it talks to. Adding a service starts here (the service
 * generator adds its entry); docs/new-service.md says what follows from it.
 *
 * The saga topics have three partitions: enough for per-key parallelism on two cores and for the crash tests
 * to move partitions between members; a deployment with more consumers per group declares more.
 */
import {
  Topics,
  orderCancelledEvent,
  orderConfirmedEvent,
  orderPlacedEvent,
  orderRejectedEvent,
  paymentAuthorizedEvent,
  paymentDeclinedEvent,
  paymentRefundedEvent,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
} from '@orderstream/contracts';
import { defineSystem, eventStream, type AnyEvent } from './manifest';

const events = (...contracts: unknown[]): readonly AnyEvent[] => contracts as AnyEvent[];

export const SYSTEM = defineSystem({
  services: [
    {
      name: 'orders',
      description: 'Takes orders over HTTP and runs the order saga: confirms, rejects or cancels each order.',
      port: 3001,
      database: 'orders',
      outbox: true,
      topics: [
        eventStream(Topics.orders, {
          partitions: 3,
          description: 'Order lifecycle events (placed, confirmed, rejected, cancelled), keyed by order id.',
        }),
      ],
      publishes: events(orderPlacedEvent, orderConfirmedEvent, orderRejectedEvent, orderCancelledEvent),
      consumerGroups: [
        { name: 'orders', consumes: events(stockReservedEvent, stockRejectedEvent, paymentDeclinedEvent) },
      ],
      image: 'orderstream-orders',
    },
    {
      name: 'payments',
      description: "Customer credit: authorizes, declines and refunds each order's payment.",
      port: 3002,
      database: 'payments',
      outbox: true,
      topics: [
        eventStream(Topics.payments, {
          partitions: 3,
          description: 'Payment events (authorized, declined, refunded), keyed by order id.',
        }),
      ],
      publishes: events(paymentAuthorizedEvent, paymentDeclinedEvent, paymentRefundedEvent),
      consumerGroups: [
        { name: 'payments', consumes: events(orderPlacedEvent, orderCancelledEvent, stockRejectedEvent) },
      ],
      image: 'orderstream-payments',
    },
    {
      name: 'inventory',
      description: 'Stock per SKU: reserves, rejects and releases the stock of each order.',
      port: 3003,
      database: 'inventory',
      outbox: true,
      topics: [
        eventStream(Topics.inventory, {
          partitions: 3,
          description: 'Stock events (reserved, rejected, released), keyed by order id.',
        }),
      ],
      publishes: events(stockReservedEvent, stockRejectedEvent, stockReleasedEvent),
      consumerGroups: [{ name: 'inventory', consumes: events(paymentAuthorizedEvent, orderCancelledEvent) }],
      image: 'orderstream-inventory',
    },
    {
      name: 'outbox-relay',
      description: "Publishes every service's outbox rows to Kafka, in order, with one leader per outbox.",
      port: 3004,
      outbox: false,
      relaysOutboxes: true,
      topics: [],
      publishes: [],
      consumerGroups: [],
      image: 'orderstream-outbox-relay',
    },
  ],
});
