import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NOTIFIED_ORDER_STATES, type NotifiedOrderState } from '@orderstream/contracts';
import { Route, ValidRequest, defineRoute, type ValidatedRequest } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';

export const notificationViewSchema = z.object({
  notificationId: z.uuid(),
  orderId: z.uuid(),
  orderState: z.enum(NOTIFIED_ORDER_STATES),
  customerId: z.string(),
  channel: z.string(),
  message: z.string(),
  instanceId: z.string().describe('The instance of the group that sent it'),
  sentAt: z.iso.datetime(),
});

export type NotificationView = z.infer<typeof notificationViewSchema>;

export const getNotificationsRoute = defineRoute({
  method: 'get',
  path: '/orders/{orderId}/notifications',
  operationId: 'getOrderNotifications',
  summary: 'The notifications sent about an order (none yet is an empty list)',
  tags: ['notifications'],
  request: { path: z.object({ orderId: z.uuid().meta({ description: 'The order id (a UUID).' }) }) },
  responses: {
    200: { description: 'Oldest first', schema: z.object({ items: z.array(notificationViewSchema) }) },
  },
});

interface NotificationRow {
  notification_id: string;
  order_id: string;
  order_state: NotifiedOrderState;
  customer_id: string;
  channel: string;
  message: string;
  instance_id: string;
  sent_at: Date;
}

@Controller()
export class GetNotificationsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Route(getNotificationsRoute)
  async list(
    @ValidRequest() { path }: ValidatedRequest<typeof getNotificationsRoute>,
  ): Promise<{ items: NotificationView[] }> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM notifications WHERE order_id = $1 ORDER BY sent_at, notification_id`,
      [path.orderId],
    )) as NotificationRow[];
    return {
      items: rows.map((r) => ({
        notificationId: r.notification_id,
        orderId: r.order_id,
        orderState: r.order_state,
        customerId: r.customer_id,
        channel: r.channel,
        message: r.message,
        instanceId: r.instance_id,
        sentAt: r.sent_at.toISOString(),
      })),
    };
  }
}
