/**
 * Nest wiring of the ProjectionHost: started at bootstrap (before HTTP listens, so the views exist when the
 * first request comes), stopped before the database closes at shutdown.
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ordersEvents,
  paymentsEvents,
  stockRejectedEvent,
  stockReleasedEvent,
  stockReservedEvent,
} from '@orderstream/contracts';
import { EnvelopeCodec, type EventDefinition, type KafkaClient } from '@orderstream/messaging';
import { KAFKA_CLIENT, SERVICE_LOGGER, type ServiceLogger } from '@orderstream/platform';
import type { DataSource } from 'typeorm';
import { SERVICE, type OrderHistoryConfig } from '../config';
import { orderHistoryConsumer } from '../order-history.consumer';
import { PROJECTED_EVENT_TYPES } from './order-view';
import { ProjectionHost } from './projection-host';

/** The projection's settings from outside the code: config, and the code version (tests pass another). */
export const PROJECTION_SETTINGS = Symbol('PROJECTION_SETTINGS');

export interface ProjectionSettings {
  config: OrderHistoryConfig;
  codeVersion: number;
}

/**
 * The events folded: every saga event of the three contexts, each keyed by order id (not inventory's stock
 * levels, which are about SKUs).
 */
export const PROJECTED_EVENTS: readonly EventDefinition<{ orderId: string }>[] = [
  ...Object.values(ordersEvents),
  ...Object.values(paymentsEvents),
  stockReservedEvent,
  stockRejectedEvent,
  stockReleasedEvent,
];

/** The projection's events and the manifest's consumer group differ: the service does not start. */
export class ProjectedEventsMismatchError extends Error {
  constructor(problems: readonly string[]) {
    super(`order-history's projected events differ from its manifest entry: ${problems.join('; ')}`);
    this.name = 'ProjectedEventsMismatchError';
  }
}

/** The projection consumes what the manifest says its group consumes, and the fold knows each type. */
export function checkProjectedEvents(): void {
  const declared = new Set(SERVICE.consumerGroups.flatMap((g) => g.consumes));
  const given = new Set(PROJECTED_EVENTS.map((e) => e.type));
  const problems = [
    ...[...given].filter((t) => !declared.has(t)).map((t) => `${t} is consumed but not declared`),
    ...[...declared].filter((t) => !given.has(t)).map((t) => `${t} is declared but not consumed`),
    ...[...given].filter((t) => !PROJECTED_EVENT_TYPES.includes(t)).map((t) => `${t} has no fold`),
  ];
  if (problems.length > 0) throw new ProjectedEventsMismatchError(problems);
}

@Injectable()
export class ProjectionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly host: ProjectionHost;

  constructor(
    @Inject(PROJECTION_SETTINGS) settings: ProjectionSettings,
    @InjectDataSource() dataSource: DataSource,
    @Inject(KAFKA_CLIENT) client: KafkaClient,
    codec: EnvelopeCodec,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
  ) {
    checkProjectedEvents();
    this.host = new ProjectionHost({
      dataSource,
      client,
      codec,
      consumer: orderHistoryConsumer,
      groupPrefix: settings.config.KAFKA_CONSUMER_GROUP,
      events: PROJECTED_EVENTS,
      codeVersion: settings.codeVersion,
      pollIntervalMs: settings.config.PROJECTION_POLL_INTERVAL_MS,
      logger: logger.child({ component: 'projection' }),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.host.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.host.stop();
  }
}
