/**
 * Reading the saga's records as a test needs them: header values, the event name, the key, and the events
 * each settled order must have caused on each topic (docs/saga.md, "The flow").
 */
import type { ConsumedRecord } from '@orderstream/messaging';
import type { SagaMode } from '@orderstream/system';
import type { OrderView, SagaTopic } from './saga-system';

/** The CloudEvents id header: one per event, kept by every re-publish of the same outbox row. */
export const CE_ID = 'ce_id';

export const headerText = (record: ConsumedRecord, name: string): string =>
  record.headers[name]?.toString() ?? '';

/** `ce_type` without its namespace prefix, e.g. `OrderPlaced`. */
export const eventName = (record: ConsumedRecord): string =>
  headerText(record, 'ce_type').split('.').pop() ?? '';

export const keyOf = (record: ConsumedRecord): string => record.key?.toString() ?? '';

/**
 * The events each final state leaves on each topic, in the order they happen, for orders the saga settled
 * on its own (confirmed, declined, cancelled out of stock); a customer's or the deadline's cancellation
 * has other compensations and is not covered here. The events are the same in both saga modes; the
 * orchestration adds its commands, on the participants' command topics.
 */
export function expectedEvents(order: OrderView, mode: SagaMode): Record<SagaTopic, string[]> {
  const reason = order.history.at(-1)?.reason;
  const commands = (payments: string[], inventory: string[]): Record<SagaTopic, string[]> =>
    mode === 'orchestration' ? { 'payments.commands': payments, 'inventory.commands': inventory } : {};
  switch (order.status) {
    case 'CONFIRMED':
      return {
        'orders.events': ['OrderPlaced', 'OrderConfirmed'],
        'payments.events': ['PaymentAuthorized'],
        'inventory.events': ['StockReserved'],
        ...commands(['AuthorizePayment'], ['ReserveStock']),
      };
    case 'REJECTED':
      return {
        'orders.events': ['OrderPlaced', 'OrderRejected'],
        'payments.events': ['PaymentDeclined'],
        'inventory.events': [],
        ...commands(['AuthorizePayment'], []),
      };
    case 'CANCELLED':
      if (reason !== 'out-of-stock') throw new Error(`unexpected cancellation reason ${String(reason)}`);
      return {
        'orders.events': ['OrderPlaced', 'OrderCancelled'],
        'payments.events': ['PaymentAuthorized', 'PaymentRefunded'],
        'inventory.events': ['StockRejected'],
        ...commands(['AuthorizePayment', 'RefundPayment'], ['ReserveStock']),
      };
    default:
      throw new Error(`order ${order.id} is still ${order.status}`);
  }
}
