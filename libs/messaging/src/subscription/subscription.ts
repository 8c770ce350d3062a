/**
 * The framework-free way to consume: one call turns a description of what a consumer group handles into
 * a running consumer with the pipeline of `PIPELINE_STAGES` (see pipeline.ts for the order and why).
 *
 * ```ts
 * const subscription = await subscribe({
 *   client, codec, producer, logger, groupId: 'payments',
 *   ...consumerSettings(paymentsConsumer),          // delivery, retry, concurrency, middleware
 *   inbox: new PostgresInbox(dataSource),           // effectively-once: @orderstream/messaging/postgres
 *   routes: [on(OrderPlaced, authorizePayment), on(OrderCancelled, releaseAuthorization)],
 * });
 * // … on shutdown:
 * await subscription.stop({ timeoutMs: 10_000 });
 * ```
 *
 * The Nest module (`@orderstream/messaging/nest`) is thin wiring around this function.
 */
import {
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type PartitionProgress,
  type StopOptions,
  type StopReport,
} from '../consumer/consumer-runner';
import type { DeliveryGuarantee } from '../core/handler';
import { batchedEffectivelyOnce, type BatchedEffectivelyOnce } from '../delivery/batched-effectively-once';
import { effectivelyOnceMiddleware, type DuplicateMessage } from '../delivery/effectively-once.middleware';
import { decodeMiddleware, skipUnroutedMiddleware } from '../envelope/decode.middleware';
import type { EnvelopeCodec } from '../envelope/envelope.codec';
import {
  eventHandler,
  registryOf,
  type EventHandlerOptions,
  type EventRoute,
} from '../envelope/event-routes';
import { ensureFailureTopics, type FailureTopicsConfig } from '../failure/ensure-failure-topics';
import { immediateRetryMiddleware } from '../failure/immediate-retry.middleware';
import {
  retryAndDeadLetterMiddleware,
  type FailureRouted,
} from '../failure/retry-and-dead-letter.middleware';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy, type RetryPolicy } from '../failure/retry-policy';
import { silentLogger, type Logger } from '../logging/logger';
import type { MessagingMetrics } from '../metrics/messaging-metrics';
import { metricsMiddleware } from '../metrics/metrics.middleware';
import type { InboxPort } from '../ports/inbox.port';
import type {
  AdminPort,
  ConsumerEvents,
  KafkaClient,
  ProducerPort,
  TopicPartitions,
} from '../ports/kafka-client.port';
import { MessageAgeMonitor } from './message-age.monitor';
import { tracingMiddleware } from '../tracing/tracing.middleware';
import { buildPipeline, describePipeline, type CustomMiddleware } from './pipeline';
import { SubscriptionConfigError } from './subscription-config.error';
import { DEFAULT_TOPIC_WAIT_TIMEOUT_MS, waitForSourceTopics } from './wait-for-source-topics';

