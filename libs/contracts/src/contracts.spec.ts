/**
 * The naming rules every contract follows, and proof that each schema is valid Avro and agrees with its
 * TypeScript type (a typed sample of every event round-trips through its schema unchanged). The
 * registry-backed compatibility check against the last release is compatibility.int.spec.ts.
 */
import { Type, type Schema } from 'avsc';
import {
  allCommands,
  allEvents,
  inventoryCommands,
  paymentsCommands,
  eventsByContext,
  fullNameOf,
  ORDER_CANCELLATION_REASONS,
  ORDER_REJECTION_REASONS,
  PAYMENT_DECLINE_REASONS,
  PAYMENT_REFUND_REASONS,
  Topics,
  type BoundedContext,
  type ContractData,
  type EventContract,
  type RecordSchema,
} from './index';
import { latestRelease, readRelease, releasedVersions } from './test/released-schemas';

type Events = typeof eventsByContext;
/** One sample payload per event, typed by the event's TypeScript type: a missing event fails to compile. */
type Samples = { [C in BoundedContext]: { [E in keyof Events[C]]: ContractData<Events[C][E]> } };

const ORDER = '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e7f';
const SAMPLES: Samples = {
  orders: {
    OrderPlaced: {
      orderId: ORDER,
      customerId: 'customer-1',
      lines: [
        { sku: 'SKU-RED', quantity: 2, unitPriceCents: 1250 },
        { sku: 'SKU-BLUE', quantity: 1, unitPriceCents: 9_007_199_254 },
      ],
      totalCents: 9_007_201_754,
      currency: 'EUR',
      placedAt: Date.UTC(2026, 10, 27, 6, 30, 0, 123),
    },
    OrderConfirmed: { orderId: ORDER, customerId: 'customer-1' },
    OrderRejected: { orderId: ORDER, customerId: 'customer-1', reason: 'insufficient-credit' },
    OrderCancelled: { orderId: ORDER, customerId: 'customer-1', reason: 'out-of-stock' },
  },
  payments: {
    PaymentAuthorized: {
      orderId: ORDER,
      customerId: 'customer-1',
      amountCents: 2500,
      currency: 'EUR',
      items: [{ sku: 'SKU-RED', quantity: 2 }],
    },
    PaymentDeclined: { orderId: ORDER, customerId: 'customer-2', reason: 'unknown-customer' },
    PaymentRefunded: {
      orderId: ORDER,
      customerId: 'customer-1',
      amountCents: 2500,
      currency: 'EUR',
      reason: 'order-cancelled',
    },
  },
  inventory: {
    StockReserved: { orderId: ORDER, lines: [{ sku: 'SKU-RED', quantity: 2 }] },
    StockRejected: { orderId: ORDER, sku: 'SKU-BLUE', requested: 3, available: 1 },
    StockReleased: { orderId: ORDER, lines: [{ sku: 'SKU-RED', quantity: 2 }] },
    StockLevelChanged: { sku: 'SKU-RED', available: 998, reserved: 2, version: 9_007_199_254 },
    StockLevelWithdrawn: { sku: 'SKU-RED' },
  },
  notifications: {
    NotificationSent: {
      notificationId: '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e71',
      orderId: ORDER,
      customerId: 'customer-1',
      orderState: 'CONFIRMED',
      reason: null,
      channel: 'email',
      totalCents: 4_500,
      currency: 'EUR',
      message: 'Your order is confirmed.',
      sentAt: 1_764_000_000_000,
    },
  },
  salesAnalytics: {
    SkuSalesChanged: {
      sku: 'SKU-RED-MUG',
      units: 7,
      revenueCents: 8_400,
      currency: 'EUR',
      orders: 3,
      updatedAt: 1_764_000_000_000,
    },
    SkuMinuteSalesChanged: {
      sku: 'SKU-RED-MUG',
      windowStart: 1_763_999_940_000,
      units: 2,
      revenueCents: 2_400,
      currency: 'EUR',
    },
  },
};

const CONTEXTS = Object.keys(eventsByContext) as BoundedContext[];

