import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@orderstream/platform';
import { SERVICE_NAME, type OrdersConfig } from './config';
import { ordersDataSourceOptions } from './database';

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
      ],
    };
  }
}
