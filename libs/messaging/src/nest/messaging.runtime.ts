/**
 * The running side of the messaging module: at application bootstrap it discovers the `@HandleEvent`
 * methods, starts one subscription per consumer group (through the framework-free `subscribe`) and the
 * lag monitor; at shutdown it stops them in the order that loses nothing.
 *
 * Shutdown happens in `beforeApplicationShutdown`, not `onApplicationShutdown`: @nestjs/typeorm destroys
 * its DataSources in `onApplicationShutdown`, and an effectively-once handler that is still finishing its
 * message needs its DataSource. So: stop the consumers (in-flight messages finish and are committed),
 * then the lag monitor, then the producers (handlers may publish until they are done).
 */
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { Envelope } from '../core/envelope';
import type { HandlerContext } from '../core/handler';
import { EnvelopeCodec } from '../envelope/envelope.codec';
import { silentLogger, type Logger } from '../logging/logger';
import { LagMonitor } from '../metrics/lag-monitor';
import { MessagingMetrics } from '../metrics/messaging-metrics';
import type { AdminPort, KafkaClient, ProducerPort } from '../ports/kafka-client.port';
import { PostgresInbox } from '../postgres/postgres.inbox';
import type { InboxPort } from '../ports/inbox.port';
import { Publisher } from '../publisher/publisher';
import { consumerSettings } from '../subscription/consumer-definition';
import { subscribe, validateSubscription, type Subscription } from '../subscription/subscription';
import { SubscriptionConfigError } from '../subscription/subscription-config.error';
import { provisionTopics, type OwnedTopic } from '../topics/provision-topics';
import { HANDLE_EVENT_METADATA, type HandleEventMetadata } from './handle-event.decorator';
import { groupHandlers, type DiscoveredHandler, type HandlerGroup } from './handler-groups';
import type { MessagingModuleOptions } from './messaging-module.options';
import { MESSAGING_KAFKA_CLIENT, MESSAGING_OPTIONS } from './messaging.tokens';

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

