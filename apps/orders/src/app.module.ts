import { Module, type DynamicModule } from '@nestjs/common';
import { allCommands, ordersEvents, type EventContract } from '@orderstream/contracts';
import { PlatformModule, READINESS_CHECKS, serviceMessagingModule } from '@orderstream/platform';
import { serviceIn } from '@orderstream/system';
import { CancelOrderController } from './cancel-order/cancel-order.controller';
import { CancelOrderUseCase } from './cancel-order/cancel-order.use-case';
import { CatalogRepository } from './catalog/catalog.repository';
import { SERVICE_NAME, type OrdersConfig } from './config';
import { ordersDataSourceOptions } from './database';
import { OrderTransitions } from './order/order-transitions';
import { OrderMetrics } from './order/order.metrics';
import { OrderSagaRepliesHandler } from './order-saga/order-saga-replies.handler';
import { ORDER_SAGA_SETTINGS, OrderSagaOrchestrator } from './order-saga/order-saga.orchestrator';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderUseCase } from './place-order/place-order.use-case';
import { OrderQueries } from './query-orders/order.queries';
import { QueryOrdersController } from './query-orders/query-orders.controller';
import { SagaDeadlineGauge } from './saga-deadline/saga-deadline.gauge';
import { SAGA_DEADLINE_SETTINGS, SagaDeadlinePoller } from './saga-deadline/saga-deadline.poller';
import { OrderSagaHandler } from './saga-reactions/order-saga.handler';
import { StockReplicaController } from './stock-replica/stock-replica.controller';
import { StockReplicaHandler } from './stock-replica/stock-replica.handler';
import { StockReplicaReadiness } from './stock-replica/stock-replica.readiness';
import { StockReplicaRepository } from './stock-replica/stock-replica.repository';

@Module({})
export class AppModule {
  static register(config: OrdersConfig): DynamicModule {
    const orchestrating = config.SAGA_MODE === 'orchestration';
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'orders', options: ordersDataSourceOptions(config.DATABASE_URL) },
        }),
        serviceMessagingModule({
          service: serviceIn(SERVICE_NAME, config.SAGA_MODE),
          config,
          // Orchestrating, orders also sends the saga's commands (to payments' and inventory's topics).
          publishes: [
            ...(Object.values(ordersEvents) as readonly EventContract<never>[]),
            ...(orchestrating ? allCommands : []),
          ],
        }),
      ],
      controllers: [
        PlaceOrderController,
        CancelOrderController,
        QueryOrdersController,
        StockReplicaController,
      ],
      providers: [
        {
          provide: SAGA_DEADLINE_SETTINGS,
          useValue: {
            deadlineMs: config.SAGA_DEADLINE_MS,
            pollIntervalMs: config.SAGA_DEADLINE_POLL_MS,
            batchSize: 100,
          },
        },
        {
          provide: ORDER_SAGA_SETTINGS,
          useValue: { mode: config.SAGA_MODE, deadlineMs: config.SAGA_DEADLINE_MS },
        },
        OrderMetrics,
        OrderTransitions,
        OrderSagaOrchestrator,
        OrderQueries,
        CatalogRepository,
        PlaceOrderUseCase,
        CancelOrderUseCase,
        SagaDeadlinePoller,
        SagaDeadlineGauge,
        // The saga mode decides which handlers exist: the choreography's reactions to three events, or the
        // orchestrator's to every reply of its commands.
        orchestrating ? OrderSagaRepliesHandler : OrderSagaHandler,
        StockReplicaRepository,
        StockReplicaHandler,
        StockReplicaReadiness,
        {
          provide: READINESS_CHECKS,
          inject: [StockReplicaReadiness],
          useFactory: (replica: StockReplicaReadiness) => [replica],
        },
      ],
    };
  }
}
