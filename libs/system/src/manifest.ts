/**
 * The shape of the system manifest: what each service is, owns and talks to, stated once. Everything that
 * needs to know the system reads it instead of keeping a list of its own: tools/infra creates the
 * databases, the demo and the e2e harness start the services, the relay finds its outboxes, each service
 * provisions the topics it owns at boot, and docker-compose.yml is generated from it.
 *
 * Plain data and pure functions with no dependency at all, so that everything can import it, tools/infra
 * (below the test harness, which the contracts' own tests use) included. Events are named by their
 * CloudEvents type; the contracts' tests check every name against @orderstream/contracts, and a service's
 * boot checks its handlers and published contracts against its entry.
 */

const DAY_MS = 24 * 3_600_000;

/**
 * How the order saga runs, system-wide (`SAGA_MODE`): its services react to each other's events
 * (choreography, the default), or orders sends commands to payments and inventory and acts on their replies
 * (orchestration). Consumer groups may consume differently in each (`whenOrchestrated`).
 */
export const SAGA_MODES = ['choreography', 'orchestration'] as const;
export type SagaMode = (typeof SAGA_MODES)[number];

export interface TopicDeclaration {
  name: string;
  partitions: number;
  /**
   * `events` (default): its owner publishes them. `commands`: the owner receives them, and the services in
   * `sentBy` send them (a participant's command topic of the orchestrated saga).
   */
  kind?: 'events' | 'commands';
  /** For a command topic: the services that send its commands. */
  sentBy?: readonly string[];
  /** `delete`: a stream of events, kept for `retentionMs`; `compact`: the latest record per key. */
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  /** How long records are kept; `infinite` keeps them forever (Kafka's -1). */
  retentionMs: number | 'infinite';
  /**
   * The CloudEvents types (`ce_type`) its owner publishes on it, e.g. `orderstream.orders.OrderPlaced`; for a
   * command topic, the commands it carries.
   */
  events: readonly string[];
  description: string;
}

export interface ConsumerGroupDeclaration {
  /**
   * The consumer's name (its `defineConsumer({ name })`), which is also its default group id; a deployment
   * may run it under another (`KAFKA_CONSUMER_GROUP`), a test system under a namespace.
   */
  name: string;
  /** The event types its handlers take; the topics that carry them are what it subscribes to. */
  consumes: readonly string[];
  /** What it consumes instead when the saga runs as an orchestration (`SAGA_MODE=orchestration`). */
  whenOrchestrated?: readonly string[];
}

export interface ServiceDeclaration {
  /** The folder under apps/, the npm workspace `@orderstream/<name>`, the default Kafka client id. */
  name: string;
  description: string;
  /** The HTTP port (health, metrics, API) it listens on by default. */
  port: number;
  /** The PostgreSQL database it owns (migrations, outbox, inbox), if any. */
  database?: string;
  /** True when it writes events through a transactional outbox, which the relay publishes. */
  outbox: boolean;
  /**
   * True for a stream processor that publishes its events itself, in Kafka transactions with its input
   * offsets (consume-transform-produce), rather than through an outbox.
   */
  publishesInTransactions?: boolean;
  /**
   * The services it calls over HTTP (a callback for the details a thin event leaves out): each gets
   * `<NAME>_URL` in its environment (`ORDERS_URL`), pointing at that service wherever it runs.
   */
  calls?: readonly string[];
  /** True for the relay: it reads every outbox of the system. */
  relaysOutboxes?: boolean;
  /**
   * An admin API (and console) on a port of its own, behind bearer tokens (`OPS_ADMIN_PORT`,
   * `OPS_ADMIN_TOKENS`): kept off the service port, so health and metrics never need a token and the
   * admin surface can be firewalled on its own.
   */
  adminPort?: number;
  /** The topics it owns: it creates them at boot and is the only publisher to them (their `events`). */
  topics: readonly TopicDeclaration[];
  consumerGroups: readonly ConsumerGroupDeclaration[];
  /** The container image built for it from the one Dockerfile (`--build-arg SERVICE=<name>`). */
  image: string;
}

/**
 * LOCAL DEVELOPMENT DEFAULT ONLY: the admin token list compose and `npm run demo` give a service with an
 * `adminPort` (the ops console asks for `orderstream-local-operator`). Anywhere else, set your own.
 */
export const LOCAL_ADMIN_TOKENS = 'operator=orderstream-local-operator';

export interface SystemManifest {
  services: readonly ServiceDeclaration[];
}

/** The manifest contradicts itself: a test and every consumer of the manifest refuse it. */
export class ManifestError extends Error {
  readonly problems: readonly string[];