@Injectable()
export class MessagingRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly started: Subscription[] = [];
  /** Writes retry and dead-letter records for every group; separate from the Publisher's producer. */
  private failureProducer: ProducerPort | undefined;
  private admin: AdminPort | undefined;
  private lagMonitor: LagMonitor | undefined;
  private publisherConnected = true;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(MESSAGING_KAFKA_CLIENT) private readonly client: KafkaClient,
    private readonly codec: EnvelopeCodec,
    private readonly publisher: Publisher,
    private readonly metrics: MessagingMetrics,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The running subscriptions, one per consumer group. */
  subscriptions(): readonly Subscription[] {
    return this.started;
  }

  /** False once shutdown disconnected the Publisher (the factory connected it at startup). */
  isPublisherConnected(): boolean {
    return this.publisherConnected;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.bootstrap();
    } catch (error) {
      // The app will not start: release what is connected already (the Publisher, some groups).
      await this.shutdown();
      throw error;
    }
  }

  private async bootstrap(): Promise<void> {
    const groupIds = this.options.groupIds ?? {};
    const groups = groupHandlers(this.discover(), (consumer) => groupIds[consumer.name] ?? consumer.name);
    if (this.options.consumes) checkDeclaredConsumers(groups, this.options.consumes);
    if (this.options.topics && this.options.topics.length > 0) await this.provision(this.options.topics);
    if (groups.length === 0) return;
    const inbox = groups.some((g) => g.consumer.delivery === 'effectively-once')
      ? new PostgresInbox(
          this.dataSource(),
          this.options.inboxTable ? { table: this.options.inboxTable } : {},
        )
      : undefined;
    // Every group is checked before any starts, so a wiring mistake never leaves half the groups running.
    for (const group of groups) {
      validateSubscription({
        ...consumerSettings(group.consumer),
        groupId: group.groupId,
        routes: group.routes,
        ...(inbox ? { inbox } : {}),
        ...(this.options.topicWaitTimeoutMs !== undefined
          ? { topicWaitTimeoutMs: this.options.topicWaitTimeoutMs }
          : {}),
      });
    }

    this.failureProducer = this.client.producer({ idempotent: true });
    this.admin = this.client.admin();
    await Promise.all([this.failureProducer.connect(), this.admin.connect()]);
    for (const group of groups) this.started.push(await this.start(group, inbox));
    if (this.options.metricsRegistry) {
      this.lagMonitor = new LagMonitor({
        admin: this.admin,
        metrics: this.metrics,
        groups: this.started.map((s) => ({ groupId: s.groupId, topics: [...s.topics] })),
        ...(this.options.lagIntervalMs ? { intervalMs: this.options.lagIntervalMs } : {}),
        logger: this.logger,
      });
      this.lagMonitor.start();
    }
  }

  private async provision(topics: readonly OwnedTopic[]): Promise<void> {
    const admin = this.client.admin();
    await admin.connect();
    try {
      const report = await provisionTopics(admin, topics);
      this.logger.info({ ...report }, 'owned topics provisioned');
    } finally {
      await admin.disconnect();
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.shutdown();
  }

  private shutdown(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    // Settled, not Promise.all: a group whose stop fails must not cut the wait for the others short. Nest
    // logs a rejected hook and goes on to close the DataSources, which groups still finishing their records
    // need, and the producers would stay connected. The failure is logged here, with its group, and not
    // rethrown: its uncommitted records are redelivered to the next member either way.
    const results = await Promise.allSettled(this.started.map((s) => s.stop({ timeoutMs })));
    results.forEach((result, i) => {
      const groupId = this.started[i]?.groupId;
      if (result.status === 'rejected')
        this.logger.error(
          { groupId, err: result.reason },
          'consumer group failed to stop; its uncommitted records are redelivered to the next member',
        );
      else if (!result.value.graceful)
        this.logger.warn({ groupId, ...result.value }, 'consumer group left before its work was done');
    });
    this.lagMonitor?.stop();
    const disconnects: Promise<void>[] = [this.publisher.disconnect()];
    if (this.failureProducer) disconnects.push(this.failureProducer.disconnect());
    if (this.admin) disconnects.push(this.admin.disconnect());
    const disconnected = await Promise.allSettled(disconnects);
    this.publisherConnected = false;
    for (const result of disconnected) {
      if (result.status === 'rejected')
        this.logger.warn({ err: result.reason }, 'disconnect at shutdown failed');
    }
    this.logger.info({ groups: results.length }, 'messaging stopped');
  }

  private start(group: HandlerGroup, inbox: InboxPort | undefined): Promise<Subscription> {
    this.logger.info(
      { consumer: group.consumer.name, groupId: group.groupId, handlers: group.handlers },
      'starting consumer',
    );
    return subscribe({
      client: this.client,
      groupId: group.groupId,
      routes: group.routes,
      ...consumerSettings(group.consumer),
      ...(inbox ? { inbox } : {}),
      codec: this.codec,
      producer: this.failureProducer as ProducerPort,
      admin: this.admin as AdminPort,
      metrics: this.metrics,
      ...(this.options.topicWaitTimeoutMs !== undefined
        ? { topicWaitTimeoutMs: this.options.topicWaitTimeoutMs }
        : {}),
      ...(this.options.consumer ? { runner: { consumer: this.options.consumer } } : {}),
      logger: this.logger,
    });
  }

  /** Every `@HandleEvent` method of every singleton provider, bound to its instance. */
  private discover(): DiscoveredHandler[] {
    const handlers: DiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      if (!prototype || typeof wrapper.metatype !== 'function') continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const entries = this.reflector.get<HandleEventMetadata[] | undefined>(HANDLE_EVENT_METADATA, method);
        if (!entries) continue;
        const name = `${wrapper.metatype.name}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          // A consumer outlives every request: there is no request to scope the instance to.
          throw new SubscriptionConfigError(
            `${name} handles events, so its class must be a singleton provider`,
          );
        }
        const instance = wrapper.instance as Record<
          string,
          (e: Envelope, c: HandlerContext) => Promise<void>
        >;
        for (const entry of entries) {
          handlers.push({
            ...entry,
            name,
            invoke: (event, context) =>
              (instance[methodName] as (e: Envelope, c: HandlerContext) => Promise<void>).call(
                instance,
                event,
                context,
              ),
          });
        }
      }
    }
    return handlers;
  }

  private dataSource(): DataSource {
    const configured = this.options.dataSource;
    if (configured === undefined) {
      throw new SubscriptionConfigError(
        "An effectively-once handler needs MessagingModule's dataSource option (a DataSource or its token)",
      );
    }
    if (configured instanceof DataSource) return configured;
    const resolved: unknown = this.moduleRef.get(configured, { strict: false });
    if (!(resolved instanceof DataSource)) {
      throw new SubscriptionConfigError(
        `MessagingModule's dataSource token ${String(configured)} is not a DataSource`,
      );
    }
    return resolved;
  }
}

/** Refuses handlers that take other events than their consumer is declared to consume. */
function checkDeclaredConsumers(
  groups: readonly HandlerGroup[],
  declared: Readonly<Record<string, readonly string[]>>,
): void {
  const problems: string[] = [];
  for (const [name, events] of Object.entries(declared)) {
    const group = groups.find((g) => g.consumer.name === name);
    const wanted = [...new Set(events)].sort();
    const handled = (group?.handlers.map((h) => h.eventType) ?? []).sort();
    const missing = wanted.filter((type) => !handled.includes(type));
    const extra = handled.filter((type) => !wanted.includes(type));
    if (missing.length > 0)
      problems.push(
        `consumer "${name}" is declared to consume ${missing.join(', ')} but has no handler for it`,
      );
    if (extra.length > 0)
      problems.push(`consumer "${name}" handles ${extra.join(', ')}, which its declaration does not list`);
  }
  for (const group of groups) {
    if (!(group.consumer.name in declared))
      problems.push(`consumer "${group.consumer.name}" has handlers but no declaration`);
  }
  if (problems.length > 0) {
    throw new SubscriptionConfigError(`The consumers differ from their declaration: ${problems.join('; ')}`);
  }
}
