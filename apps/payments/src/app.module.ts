import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@orderstream/platform';
import { SERVICE_NAME, type PaymentsConfig } from './config';
import { paymentsDataSourceOptions } from './database';

@Module({})
export class AppModule {
  static register(config: PaymentsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: { name: 'payments', options: paymentsDataSourceOptions(config.DATABASE_URL) },
        }),
      ],
    };
  }
}
