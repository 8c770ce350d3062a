import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { allContracts } from '@orderstream/contracts';
import {
  AvroCodec,
  EnvelopeCodec,
  EventRegistry,
  type ConsumedRecord,
  type EventDefinition,
  type KafkaClient,
} from '@orderstream/messaging';
import { DeadLetterDesk, OPERATIONS_MIGRATIONS } from '@orderstream/operations';
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

/** Decodes a dead-lettered record as the consumers would: envelope headers, Avro payload via the registry. */
export function registryDecoder(registryUrl: string): (record: ConsumedRecord) => Promise<unknown> {
  const codec = new EnvelopeCodec(new AvroCodec({ registryUrl }));
  const registry = new EventRegistry(allContracts as unknown as EventDefinition<unknown>[]);
  return (record) => codec.decode(record, registry);
}

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
              decode: registryDecoder(config.SCHEMA_REGISTRY_URL),
              maxRedrives: config.OPS_MAX_REDRIVES,
              logger,
            }),
        },
        AdminServer,
      ],
    };
  }
}
