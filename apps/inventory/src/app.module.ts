import { Module, type DynamicModule } from '@nestjs/common';
import {
  stockLevelChangedEvent,
  stockLevelWithdrawnEvent,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
} from '@orderstream/contracts';
import { PlatformModule, serviceMessagingModule } from '@orderstream/platform';
import { serviceIn } from '@orderstream/system';
import { SERVICE_NAME, type InventoryConfig } from './config';
import { inventoryDataSourceOptions } from './database';
import { GetStockController } from './get-stock/get-stock.controller';
import { ReleaseStockUseCase } from './release-stock/release-stock.use-case';
import { ReleaseStockHandler } from './release-stock/release-stock.handler';
import { StockCommandsHandler } from './saga-commands/stock-commands.handler';
import { ReserveStockUseCase } from './reserve-stock/reserve-stock.use-case';
import { ReserveStockHandler } from './reserve-stock/reserve-stock.handler';
import { SetStockLevelController } from './set-stock-level/set-stock-level.controller';
import { SetStockLevelUseCase } from './set-stock-level/set-stock-level.use-case';
import { StockLevelAnnouncer } from './stock/stock-level.announcer';
import { StockTransitionsMetrics } from './stock/stock-transitions.metrics';
import { WithdrawSkuController } from './withdraw-sku/withdraw-sku.controller';
import { WithdrawSkuUseCase } from './withdraw-sku/withdraw-sku.use-case';

@Module({})
export class AppModule {
  static register(config: InventoryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'inventory', options: inventoryDataSourceOptions(config.DATABASE_URL) },
        }),
        serviceMessagingModule({
          service: serviceIn(SERVICE_NAME, config.SAGA_MODE),
          config,
          publishes: [
            stockReservedEvent,
            stockRejectedEvent,
            stockReleasedEvent,
            stockLevelChangedEvent,
            stockLevelWithdrawnEvent,
          ],
        }),
      ],
      controllers: [GetStockController, SetStockLevelController, WithdrawSkuController],
      providers: [
        StockTransitionsMetrics,
        StockLevelAnnouncer,
        SetStockLevelUseCase,
        WithdrawSkuUseCase,
        ReserveStockUseCase,
        ReleaseStockUseCase,
        // The saga mode decides which handlers exist: the events' reactions or the orchestrator's commands.
        ...(config.SAGA_MODE === 'orchestration'
          ? [StockCommandsHandler]
          : [ReserveStockHandler, ReleaseStockHandler]),
      ],
    };
  }
}
