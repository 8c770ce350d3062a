import type { ServerResponse } from 'node:http';
import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { invalidRequest, unprocessableOrder } from '../http/order-problems';
import type { OrderView } from '../query-orders/order.view';
import { validateIdempotencyKey, validatePlaceOrderBody } from './place-order.request';
import { PlaceOrderUseCase } from './place-order.use-case';

@Controller('orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderUseCase) {}

  /** Validation happens here, before any transaction: a malformed request never touches the database. */
  @Post()
  @HttpCode(201)
  async place(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<OrderView> {
    const key = validateIdempotencyKey(idempotencyKey);
    const request = validatePlaceOrderBody(body);
    if (!key.ok || !request.ok) {
      const errors = [...(key.ok ? [] : key.errors), ...(request.ok ? [] : request.errors)];
      // A malformed part makes the whole request malformed (400), even if another part breaks a rule.
      const malformed = (!key.ok && key.status === 400) || (!request.ok && request.status === 400);
      throw malformed ? invalidRequest(errors) : unprocessableOrder(errors);
    }
    const result = await this.placeOrder.place(key.value, request.value);
    // Always 201, first time or replayed: only successful responses are stored (see PlaceOrderUseCase).
    response.setHeader('Location', `/orders/${result.body.id}`);
    return result.body;
  }
}
