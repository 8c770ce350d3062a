/**
 * Commands to the inventory context, on `inventory.commands`, keyed by order id, sent by the orchestrated
 * saga only (see payments.commands.ts for how replies are correlated).
 */
import { UUID_STRING, type EventContract, type RecordSchema } from './event-contract';
import { Topics } from './topics';

const NAMESPACE = 'orderstream.inventory.v1';

// ---------------------------------------------------------------------------------------------------------
// ReserveStock

export const reserveStockSchema = {
  type: 'record',
  name: 'ReserveStock',
  namespace: NAMESPACE,
  doc:
    'Reserve every line of the order, all or nothing. The same decision as on PaymentAuthorized in the ' +
    'choreography; the reply is StockReserved or StockRejected.',
  fields: [
    { name: 'orderId', type: UUID_STRING },
    {
      name: 'items',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'ItemToReserve',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'quantity', type: 'int' },
          ],
        },
      },
    },
  ],
} as const satisfies RecordSchema;

export interface ReserveStock {
  orderId: string;
  items: { sku: string; quantity: number }[];
}

export const reserveStockCommand: EventContract<ReserveStock> = {
  type: 'orderstream.inventory.ReserveStock',
  topic: Topics.inventoryCommands,
  schema: reserveStockSchema,
  key: (command) => command.orderId,
};

// ---------------------------------------------------------------------------------------------------------
// ReleaseStock

export const releaseStockSchema = {
  type: 'record',
  name: 'ReleaseStock',
  namespace: NAMESPACE,
  doc:
    "Give back what inventory holds for the order (the saga's compensation, or a customer's cancellation). " +
    'The reply is StockReleased, with no lines when nothing was held; an order not reserved yet is marked ' +
    'so that a later ReserveStock reserves nothing.',
  fields: [{ name: 'orderId', type: UUID_STRING }],
} as const satisfies RecordSchema;

export interface ReleaseStock {
  orderId: string;
}

export const releaseStockCommand: EventContract<ReleaseStock> = {
  type: 'orderstream.inventory.ReleaseStock',
  topic: Topics.inventoryCommands,
  schema: releaseStockSchema,
  key: (command) => command.orderId,
};

/** Every command to the inventory context, by record name. */
export const inventoryCommands = {
  ReserveStock: reserveStockCommand,
  ReleaseStock: releaseStockCommand,
} as const;