export interface SubscriptionOptions {
  client: KafkaClient;
  /** The consumer group. Its retry and dead-letter topics are `<groupId>.retry.<n>` and `<groupId>.dlt`. */
  groupId: string;
  /** The typed handlers, one per event type (`on(definition, handler)`); dispatched by `ce_type`. */
  routes: readonly EventRoute[];
  /** The source topics. Default: the distinct topics of the routes' definitions. */
  topics?: readonly string[];
  /** When the offset is committed relative to the handler; `effectively-once` also needs `inbox`. */
  delivery: DeliveryGuarantee;
  /**
   * The service's inbox, in its own database: required for `effectively-once`, where each message's work
   * and its inbox record commit in one transaction (`PostgresInbox` from `@orderstream/messaging/postgres`).
   */
  inbox?: InboxPort;
  /**
   * Immediate retries, retry-topic delays, then the dead-letter topic. Default `DEFAULT_RETRY_POLICY`;
   * services state their own through `defineConsumer`, which requires one.
   */
  retry?: RetryPolicy;
  /** Per-key concurrency inside a partition (see `ConsumerRunnerOptions.concurrency`). Default off. */
  concurrency?: ConsumerRunnerOptions['concurrency'];
  /**
   * Effectively-once only: `message` (default) runs each message in a transaction of its own; `batch` runs
   * a chunk of a partition's messages in one transaction (the inbox must support `openBatch`), one handler
   * at a time, and isolates a failing one (see delivery/batched-effectively-once.ts).
   */
  transactionScope?: 'message' | 'batch';
  /** Your own middleware at the pipeline's insertion points `outer` and `inner` (see `PIPELINE_STAGES`). */
  middleware?: CustomMiddleware;
  codec: EnvelopeCodec;
  /**
   * A connected producer for retry and dead-letter records; it stays the caller's (never disconnected
   * here). An idempotent one (the default of `client.producer()`) keeps them free of duplicates.
   */
  producer: ProducerPort;
  /**
   * A connected admin client to look for the source topics and create the failure topics with. Default:
   * one is created from `client` for that and disconnected again.
   */
  admin?: AdminPort;
  /**
   * How long startup waits for source topics that do not exist yet (services starting together, the
   * topics' owner not up yet), looking with backoff, before it fails with `SourceTopicsMissingError`.
   * Source topics are never created here. 0 fails at once. Default `DEFAULT_TOPIC_WAIT_TIMEOUT_MS` (60 s).
   */
  topicWaitTimeoutMs?: number;
  /** Partitions, replication and topic configs of the failure topics (see `ensureFailureTopics`). */
  failureTopics?: Omit<FailureTopicsConfig, 'policy' | 'sourceTopics'>;
  /** Counts, times and ages; also counts retried, dead-lettered and deduplicated messages. */
  metrics?: MessagingMetrics;
  /** What to do with a decoded event no route handles. Default `skip`. */
  unhandled?: EventHandlerOptions['unhandled'];
  /** Remaining runner settings: start position, commit cadence, error backoff, consumer timeouts. */
  runner?: Pick<
    ConsumerRunnerOptions,
    'startFrom' | 'partitionsConsumedConcurrently' | 'commit' | 'errorBackoff' | 'consumer'
  >;
  logger?: Logger;
}

/**
 * Where the group's member stands: `joined` once it is in the group (with or without partitions),
 * `rebalancing` while the group reassigns, `crashed` after a client error (kafkajs rejoins by itself when
 * `restart` was true; the next join makes it `joined` again), `stopped` after `stop`.
 */
export type SubscriptionState = 'starting' | 'joined' | 'rebalancing' | 'crashed' | 'stopped';

export interface SubscriptionStatus {
  groupId: string;
  state: SubscriptionState;
  memberId?: string;
  /** Partitions owned now, per topic (source and retry topics). */
  assignments: TopicPartitions[];
  /** The error of the last crash, while `crashed`. */
  error?: string;
}

export interface Subscription {
  readonly groupId: string;
  readonly delivery: DeliveryGuarantee;
  /** Everything the group consumes: the source topics, then its retry topics. */
  readonly topics: readonly string[];
  readonly sourceTopics: readonly string[];
  readonly deadLetterTopic: string;
  /** The runner, for back-pressure (`pause`/`resume`) and `progress()`. */
  readonly runner: ConsumerRunner;
  assignments(): TopicPartitions[];
  status(): SubscriptionStatus;
  /** Oldest unfinished record per partition (see `ConsumerRunner.progress`). */
  progress(): PartitionProgress[];
  /** Graceful: finishes and commits in-flight work and leaves the group, within `timeoutMs`. */
  stop(options?: StopOptions): Promise<StopReport>;
}

/** The source topics: as given, or the distinct topics of the routes in order of first appearance. */
export function sourceTopicsOf(routes: readonly EventRoute[], topics?: readonly string[]): string[] {
  return [...new Set(topics ?? routes.map((route) => route.definition.topic))];
}

/**
 * Fails fast, naming the problem, before anything touches Kafka. Exported so wiring (the Nest module)
 * can check a description at startup without starting it.
 */
