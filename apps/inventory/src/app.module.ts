import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@orderstream/platform';
import { SERVICE_NAME, type InventoryConfig } from './config';
import { inventoryDataSourceOptions } from './database';

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
      ],
    };
  }
}
