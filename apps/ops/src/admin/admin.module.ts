import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { KafkaClient } from '@orderstream/messaging';
import { DeadLetterDesk } from '@orderstream/operations';
import { ProblemDetailsFilter, SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import { ADMIN_TOKENS, AdminAuthGuard } from './admin-auth.guard';
import { ADMIN_KAFKA_CLIENT, AdminController } from './admin.controller';

export interface AdminModuleDependencies {
  desk: DeadLetterDesk;
  client: KafkaClient;
  /** token → name */
  tokens: ReadonlyMap<string, string>;
  logger: ServiceLogger;
}

/**
 * The admin application's module. It runs as a Nest application of its own on the admin port, sharing the
 * service's desk, Kafka client and logger, so nothing on the service port (health, metrics) is reachable
 * with a token and nothing on the admin port without one.
 */
@Module({})
export class AdminModule {
  static register(dependencies: AdminModuleDependencies): DynamicModule {
    return {
      module: AdminModule,
      controllers: [AdminController],
      providers: [
        { provide: DeadLetterDesk, useValue: dependencies.desk },
        { provide: ADMIN_KAFKA_CLIENT, useValue: dependencies.client },
        { provide: ADMIN_TOKENS, useValue: dependencies.tokens },
        { provide: SERVICE_LOGGER, useValue: dependencies.logger },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        AdminAuthGuard,
      ],
    };
  }
}