export function validateSubscription(
  options: Pick<
    SubscriptionOptions,
    | 'groupId'
    | 'routes'
    | 'topics'
    | 'delivery'
    | 'inbox'
    | 'retry'
    | 'topicWaitTimeoutMs'
    | 'transactionScope'
  >,
): void {
  const { groupId, routes, delivery } = options;
  if (typeof groupId !== 'string' || groupId.trim().length === 0) {
    throw new SubscriptionConfigError('A subscription needs a non-empty groupId');
  }
  const where = `Subscription of group "${groupId}"`;
  if (routes.length === 0)
    throw new SubscriptionConfigError(`${where} has no routes: give it at least one on(...)`);
  const seen = new Set<string>();
  for (const { definition } of routes) {
    if (seen.has(definition.type)) {
      throw new SubscriptionConfigError(`${where} has two handlers for event type ${definition.type}`);
    }
    seen.add(definition.type);
  }
  if (!['at-most-once', 'at-least-once', 'effectively-once'].includes(delivery)) {
    throw new SubscriptionConfigError(`${where} has an unknown delivery guarantee "${String(delivery)}"`);
  }
  if (
    options.transactionScope === 'batch' &&
    (delivery !== 'effectively-once' || !options.inbox?.openBatch)
  ) {
    throw new SubscriptionConfigError(
      `${where} asks for batch transactions, which need effectively-once and an inbox that can open batches`,
    );
  }
  if (delivery === 'effectively-once' && !options.inbox) {
    throw new SubscriptionConfigError(
      `${where} is effectively-once but has no inbox: the inbox record and the handler's writes need the service's database`,
    );
  }
  if (options.topics && options.topics.length === 0) {
    throw new SubscriptionConfigError(
      `${where} has an empty topics list; leave it out to use the routes' topics`,
    );
  }
  const { topicWaitTimeoutMs } = options;
  if (
    topicWaitTimeoutMs !== undefined &&
    (!Number.isSafeInteger(topicWaitTimeoutMs) || topicWaitTimeoutMs < 0)
  ) {
    throw new SubscriptionConfigError(
      `${where} has topicWaitTimeoutMs ${topicWaitTimeoutMs}; it must be an integer >= 0 (milliseconds)`,
    );
  }
  validateRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
}

/**
 * Waits until the source topics exist (up to `topicWaitTimeoutMs`), creates the group's failure topics,
 * builds the pipeline and starts a consumer runner for it. Resolves once the runner is started;
 * `status()` says when the member has joined the group.
 */
export async function subscribe(options: SubscriptionOptions): Promise<Subscription> {
  validateSubscription(options);
  const { client, groupId, routes, delivery, metrics } = options;
  const logger = options.logger ?? silentLogger;
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const sourceTopics = sourceTopicsOf(routes, options.topics);

  const failureTopics = await withAdmin(client, options.admin, async (admin) => {
    await waitForSourceTopics(admin, sourceTopics, {
      groupId,
      timeoutMs: options.topicWaitTimeoutMs ?? DEFAULT_TOPIC_WAIT_TIMEOUT_MS,
      logger,
    });
    return ensureFailureTopics(admin, groupId, { ...options.failureTopics, policy, sourceTopics });
  });

  const registry = registryOf(routes);
  const onDuplicate = metrics ? (d: DuplicateMessage) => countDuplicate(metrics, d) : undefined;
  const batched = batchedTransactions(options, onDuplicate);
  const handler = buildPipeline(
    {
      // Event types nobody here handles are acknowledged first (see pipeline.ts); `unhandled: 'fail'`
      // lets them reach the routes, which reject them.
      ...(options.unhandled === 'fail'
        ? {}
        : {
            'skip-unrouted': skipUnroutedMiddleware(
              registry,
              metrics ? { onSkipped: (message) => metrics.skipped(message, 'unrouted') } : {},
            ),
          }),
      ...(metrics ? { metrics: metricsMiddleware(metrics) } : {}),
      ...(options.middleware?.outer ? { outer: options.middleware.outer } : {}),
      'retry-and-dead-letter': retryAndDeadLetterMiddleware({
        producer: options.producer,
        policy,
        ...(metrics ? { onRouted: (routed: FailureRouted) => countRouted(metrics, routed) } : {}),
      }),
      'immediate-retry': immediateRetryMiddleware(
        policy.immediate,
        metrics ? { onFailedAttempt: (message, error) => metrics.handlerFailed(message, error) } : {},
      ),
      ...(delivery === 'effectively-once'
        ? {
            transaction:
              batched?.middleware ??
              effectivelyOnceMiddleware({
                // Checked by validateSubscription.
                inbox: options.inbox as InboxPort,
                ...(onDuplicate ? { onDuplicate } : {}),
              }),
          }
        : {}),
      trace: tracingMiddleware(),
      decode: decodeMiddleware(options.codec, registry),
      ...(options.middleware?.inner ? { inner: options.middleware.inner } : {}),
    },
    eventHandler(routes, options.unhandled ? { unhandled: options.unhandled } : {}),
  );

  const membership = new Membership(groupId);
  const topics = [...sourceTopics, ...failureTopics.retryTopics];
  const runner = new ConsumerRunner({
    ...options.runner,
    client: membership.observe(client),
    groupId,
    topics,
    handler,
    delivery,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(batched ? { unitOfWork: batched.unitOfWork } : {}),
    logger,
  });
  const ages = metrics ? new MessageAgeMonitor({ groupId, source: runner, metrics }) : undefined;

  try {
    await runner.start();
  } catch (error) {
    // A runner that got half-way (connected, not subscribed) must not keep its connection open.
    await runner.stop({ timeoutMs: 5_000 }).catch(() => undefined);
    throw error;
  }
  ages?.start();
  logger.info(
    {
      groupId,
      delivery,
      topics,
      eventTypes: routes.map((r) => r.definition.type),
      pipeline: describePipeline(delivery),
    },
    'subscription started',
  );

  let stopped: Promise<StopReport> | undefined;
  return {
    groupId,
    delivery,
    topics,
    sourceTopics,
    deadLetterTopic: failureTopics.deadLetterTopic,
    runner,
    assignments: () => runner.assignments(),
    status: () => membership.status(runner.assignments()),
    progress: () => runner.progress(),
    stop: (stopOptions) => {
      stopped ??= runner.stop(stopOptions).finally(() => {
        ages?.stop();
        membership.stopped();
      });
      return stopped;
    },
  };
}