  // A plain field, not a parameter property: tools run this file through Node's type stripping.
  constructor(problems: readonly string[]) {
    super(`The system manifest is inconsistent:\n- ${problems.join('\n- ')}`);
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

/** A delete-policy event stream (`retentionDays` days, default 7 like the broker). */
export function eventStream(
  name: string,
  options: { partitions: number; retentionDays?: number; events: readonly string[]; description: string },
): TopicDeclaration {
  return {
    name,
    partitions: options.partitions,
    cleanupPolicy: 'delete',
    retentionMs: (options.retentionDays ?? 7) * DAY_MS,
    events: options.events,
    description: options.description,
  };
}

/**
 * A participant's command topic: its owner receives the commands, `sentBy` sends them (the orchestrated
 * saga's orchestrator). Delete policy, seven days, like an event stream.
 */
export function commandTopic(
  name: string,
  options: {
    partitions: number;
    commands: readonly string[];
    sentBy: readonly string[];
    description: string;
  },
): TopicDeclaration {
  return {
    name,
    partitions: options.partitions,
    kind: 'commands',
    sentBy: options.sentBy,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    events: options.commands,
    description: options.description,
  };
}

/**
 * A compacted topic of event-carried state: the broker keeps at least the latest record of every key and
 * forgets a key after its tombstone, so a reader that starts from the beginning gets the current state of
 * everything. Kept forever (compaction, not time, decides what goes).
 */
export function compactedTopic(
  name: string,
  options: { partitions: number; events: readonly string[]; description: string },
): TopicDeclaration {
  return {
    name,
    partitions: options.partitions,
    cleanupPolicy: 'compact',
    retentionMs: 'infinite',
    events: options.events,
    description: options.description,
  };
}

/** Checks the manifest and returns it; throws `ManifestError` listing every problem. */
export function defineSystem(manifest: SystemManifest): SystemManifest {
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new ManifestError(problems);
  return manifest;
}

export function manifestProblems(manifest: SystemManifest): string[] {
  const problems: string[] = [];
  const duplicates = (what: string, values: string[]) => {
    const seen = new Set<string>();
    for (const value of values) {
      if (seen.has(value)) problems.push(`${what} "${value}" is declared twice`);
      seen.add(value);
    }
  };
  const { services } = manifest;
  duplicates(
    'service',
    services.map((s) => s.name),
  );
  duplicates(
    'port',
    services.map((s) => String(s.port)),
  );
  duplicates(
    'database',
    services.flatMap((s) => (s.database ? [s.database] : [])),
  );
  duplicates(
    'image',
    services.map((s) => s.image),
  );
  duplicates(
    'topic',
    services.flatMap((s) => s.topics.map((t) => t.name)),
  );
  duplicates(
    'consumer group',
    services.flatMap((s) => s.consumerGroups.map((g) => g.name)),
  );

  duplicates(
    'event type',
    services.flatMap((s) => s.topics.flatMap((t) => [...t.events])),
  );
  const published = new Set(services.flatMap((s) => s.topics.flatMap((t) => [...t.events])));
  for (const service of services) {
    if (!/^[a-z][a-z0-9-]*$/.test(service.name))
      problems.push(`service name "${service.name}" is not kebab-case`);
    if (service.outbox && !service.database) problems.push(`${service.name} has an outbox but no database`);
    for (const called of service.calls ?? []) {
      if (!services.some((s) => s.name === called))
        problems.push(`${service.name} calls ${called}, which is not a service of the system`);
    }
    const publishes = service.topics.some((t) => t.kind !== 'commands' && t.events.length > 0);
    if (publishes && !service.outbox && !service.publishesInTransactions)
      problems.push(`${service.name} publishes events but has no outbox`);
    if (service.outbox && service.publishesInTransactions)
      problems.push(`${service.name} publishes both through an outbox and in Kafka transactions`);
    for (const topic of service.topics) {
      if (!Number.isInteger(topic.partitions) || topic.partitions < 1)
        problems.push(`topic ${topic.name} needs at least one partition`);
      for (const sender of topic.sentBy ?? []) {
        if (!services.some((s) => s.name === sender))
          problems.push(`${sender} sends to ${topic.name} but is not a service of the system`);
        else if (!services.find((s) => s.name === sender)?.outbox)
          problems.push(`${sender} sends commands to ${topic.name} but has no outbox`);
      }
      if ((topic.kind === 'commands') !== (topic.sentBy !== undefined && topic.sentBy.length > 0))
        problems.push(`topic ${topic.name}: a command topic, and only one, names who sends to it`);
    }
    for (const group of service.consumerGroups) {
      for (const type of [...group.consumes, ...(group.whenOrchestrated ?? [])]) {
        if (!published.has(type))
          problems.push(`${service.name}'s group ${group.name} consumes ${type}, which no topic carries`);
      }
    }
  }
  return problems;
}
