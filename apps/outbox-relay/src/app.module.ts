import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, postgresDataSourceOptions } from '@orderstream/platform';
import type { DataSourceOptions } from 'typeorm';
import { SERVICE_NAME, type OutboxRelayConfig } from './config';
import { OUTBOX_RELAY_CONFIG, OutboxRelayService } from './relay/outbox-relay.service';

@Module({})
export class AppModule {
  static register(config: OutboxRelayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          config,
          externalDatabases: outboxSourceDataSources(config.OUTBOX_SOURCES),
        }),
      ],
      providers: [{ provide: OUTBOX_RELAY_CONFIG, useValue: config }, OutboxRelayService],
    };
  }
}

/**
 * One DataSource per outbox source, named after it. The relay owns no schema and runs no migrations: each
 * service migrates its own outbox table, and the relay only reads and marks its rows.
 */
function outboxSourceDataSources(sources: Record<string, string>): Record<string, DataSourceOptions> {
  return Object.fromEntries(
    Object.entries(sources).map(([name, url]) => [
      name,
      postgresDataSourceOptions({
        url,
        entities: [],
        migrations: [],
        migrationsRun: false,
        applicationName: SERVICE_NAME,
      }),
    ]),
  );
}
