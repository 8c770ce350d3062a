/**
 * Events of the inventory bounded context, on `inventory.events`, keyed by order id: a reservation exists
 * for exactly one order, and keying by order keeps a reservation and its release in order on the topic.
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

/** Every event of the inventory context, by record name. */
export const inventoryEvents = {
  StockReserved: stockReservedEvent,
  StockRejected: stockRejectedEvent,
  StockReleased: stockReleasedEvent,
} as const;
