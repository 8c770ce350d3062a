import { Module, type DynamicModule } from '@nestjs/common';
import { ordersEvents, type EventContract } from '@orderstream/contracts';
import { PlatformModule, READINESS_CHECKS, serviceMessagingModule } from '@orderstream/platform';
import { CancelOrderController } from './cancel-order/cancel-order.controller';
import { CancelOrderUseCase } from './cancel-order/cancel-order.use-case';
import { CatalogRepository } from './catalog/catalog.repository';
import { SERVICE, SERVICE_NAME, type OrdersConfig } from './config';
import { ordersDataSourceOptions } from './database';
import { OrderTransitions } from './order/order-transitions';
import { OrderMetrics } from './order/order.metrics';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderUseCase } from './place-order/place-order.use-case';
import { OrderQueries } from './query-orders/order.queries';
import { QueryOrdersController } from './query-orders/query-orders.controller';
import { SAGA_DEADLINE_SETTINGS, SagaDeadlinePoller } from './saga-deadline/saga-deadline.poller';
import { OrderSagaHandler } from './saga-reactions/order-saga.handler';
import { StockReplicaController } from './stock-replica/stock-replica.controller';
import { StockReplicaHandler } from './stock-replica/stock-replica.handler';
import { StockReplicaReadiness } from './stock-replica/stock-replica.readiness';
import { StockReplicaRepository } from './stock-replica/stock-replica.repository';

@Module({})
export class AppModule {
  static register(config: OrdersConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'orders', options: ordersDataSourceOptions(config.DATABASE_URL) },
        }),
        serviceMessagingModule({
          service: SERVICE,
          config,
          publishes: Object.values(ordersEvents) as readonly EventContract<never>[],
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
        OrderMetrics,
        OrderTransitions,
        OrderQueries,
        CatalogRepository,
        PlaceOrderUseCase,
        CancelOrderUseCase,
        SagaDeadlinePoller,
        OrderSagaHandler,
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
