/**
 * orders as the orchestrator of the order saga (`SAGA_MODE=orchestration`): starts a fulfilment saga with
 * each placed order and a cancellation saga with each customer cancellation, in the transaction that writes
 * the order; hands each reply to the saga awaiting it; and turns what the fulfilment saga decides into the
 * order's status: `completed` confirms the order, `failed` rejects it (payment declined) or cancels it (out
 * of stock, or a step that never answered: `deadline`). The order's own events (OrderConfirmed, …) are
 * written as in the choreography, by OrderTransitions, in the same transaction as the saga's row and its
 * next commands.
 *
 * Commands go out through the outbox with their command id as `ce_id`, keyed by order id, to the
 * participant's command topic; a command sent again after its timeout keeps its `ce_id`, so the
 * participant's inbox takes it at most once. A reply's causation id is the command's id.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  allCommands,
  paymentDeclinedEvent,
  stockRejectedEvent,
  type EventContract,
  type PaymentDeclined,
} from '@orderstream/contracts';
import {
  InvariantViolatedError,
  type Envelope,
  type Logger,
  type SagaCommand,
  type SagaReply,
  type SagaTransition,
} from '@orderstream/messaging';
import { OutboxWriter, PostgresSagaOrchestrator } from '@orderstream/messaging/postgres';
import { SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import type { SagaMode } from '@orderstream/system';
import type { DataSource, EntityManager } from 'typeorm';
import { ORDER_AGGREGATE, OrderTransitions } from '../order/order-transitions';
import { OrderMetrics } from '../order/order.metrics';
import { OrderQueries } from '../query-orders/order.queries';
import {
  cancellationSagaId,
  orderCancellationSaga,
  orderFulfilmentSaga,
  type OrderSagaData,
  type OrderSagaTiming,
} from './order-sagas';

export const ORDER_SAGA_SETTINGS = Symbol('ORDER_SAGA_SETTINGS');

export interface OrderSagaSettings extends OrderSagaTiming {
  mode: SagaMode;
}

const COMMANDS = new Map<string, EventContract<unknown>>(
  allCommands.map((contract) => [contract.type, contract as EventContract<unknown>]),
);

@Injectable()
export class OrderSagaOrchestrator {
  readonly mode: SagaMode;
  private readonly fulfilment: PostgresSagaOrchestrator<OrderSagaData>;
  private readonly cancellation: PostgresSagaOrchestrator<OrderSagaData>;
  private readonly logger: ServiceLogger;

  constructor(
    @Inject(ORDER_SAGA_SETTINGS) settings: OrderSagaSettings,
    private readonly outbox: OutboxWriter,
    private readonly transitions: OrderTransitions,
    private readonly metrics: OrderMetrics,
    private readonly queries: OrderQueries,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
  ) {
    this.mode = settings.mode;
    this.logger = logger.child({ component: 'order-saga' });
    const send = (manager: EntityManager, command: SagaCommand, reply?: SagaReply) =>
      this.send(manager, command, reply);
    this.fulfilment = new PostgresSagaOrchestrator({
      definition: orderFulfilmentSaga(settings),
      send,
      // Deadlines: the reply handler acts on replies itself (it has the reply's envelope).
      onTransition: async (manager, transition, reply) => {
        if (!reply) await this.actOnFulfilment(manager, transition, undefined, this.logger);
      },
    });
    this.cancellation = new PostgresSagaOrchestrator({
      definition: orderCancellationSaga(settings),
      send,
      onTransition: async (_manager, transition) => this.count(transition),
    });
  }

  get orchestrating(): boolean {
    return this.mode === 'orchestration';
  }

  /** In the placing transaction: the fulfilment saga's first command. Nothing under choreography. */
  async startFulfilment(manager: EntityManager, order: OrderSagaData): Promise<void> {
    if (!this.orchestrating) return;
    await this.fulfilment.start(manager, order.orderId, order);
    this.metrics.sagaOutcome('order-fulfilment', 'started');
  }

  /**
   * In the cancelling transaction: release the stock, then refund. Nothing under choreography. The saga's
   * data is read from the order itself, not from its fulfilment saga, so an order confirmed before the
   * system switched modes is cancelled the same way.
   */
  async startCancellation(manager: EntityManager, orderId: string): Promise<void> {
    if (!this.orchestrating) return;
    const order = await this.queries.findOne(manager, orderId);
    if (!order) throw new InvariantViolatedError(`The cancelled order ${orderId} has no row`);
    await this.cancellation.start(manager, cancellationSagaId(orderId), {
      orderId,
      customerId: order.customerId,
      amountCents: order.totalCents,
      currency: order.currency,
      items: order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    });
    this.metrics.sagaOutcome('order-cancellation', 'started');
  }

  /** A participant's reply, in the handler's transaction; a reply no saga awaits changes nothing. */
  async onReply(manager: EntityManager, event: Envelope, logger: Logger): Promise<void> {
    if (!event.causationId) {
      logger.warn({ type: event.type, id: event.id }, 'a reply without a causation id cannot be correlated');
      this.metrics.sagaOutcome('none', 'uncorrelated');
      return;
    }
    const reply: SagaReply = {
      commandId: event.causationId,
      type: event.type,
      payload: event.data,
      messageId: event.id,
    };
    const fulfilment = await this.fulfilment.handleReply(manager, reply);
    if (fulfilment) {
      await this.actOnFulfilment(manager, fulfilment, event, logger);
      return;
    }
    if (await this.cancellation.handleReply(manager, reply)) return;
    // A duplicate, a reply to an earlier attempt of a step that has moved on, or a choreography event.
    this.metrics.sagaOutcome('none', 'uncorrelated');
    logger.info({ type: event.type, commandId: reply.commandId }, 'reply awaited by no saga: ignored');
  }

  /** Both sagas' expired deadlines, each instance in a transaction of its own; returns how many changed. */
  async processDeadlines(dataSource: DataSource, limit: number): Promise<number> {
    return (
      (await this.fulfilment.processDeadlines(dataSource, limit)) +
      (await this.cancellation.processDeadlines(dataSource, limit))
    );
  }

  private async actOnFulfilment(
    manager: EntityManager,
    transition: SagaTransition<OrderSagaData>,
    cause: Envelope | undefined,
    logger: Logger,
  ): Promise<void> {
    this.count(transition);
    const { instance } = transition;
    const orderId = instance.data.orderId;
    const causedBy = cause ? { causedBy: cause } : { actor: 'saga-deadline' };
    if (transition.outcome === 'completed') {
      await this.transitions.apply(manager, { orderId, trigger: 'stock-reserved', logger, ...causedBy });
    } else if (transition.outcome === 'failed') {
      const reason = instance.failure?.reason;
      if (reason === paymentDeclinedEvent.type) {
        await this.transitions.apply(manager, {
          orderId,
          trigger: 'payment-declined',
          rejectionReason: (cause?.data as PaymentDeclined | undefined)?.reason,
          logger,
          ...causedBy,
        });
      } else if (reason === stockRejectedEvent.type) {
        await this.transitions.apply(manager, { orderId, trigger: 'stock-rejected', logger, ...causedBy });
      } else if (reason === 'timeout') {
        await this.transitions.apply(manager, { orderId, trigger: 'deadline-passed', logger, ...causedBy });
      } else {
        throw new InvariantViolatedError(`The fulfilment of order ${orderId} failed for no known reason`, {
          details: { orderId, failure: instance.failure },
        });
      }
    }
  }

  private count(transition: SagaTransition<OrderSagaData>): void {
    this.metrics.sagaOutcome(transition.instance.saga, transition.outcome);
    // A cancellation has no failure replies and nothing to undo: its step unanswered 21 times is stuck too.
    const cancellationFailed =
      transition.instance.saga === 'order-cancellation' && transition.outcome === 'failed';
    if (transition.outcome === 'stuck' || cancellationFailed) {
      this.logger.error(
        { sagaId: transition.instance.id, failure: transition.instance.failure },
        'saga stuck: a compensation was never answered; an operator must finish it',
      );
    }
  }

  /** A command joins the order's flow (correlation id = order id), caused by the reply that led to it. */
  private async send(manager: EntityManager, command: SagaCommand, reply?: SagaReply): Promise<void> {
    const definition = COMMANDS.get(command.type);
    if (!definition) throw new InvariantViolatedError(`No contract for the command ${command.type}`);
    const { orderId } = command.payload as { orderId: string };
    await this.outbox.add(manager, {
      definition,
      data: command.payload,
      aggregateType: ORDER_AGGREGATE,
      id: command.commandId,
      attempt: command.attempt,
      ...(reply?.messageId
        ? { causedBy: { id: reply.messageId, correlationId: orderId } }
        : { correlationId: orderId }),
    });
  }
}
