/**
 * Use case: an order was placed, so order-history keeps what it needs of it (its order record) and says
 * so with `OrderRecorded`, exactly once per order. Runs in the caller's transaction (the handler's,
 * under effectively-once), so the row, the outbox row and the inbox row commit together.
 *
 * The example of the template: replace it with the service's own decision, keeping the shape (a pure
 * function deciding, the use case writing state and events in one transaction).
 */
import { Injectable } from '@nestjs/common';
import { orderHistoryOrderRecordedEvent, type OrderPlaced } from '@orderstream/contracts';
import { type Envelope, type Logger } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import type { EntityManager } from 'typeorm';

/** The outbox's `aggregate_type` of every event order-history writes; the aggregate id is the order id. */
export const ORDER_RECORD_AGGREGATE = 'OrderRecord';

export type RecordOutcome = 'RECORDED' | 'ALREADY_RECORDED';

/** What order-history keeps of an order. */
export interface OrderRecord {
  orderId: string;
  customerId: string;
  itemCount: number;
  totalCents: number;
  currency: string;
}

/** The record of a placed order: pure, so its rules are unit-tested without infrastructure. */
export function orderRecordOf(placed: OrderPlaced): OrderRecord {
  return {
    orderId: placed.orderId,
    customerId: placed.customerId,
    itemCount: placed.lines.reduce((sum, line) => sum + line.quantity, 0),
    totalCents: placed.totalCents,
    currency: placed.currency,
  };
}

@Injectable()
export class RecordOrder {
  constructor(private readonly outbox: OutboxWriter) {}

  async execute(
    manager: EntityManager,
    event: Envelope<OrderPlaced>,
    logger: Logger,
  ): Promise<RecordOutcome> {
    const record = orderRecordOf(event.data);
    // The order id is the record's primary key: the inbox drops a redelivered message, and this drops
    // another message for an order already recorded (a producer's retry, a replay), so neither the row
    // nor the event is ever written twice.
    const inserted = (await manager.query(
      `INSERT INTO order_records (order_id, customer_id, item_count, total_cents, currency)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [record.orderId, record.customerId, record.itemCount, record.totalCents, record.currency],
    )) as { order_id: string }[];
    if (inserted.length === 0) {
      logger.info({ orderId: record.orderId }, 'order already recorded: nothing to do');
      return 'ALREADY_RECORDED';
    }
    await this.outbox.add(manager, {
      definition: orderHistoryOrderRecordedEvent,
      data: { orderId: record.orderId, customerId: record.customerId, itemCount: record.itemCount },
      aggregateType: ORDER_RECORD_AGGREGATE,
      causedBy: event,
    });
    logger.info({ orderId: record.orderId, itemCount: record.itemCount }, 'order recorded');
    return 'RECORDED';
  }
}