/** Topics a context owns beside its event stream (`Topics[context]`): inventory's compacted stock levels. */
const MORE_TOPICS: Partial<Record<BoundedContext, readonly string[]>> = { inventory: [Topics.stockLevels] };
const topicsOf = (context: BoundedContext): string[] => [Topics[context], ...(MORE_TOPICS[context] ?? [])];

/** [context, record name, contract, sample] for every event, for `it.each`. */
const CASES = CONTEXTS.flatMap((context) =>
  Object.entries(eventsByContext[context]).map(
    ([name, contract]) =>
      [
        context,
        name,
        contract as EventContract<unknown>,
        (SAMPLES[context] as Record<string, unknown>)[name],
      ] as const,
  ),
);

function avroType(schema: RecordSchema): Type {
  return Type.forSchema(schema as unknown as Schema);
}

describe('event contracts', () => {
  it('lists every event of every context exactly once in allEvents', () => {
    expect(allEvents).toEqual(CASES.map(([, , contract]) => contract));
    expect(allEvents).toHaveLength(15);
    expect(new Set(allEvents.map((c) => c.type)).size).toBe(allEvents.length);
    expect(new Set(allEvents.map((c) => fullNameOf(c.schema))).size).toBe(allEvents.length);
  });

  it.each(CASES)('%s %s follows the naming rules', (context, name, contract) => {
    expect(contract.schema.name).toBe(name);
    expect(contract.schema.namespace).toBe(`orderstream.${context}.v1`);
    expect(contract.type).toBe(`orderstream.${context}.${name}`);
    expect(topicsOf(context)).toContain(contract.topic);
    expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  it.each(CASES)(
    '%s %s is valid Avro and round-trips its typed sample',
    (_context, _name, contract, sample) => {
      const type = avroType(contract.schema);
      expect(type.name).toBe(fullNameOf(contract.schema));
      // Exact equality also proves timestamps stay plain numbers (epoch ms): without a registered logical
      // type implementation avsc reads `timestamp-millis` as its underlying long.
      expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
    },
  );

  // The saga's events are keyed by order id, so each order's events stay in order on a topic.
  // The stock levels and the SKU sales are keyed by SKU (below).
  const SAGA_CASES = CASES.filter(
    ([, , contract]) => contract.topic !== Topics.stockLevels && contract.topic !== Topics.salesAnalytics,
  );
  // Stock levels are keyed by SKU: compaction keeps the latest record of each key, a SKU's current level.
  const STOCK_LEVEL_CASES = CASES.filter(([, , contract]) => contract.topic === Topics.stockLevels);

  it('keys the SKU sales events by SKU (and minute), on the compacted analytics.sku-sales', () => {
    const { SkuSalesChanged, SkuMinuteSalesChanged } = eventsByContext.salesAnalytics;
    expect([SkuSalesChanged.topic, SkuMinuteSalesChanged.topic]).toEqual([
      Topics.salesAnalytics,
      Topics.salesAnalytics,
    ]);
    expect(SkuSalesChanged.key(SAMPLES.salesAnalytics.SkuSalesChanged)).toBe('SKU-RED-MUG');
    expect(SkuMinuteSalesChanged.key(SAMPLES.salesAnalytics.SkuMinuteSalesChanged)).toBe(
      'SKU-RED-MUG@2025-11-24T15:59:00.000Z',
    );
  });

  it('puts exactly the stock level events on inventory.stock-levels', () => {
    expect(STOCK_LEVEL_CASES.map(([, name]) => name)).toEqual(['StockLevelChanged', 'StockLevelWithdrawn']);
  });

  it.each(SAGA_CASES)('%s %s is keyed by order id', (_context, _name, contract, sample) => {
    expect(contract.key(sample)).toBe(ORDER);
  });

  it.each(STOCK_LEVEL_CASES)('%s %s is keyed by SKU', (_context, _name, contract, sample) => {
    expect(contract.key(sample)).toBe('SKU-RED');
  });

  it('makes only StockLevelWithdrawn a tombstone, whose schema is its key alone', () => {
    expect(allEvents.filter((c) => c.tombstone).map((c) => c.type)).toEqual([
      'orderstream.inventory.StockLevelWithdrawn',
    ]);
    expect(eventsByContext.inventory.StockLevelWithdrawn.schema.fields).toEqual([
      { name: 'sku', type: 'string' },
    ]);
  });

  it.each(SAGA_CASES)(
    '%s %s declares its orderId a uuid, which the sample is',
    (_context, _name, contract, sample) => {
      const orderId = contract.schema.fields.find((field) => field.name === 'orderId');
      expect(orderId?.type).toEqual({ type: 'string', logicalType: 'uuid' });
      expect((sample as { orderId: string }).orderId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      );
    },
  );

  it('documents every known reason value in the schema of the field that carries it', () => {
    const reasonDoc = (contract: EventContract<unknown>) =>
      contract.schema.fields.find((field) => field.name === 'reason')?.doc ?? '';
    const documented: [EventContract<unknown>, readonly string[]][] = [
      [eventsByContext.orders.OrderCancelled, ORDER_CANCELLATION_REASONS],
      [eventsByContext.orders.OrderRejected, ORDER_REJECTION_REASONS],
      [eventsByContext.payments.PaymentDeclined, PAYMENT_DECLINE_REASONS],
      [eventsByContext.payments.PaymentRefunded, PAYMENT_REFUND_REASONS],
    ];
    for (const [contract, reasons] of documented) {
      expect(reasonDoc(contract)).toContain(`One of: ${reasons.join(', ')}.`);
    }
  });
});

describe('released schema snapshots', () => {
  it('are named after their record and are valid Avro', () => {
    const versions = releasedVersions();
    expect(versions[0]).toBe('1.0.0');
    for (const version of versions) {
      for (const [name, schema] of readRelease(version).schemas) {
        expect(avroType(schema).name).toBe(name);
      }
    }
  });

  // A quick local pre-check with avsc's schema resolution; the registry's verdict is the integration test.
  it('can all be read by the current schemas: no released event removed, every change resolvable', () => {
    const release = latestRelease();
    const current = new Map(allEvents.map((contract) => [fullNameOf(contract.schema), contract.schema]));
    for (const [name, released] of release.schemas) {
      const reader = current.get(name);
      expect({ name, present: reader !== undefined }).toEqual({ name, present: true });
      if (reader) expect(() => avroType(reader).createResolver(avroType(released))).not.toThrow();
    }
  });
});

describe('command contracts (the orchestrated saga)', () => {
  const ORDER_ID = '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e7f';
  const COMMAND_SAMPLES: [EventContract<unknown>, unknown][] = [
    [
      paymentsCommands.AuthorizePayment,
      {
        orderId: ORDER_ID,
        customerId: 'customer-1',
        amountCents: 2_500,
        currency: 'EUR',
        items: [{ sku: 'SKU-RED', quantity: 2 }],
      },
    ],
    [
      paymentsCommands.RefundPayment,
      { orderId: ORDER_ID, customerId: 'customer-1', currency: 'EUR', reason: 'out-of-stock' },
    ],
    [inventoryCommands.ReserveStock, { orderId: ORDER_ID, items: [{ sku: 'SKU-RED', quantity: 2 }] }],
    [inventoryCommands.ReleaseStock, { orderId: ORDER_ID }],
  ];

  it('lists every command once, each on its receiver’s command topic, named like an event', () => {
    expect(allCommands).toEqual(COMMAND_SAMPLES.map(([contract]) => contract));
    for (const command of allCommands) {
      const context = command.type.split('.')[1];
      expect(command.type).toBe(`orderstream.${context}.${command.schema.name}`);
      expect(command.topic).toBe(`${context}.commands`);
      expect(command.schema.namespace).toBe(`orderstream.${context}.v1`);
    }
    expect(new Set([...allEvents, ...allCommands].map((c) => fullNameOf(c.schema))).size).toBe(
      allEvents.length + allCommands.length,
    );
  });

  it.each(COMMAND_SAMPLES.map(([contract, sample]) => [contract.type, contract, sample] as const))(
    '%s round-trips a typed sample through its Avro schema, keyed by order id',
    (_type, contract, sample) => {
      const type = avroType(contract.schema);
      expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
      expect(contract.key(sample)).toBe(ORDER_ID);
    },
  );
});
