/**
 * Use case: an order reached a terminal state, so its customer is told, once per (order, state). The event
 * is thin (ids, a status, a reason); the lines and the total come from orders (OrdersClient), asked only
 * when this (order, state) has not been sent yet. Runs in the handler's transaction (effectively-once): the
 * row, its NotificationSent in the outbox and the inbox row commit together.
 */
import { Inject, Injectable } from '@nestjs/common';
import { notificationSentEvent, type NotifiedOrderState } from '@orderstream/contracts';
import { type Envelope, type Logger } from '@orderstream/messaging';
import { OutboxWriter } from '@orderstream/messaging/postgres';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OrdersClient, type OrderDetails } from '../orders-client/orders.client';

/** The outbox's `aggregate_type` of every event notifications writes; the aggregate id is the order id. */
export const NOTIFICATION_AGGREGATE = 'Notification';
export const CHANNEL = 'email';

/** Settings from config the use case needs. */
export const NOTIFICATION_SETTINGS = Symbol('NOTIFICATION_SETTINGS');
export interface NotificationSettings {
  instanceId: string;
}

export interface TerminalOrderEvent {
  orderId: string;
  customerId: string;
  reason?: string | null;
}

export type SendOutcome = 'SENT' | 'ALREADY_SENT';

/** The text the customer gets: pure, so its wording is unit-tested. */
export function renderMessage(state: NotifiedOrderState, order: OrderDetails, reason: string | null): string {
  const total = `${(order.totalCents / 100).toFixed(2)} ${order.currency}`;
  const items = order.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ');
  switch (state) {
    case 'CONFIRMED':
      return `Your order ${order.id} is confirmed: ${items}, ${total}.`;
    case 'REJECTED':
      return `Your order ${order.id} (${items}, ${total}) was not accepted: ${reason ?? 'no reason given'}.`;
    case 'CANCELLED':
      return `Your order ${order.id} (${items}, ${total}) was cancelled: ${reason ?? 'no reason given'}. Any payment is refunded.`;
  }
}

@Injectable()
export class SendNotification {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly orders: OrdersClient,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
  ) {}

  async execute(
    manager: EntityManager,
    state: NotifiedOrderState,
    event: Envelope<TerminalOrderEvent>,
    logger: Logger,
  ): Promise<SendOutcome> {
    const { orderId, customerId } = event.data;
    const reason = event.data.reason ?? null;
    const sent = (await manager.query(
      `SELECT 1 FROM notifications WHERE order_id = $1 AND order_state = $2`,
      [orderId, state],
    )) as unknown[];
    if (sent.length > 0) {
      logger.info({ orderId, state }, 'already notified: nothing to do');
      return 'ALREADY_SENT';
    }
    // The callback: a thin event's consumer depends on its producer being up (see docs/patterns.md).
    const order = await this.orders.order(orderId);
    const message = renderMessage(state, order, reason);
    const notificationId = randomUUID();
    const inserted = (await manager.query(
      `INSERT INTO notifications (notification_id, order_id, order_state, customer_id, channel, message, instance_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id, order_state) DO NOTHING RETURNING sent_at`,
      [notificationId, orderId, state, customerId, CHANNEL, message, this.settings.instanceId],
    )) as { sent_at: Date }[];
    const [row] = inserted;
    if (!row) return 'ALREADY_SENT';
    await this.outbox.add(manager, {
      definition: notificationSentEvent,
      data: {
        notificationId,
        orderId,
        customerId,
        orderState: state,
        reason,
        channel: CHANNEL,
        totalCents: order.totalCents,
        currency: order.currency,
        message,
        sentAt: row.sent_at.getTime(),
      },
      aggregateType: NOTIFICATION_AGGREGATE,
      causedBy: event,
    });
    logger.info({ orderId, state, channel: CHANNEL, message }, 'notification sent');
    return 'SENT';
  }
}
