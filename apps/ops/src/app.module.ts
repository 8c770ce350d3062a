import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { allContracts } from '@orderstream/contracts';
import type { EventDefinition, KafkaClient } from '@orderstream/messaging';
import { DeadLetterDesk, OPERATIONS_MIGRATIONS, registryDecoder } from '@orderstream/operations';
import {
  KAFKA_CLIENT,
  PlatformModule,
  postgresDataSourceOptions,
  SERVICE_LOGGER,
  type ServiceLogger,
} from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { AdminServer, OPS_CONFIG } from './admin/admin.server';
import { SERVICE_NAME, type OpsConfig } from './config';

/**
 * The service's wiring. PlatformModule brings config, logging, health, metrics, problem+json and the ops
 * database (migrated at boot); the desk does the work; AdminServer serves it on the admin port.
 */
@Module({})
export class AppModule {
  static register(config: OpsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          database: {
            name: 'ops',
            options: postgresDataSourceOptions({
              url: config.DATABASE_URL,
              entities: [],
              migrations: OPERATIONS_MIGRATIONS,
              applicationName: SERVICE_NAME,
            }),
          },
        }),
      ],
      providers: [
        { provide: OPS_CONFIG, useValue: config },
        {
          provide: DeadLetterDesk,
          inject: [KAFKA_CLIENT, getDataSourceToken(), SERVICE_LOGGER],
          useFactory: (client: KafkaClient, dataSource: DataSource, logger: ServiceLogger) =>
            new DeadLetterDesk({
              client,
              dataSource,
              // Contracts are typed structurally like the library's definitions (libs/contracts event-contract.ts).
              decode: registryDecoder(
                config.SCHEMA_REGISTRY_URL,
                allContracts as readonly EventDefinition<unknown>[],
              ),
              maxRedrives: config.OPS_MAX_REDRIVES,
              logger,
            }),
        },
        AdminServer,
      ],
    };
  }
}
