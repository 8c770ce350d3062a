/**
 * The system: each service, what it owns and what it talks to. Adding a service starts here (the service
 * generator adds its entry); docs/new-service.md says what follows from it.
 *
 * payments' and inventory's topics have three partitions: enough for per-key parallelism on two cores and for
 * the crash tests to move partitions between members; orders.events has six, for the notifications work
 * queue's instances (see its entry). A deployment with more consumers per group declares more. Event names
 * are the contracts' CloudEvents types (libs/contracts checks each one).
 */
import { commandTopic, compactedTopic, defineSystem, eventStream } from './manifest';

export const SYSTEM = defineSystem({
  services: [
    {
      name: 'orders',
      description: 'Takes orders over HTTP and runs the order saga: confirms, rejects or cancels each order.',
      port: 3001,
      database: 'orders',
      outbox: true,
      topics: [
        eventStream('orders.events', {
          // Six: four groups read it, and notifications runs as several instances of one group (a work
          // queue), each owning some partitions; more partitions than the instances of any group.
          partitions: 6,
          events: [
            'orderstream.orders.OrderPlaced',
            'orderstream.orders.OrderConfirmed',
            'orderstream.orders.OrderRejected',
            'orderstream.orders.OrderCancelled',
          ],
          description: 'Order lifecycle events, keyed by order id.',
        }),
      ],
      consumerGroups: [
        {
          name: 'orders',
          consumes: [
            'orderstream.inventory.StockReserved',
            'orderstream.inventory.StockRejected',
            'orderstream.payments.PaymentDeclined',
          ],
          // The orchestrator hears every reply to its commands, the compensations' included.
          whenOrchestrated: [
            'orderstream.payments.PaymentAuthorized',
            'orderstream.payments.PaymentDeclined',
            'orderstream.payments.PaymentRefunded',
            'orderstream.inventory.StockReserved',
            'orderstream.inventory.StockRejected',
            'orderstream.inventory.StockReleased',
          ],
        },
        {
          // A local replica of inventory's stock levels (event-carried state): read from the beginning on
          // first start, from its own committed offsets afterwards; orders refuses an order for a SKU it
          // knows to be unknown, withdrawn or out of stock before any saga starts.
          name: 'orders-stock-replica',
          consumes: ['orderstream.inventory.StockLevelChanged', 'orderstream.inventory.StockLevelWithdrawn'],
        },
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
        eventStream('payments.events', {
          partitions: 3,
          events: [
            'orderstream.payments.PaymentAuthorized',
            'orderstream.payments.PaymentDeclined',
            'orderstream.payments.PaymentRefunded',
          ],
          description: 'Payment events, keyed by order id.',
        }),
        commandTopic('payments.commands', {
          partitions: 3,
          commands: ['orderstream.payments.AuthorizePayment', 'orderstream.payments.RefundPayment'],
          sentBy: ['orders'],
          description:
            "The orchestrated saga's commands to payments, keyed by order id; answered on payments.events.",
        }),
      ],
      consumerGroups: [
        {
          name: 'payments',
          consumes: [
            'orderstream.orders.OrderPlaced',
            'orderstream.orders.OrderCancelled',
            'orderstream.inventory.StockRejected',
          ],
          whenOrchestrated: ['orderstream.payments.AuthorizePayment', 'orderstream.payments.RefundPayment'],
        },
      ],
      image: 'orderstream-payments',
    },
    {
      name: 'inventory',
      description:
        "Stock per SKU: reserves, rejects and releases the stock of each order, and publishes each SKU's level.",
      port: 3003,
      database: 'inventory',
      outbox: true,
      topics: [
        eventStream('inventory.events', {
          partitions: 3,
          events: [
            'orderstream.inventory.StockReserved',
            'orderstream.inventory.StockRejected',
            'orderstream.inventory.StockReleased',
          ],
          description: 'Stock events, keyed by order id.',
        }),
        compactedTopic('inventory.stock-levels', {
          partitions: 3,
          events: ['orderstream.inventory.StockLevelChanged', 'orderstream.inventory.StockLevelWithdrawn'],
          description:
            "Each SKU's current stock level (available, reserved, version), keyed by SKU; a tombstone when a SKU is withdrawn.",
        }),
        commandTopic('inventory.commands', {
          partitions: 3,
          commands: ['orderstream.inventory.ReserveStock', 'orderstream.inventory.ReleaseStock'],
          sentBy: ['orders'],
          description:
            "The orchestrated saga's commands to inventory, keyed by order id; answered on inventory.events.",
        }),
      ],
      consumerGroups: [
        {
          name: 'inventory',
          consumes: ['orderstream.payments.PaymentAuthorized', 'orderstream.orders.OrderCancelled'],
          whenOrchestrated: ['orderstream.inventory.ReserveStock', 'orderstream.inventory.ReleaseStock'],
        },
      ],
      image: 'orderstream-inventory',
    },
    {
      name: 'outbox-relay',
      description: "Publishes every service's outbox rows to Kafka, in order, with one leader per outbox.",
      port: 3004,
      outbox: false,
      relaysOutboxes: true,
      topics: [],
      consumerGroups: [],
      image: 'orderstream-outbox-relay',
    },
    {
      name: 'order-history',
      description:
        "The CQRS read model: an order view per order with its timeline and a summary per customer, built from the saga's events and rebuilt by replay.",
      port: 3005,
      database: 'order_history',
      // A read model publishes nothing: its state is derived, and rebuilt from the topics it reads.
      outbox: false,
      topics: [],
      consumerGroups: [
        {
          // Each generation of the projection consumes as `order-history.g<n>`: a rebuild is a fresh group
          // reading from the start while the served generation's group keeps up (docs/patterns.md).
          name: 'order-history',
          consumes: [
            'orderstream.orders.OrderPlaced',
            'orderstream.orders.OrderConfirmed',
            'orderstream.orders.OrderRejected',
            'orderstream.orders.OrderCancelled',
            'orderstream.payments.PaymentAuthorized',
            'orderstream.payments.PaymentDeclined',
            'orderstream.payments.PaymentRefunded',
            'orderstream.inventory.StockReserved',
            'orderstream.inventory.StockRejected',
            'orderstream.inventory.StockReleased',
          ],
        },
      ],
      image: 'orderstream-order-history',
    },
    {
      name: 'notifications',
      description:
        "Tells customers how their order ended: reacts to orders' thin terminal events, calls orders back for the details, one notification per order and state; runs as several instances of one group (a work queue).",
      port: 3006,
      database: 'notifications',
      outbox: true,
      calls: ['orders'],
      topics: [
        eventStream('notifications.events', {
          partitions: 3,
          events: ['orderstream.notifications.NotificationSent'],
          description: 'Notifications sent, keyed by order id.',
        }),
      ],
      consumerGroups: [
        {
          name: 'notifications',
          // Thin events: ids and a status; the details come from GET /orders/{id} (a callback).
          consumes: [
            'orderstream.orders.OrderConfirmed',
            'orderstream.orders.OrderRejected',
            'orderstream.orders.OrderCancelled',
          ],
        },
      ],
      image: 'orderstream-notifications',
    },
    {
      name: 'sales-analytics',
      description:
        "An exactly-once stream processor: each SKU's confirmed units and revenue, in total and per minute, from orders.events to the compacted analytics.sku-sales topic, in Kafka transactions.",
      port: 3007,
      // No database and no outbox: its state lives in changelog topics, and it publishes in Kafka
      // transactions together with its input offsets (docs/exactly-once.md).
      outbox: false,
      publishesInTransactions: true,
      topics: [
        compactedTopic('analytics.sku-sales', {
          partitions: 3,
          events: [
            'orderstream.salesAnalytics.SkuSalesChanged',
            'orderstream.salesAnalytics.SkuMinuteSalesChanged',
          ],
          description:
            "Each SKU's confirmed sales (keyed by SKU) and each SKU-minute's (keyed by <sku>@<minute>), as whole figures; read it read_committed.",
        }),
      ],
      consumerGroups: [
        {
          // Its tasks' internal topics (a repartition topic by SKU and the stores' changelogs) are the
          // processor's own, prefixed with the group id; they are not declared here.
          name: 'sales-analytics',
          consumes: [
            'orderstream.orders.OrderPlaced',
            'orderstream.orders.OrderConfirmed',
            'orderstream.orders.OrderRejected',
            'orderstream.orders.OrderCancelled',
          ],
        },
      ],
      image: 'orderstream-sales-analytics',
    },
    {
      name: 'ops',
      description:
        "The operator's service: the failed-message console and an authenticated, audited admin API to list, show, redrive and purge dead-lettered messages, with each consumer group's lag and oldest-message age.",
      port: 3008,
      adminPort: 3108,
      // Its own records only: the audit trail and the redrive jobs. It reads dead-letter topics and writes
      // to a failing group's retry topic, which the group owns; it publishes no events of its own.
      database: 'ops',
      outbox: false,
      topics: [],
      consumerGroups: [],
      image: 'orderstream-ops',
    },
  ],
});
