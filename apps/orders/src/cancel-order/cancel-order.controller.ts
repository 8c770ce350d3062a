import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import { parseOrderId } from '../http/order-id';
import type { OrderView } from '../query-orders/order.view';
import { CancelOrderUseCase } from './cancel-order.use-case';

@Controller('orders')
export class CancelOrderController {
  constructor(
    private readonly cancelOrder: CancelOrderUseCase,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<OrderView> {
    return this.cancelOrder.cancel(parseOrderId(id), this.logger);
  }
}