/** The batch-transaction hooks, when the subscription asked for them (checked by validateSubscription). */
function batchedTransactions(
  options: SubscriptionOptions,
  onDuplicate: ((d: DuplicateMessage) => void) | undefined,
): BatchedEffectivelyOnce | undefined {
  const { inbox } = options;
  const openBatch = inbox?.openBatch?.bind(inbox);
  if (
    options.delivery !== 'effectively-once' ||
    options.transactionScope !== 'batch' ||
    !inbox ||
    !openBatch
  ) {
    return undefined;
  }
  return batchedEffectivelyOnce({
    inbox: {
      runOnce: (entry, work) => inbox.runOnce(entry, work),
      openBatch,
      ...(inbox.classify ? { classify: (error: unknown) => inbox.classify?.(error) } : {}),
    },
    groupId: options.groupId,
    ...(onDuplicate ? { onDuplicate } : {}),
  });
}

function countRouted(metrics: MessagingMetrics, routed: FailureRouted): void {
  if (routed.kind === 'retry') metrics.retried(routed.message, routed.errorCode);
  else metrics.deadLettered(routed.message, routed.errorCode, routed.reason);
}

function countDuplicate(metrics: MessagingMetrics, duplicate: DuplicateMessage): void {
  metrics.deduplicated(duplicate);
}

async function withAdmin<T>(
  client: KafkaClient,
  given: AdminPort | undefined,
  work: (admin: AdminPort) => Promise<T>,
): Promise<T> {
  if (given) return work(given);
  const admin = client.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Follows the group membership of the runner's consumer. The runner keeps its consumer to itself, so the
 * client handed to it is wrapped: the consumer it creates is observed before the runner gets it.
 */
class Membership {
  private state: SubscriptionState = 'starting';
  private memberId: string | undefined;
  private error: string | undefined;

  constructor(private readonly groupId: string) {}

  observe(client: KafkaClient): KafkaClient {
    return {
      producer: (options) => client.producer(options),
      admin: () => client.admin(),
      consumer: (options) => {
        const consumer = client.consumer(options);
        consumer.on('group-join', (event) => this.joined(event));
        consumer.on('rebalancing', () => this.transition('rebalancing'));
        consumer.on('crash', ({ error }) => {
          this.transition('crashed');
          this.error = error.message;
        });
        return consumer;
      },
    };
  }

  stopped(): void {
    this.state = 'stopped';
  }

  status(assignments: TopicPartitions[]): SubscriptionStatus {
    return {
      groupId: this.groupId,
      state: this.state,
      ...(this.memberId ? { memberId: this.memberId } : {}),
      assignments: this.state === 'joined' ? assignments : [],
      ...(this.state === 'crashed' && this.error ? { error: this.error } : {}),
    };
  }

  private joined(event: ConsumerEvents['group-join']): void {
    this.memberId = event.memberId;
    this.error = undefined;
    this.transition('joined');
  }

  private transition(state: SubscriptionState): void {
    // Events that arrive while the consumer disconnects must not bring a stopped subscription back.
    if (this.state !== 'stopped') this.state = state;
  }
}
