/**
 * inventory as a participant of the orchestrated saga (`SAGA_MODE=orchestration`): the orchestrator's
 * commands, to the same use cases the choreography's reactions call. The use cases write the reply (the
 * events inventory publishes anyway) with the command as its cause, so the reply's causation id is the
 * command's id, by which the orchestrator correlates it.
 *
 * One reply the choreography has no need of: a release that finds nothing was ever held (the order was
 * rejected, or not reserved yet, which the use case marks so that a later reservation reserves nothing)
 * still answers, with a StockReleased of no lines, because the orchestrator waits for an answer to every
 * compensation it sends. A release of an order released (or marked cancelled) already stays unanswered: the
 * release that did it has answered, and a second command asking for it again (a duplicate under a new id)
 * is refused, logged and counted, as in the choreography.
 */
import { Injectable } from '@nestjs/common';
import {
  releaseStockCommand,
  reserveStockCommand,
  stockReleasedEvent,
  type ReleaseStock,
  type ReserveStock,
} from '@orderstream/contracts';
import type { Envelope, HandlerContext } from '@orderstream/messaging';
import { entityManagerOf, OutboxWriter } from '@orderstream/messaging/postgres';
import { HandleEvent } from '@orderstream/messaging/nest';
import { inventoryConsumer } from '../inventory.consumer';
import { ReleaseStockUseCase } from '../release-stock/release-stock.use-case';
import { ReserveStockUseCase } from '../reserve-stock/reserve-stock.use-case';
import { STOCK_AGGREGATE } from '../stock/stock.aggregate';

@Injectable()
export class StockCommandsHandler {
  constructor(
    private readonly reserveStock: ReserveStockUseCase,
    private readonly releaseStock: ReleaseStockUseCase,
    private readonly outbox: OutboxWriter,
  ) {}

  @HandleEvent(inventoryConsumer, reserveStockCommand)
  async onReserveStock(command: Envelope<ReserveStock>, context: HandlerContext): Promise<void> {
    // REFUSED (the order is decided already) answers another command, whose reply is out already. Logged by
    // the use case; no reply.
    await this.reserveStock.execute(entityManagerOf(context), command.data, command, context.logger);
  }

  @HandleEvent(inventoryConsumer, releaseStockCommand)
  async onReleaseStock(command: Envelope<ReleaseStock>, context: HandlerContext): Promise<void> {
    const manager = entityManagerOf(context);
    const { orderId } = command.data;
    const outcome = await this.releaseStock.execute(manager, orderId, command, context.logger);
    if (outcome === 'RELEASED') return;
    if (outcome === 'REFUSED') {
      // The use case has locked the order's row: REJECTED held nothing ever; RELEASED and CANCELLED answered.
      const rows = (await manager.query('SELECT status FROM stock_orders WHERE order_id = $1', [
        orderId,
      ])) as {
        status: string;
      }[];
      if (rows[0]?.status !== 'REJECTED') return;
    }
    await this.outbox.add(manager, {
      definition: stockReleasedEvent,
      data: { orderId, lines: [] },
      aggregateType: STOCK_AGGREGATE,
      causedBy: command,
    });
  }
}
