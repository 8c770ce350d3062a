import { Controller, Inject } from '@nestjs/common';
import {
  Route,
  SERVICE_LOGGER,
  ValidRequest,
  defineRoute,
  type ServiceLogger,
  type ValidatedRequest,
} from '@orderstream/platform';
import { orderIdParamsSchema } from '../http/order-id.schema';
import { orderViewSchema, type OrderView } from '../query-orders/order.view';
import { CancelOrderUseCase } from './cancel-order.use-case';

export const cancelOrderRoute = defineRoute({
  method: 'post',
  path: '/orders/{id}/cancel',
  operationId: 'cancelOrder',
  summary: 'Cancel a confirmed order (stock is released, the payment refunded)',
  description: '409 unless the order is CONFIRMED.',
  tags: ['orders'],
  request: { path: orderIdParamsSchema },
  responses: { 200: { description: 'The order, CANCELLED', schema: orderViewSchema } },
  problems: [404, 409],
});

@Controller()
export class CancelOrderController {
  constructor(
    private readonly cancelOrder: CancelOrderUseCase,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  @Route(cancelOrderRoute)
  cancel(@ValidRequest() { path }: ValidatedRequest<typeof cancelOrderRoute>): Promise<OrderView> {
    return this.cancelOrder.cancel(path.id, this.logger);
  }
}
