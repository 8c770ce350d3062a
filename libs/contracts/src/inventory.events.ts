/**
 * Events of the inventory bounded context. On `inventory.events`, keyed by order id: a reservation exists
 * for exactly one order, and keying by order keeps a reservation and its release in order on the topic.
 * On the compacted `inventory.stock-levels`, keyed by SKU: each SKU's latest stock level.
 * Naming: see docs/contracts.md.
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.inventory.v1';

/**
 * The `StockLine` record. Each schema is registered on its own and must be self-contained, so the nested
 * record is written into both schemas that use it; it is one constant here so the two cannot drift.
 */
const stockLineRecord = {
  type: 'record',
  name: 'StockLine',
  doc: 'Units of one SKU.',
  fields: [
    { name: 'sku', type: 'string' },
    { name: 'quantity', type: 'int' },
  ],
} as const satisfies RecordSchema;

export interface StockLine {
  sku: string;
  quantity: number;
}

// ---------------------------------------------------------------------------------------------------------
// StockReserved

export const stockReservedSchema = {
  type: 'record',
  name: 'StockReserved',
  namespace: NAMESPACE,
  doc: 'Every line of the order was reserved, atomically.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'lines', type: { type: 'array', items: stockLineRecord } },
  ],
} as const satisfies RecordSchema;

export interface StockReserved {
  orderId: string;
  lines: StockLine[];
}

export const stockReservedEvent: EventContract<StockReserved> = {
  type: 'orderstream.inventory.StockReserved',
  topic: Topics.inventory,
  schema: stockReservedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// StockRejected

export const stockRejectedSchema = {
  type: 'record',
  name: 'StockRejected',
  namespace: NAMESPACE,
  doc: 'The order could not be reserved: nothing was reserved for it (reservation is all or nothing).',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'sku', type: 'string', doc: 'The first SKU found short.' },
    { name: 'requested', type: 'int', doc: 'Units of `sku` the order asked for.' },
    { name: 'available', type: 'int', doc: 'Units of `sku` that were available, less than `requested`.' },
  ],
} as const satisfies RecordSchema;

export interface StockRejected {
  orderId: string;
  sku: string;
  requested: number;
  available: number;
}

export const stockRejectedEvent: EventContract<StockRejected> = {
  type: 'orderstream.inventory.StockRejected',
  topic: Topics.inventory,
  schema: stockRejectedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// StockReleased

export const stockReleasedSchema = {
  type: 'record',
  name: 'StockReleased',
  namespace: NAMESPACE,
  doc: "The order's reservation was given back to stock (the saga's compensation).",
  fields: [
    { name: 'orderId', type: UUID_STRING },
    { name: 'lines', type: { type: 'array', items: stockLineRecord } },
  ],
} as const satisfies RecordSchema;

export interface StockReleased {
  orderId: string;
  lines: StockLine[];
}

export const stockReleasedEvent: EventContract<StockReleased> = {
  type: 'orderstream.inventory.StockReleased',
  topic: Topics.inventory,
  schema: stockReleasedSchema,
  key: (event) => event.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// Stock levels: event-carried state on the compacted `inventory.stock-levels`, keyed by SKU. Each record is
// a SKU's whole current level, not a change to it, so the latest record per key is all a reader needs and
// the broker may compact the rest away; a reader that starts from the beginning rebuilds every SKU's level.

export const stockLevelChangedSchema = {
  type: 'record',
  name: 'StockLevelChanged',
  namespace: NAMESPACE,
  doc: "A SKU's stock level after a change (a reservation, a release, a restock): its whole state, not a delta.",
  fields: [
    { name: 'sku', type: 'string' },
    { name: 'available', type: 'int', doc: 'Units that can be reserved now.' },
    { name: 'reserved', type: 'int', doc: 'Units held for orders that have not ended.' },
    {
      name: 'version',
      type: 'long',
      doc: "Increases with every change of the SKU's row: a reader keeps the highest it has seen.",
    },
  ],
} as const satisfies RecordSchema;

export interface StockLevelChanged {
  sku: string;
  available: number;
  reserved: number;
  version: number;
}

export const stockLevelChangedEvent: EventContract<StockLevelChanged> = {
  type: 'orderstream.inventory.StockLevelChanged',
  topic: Topics.stockLevels,
  schema: stockLevelChangedSchema,
  key: (event) => event.sku,
};

export const stockLevelWithdrawnSchema = {
  type: 'record',
  name: 'StockLevelWithdrawn',
  namespace: NAMESPACE,
  doc: 'The SKU was withdrawn from sale: a tombstone (null value) that compaction turns into "no such key".',
  fields: [{ name: 'sku', type: 'string' }],
} as const satisfies RecordSchema;

export interface StockLevelWithdrawn {
  sku: string;
}

export const stockLevelWithdrawnEvent: EventContract<StockLevelWithdrawn> = {
  type: 'orderstream.inventory.StockLevelWithdrawn',
  topic: Topics.stockLevels,
  schema: stockLevelWithdrawnSchema,
  key: (event) => event.sku,
  tombstone: true,
};

/** Every event of the inventory context, by record name. */
export const inventoryEvents = {
  StockReserved: stockReservedEvent,
  StockRejected: stockRejectedEvent,
  StockReleased: stockReleasedEvent,
  StockLevelChanged: stockLevelChangedEvent,
  StockLevelWithdrawn: stockLevelWithdrawnEvent,
} as const;
