/**
 * Publishes one source database's outbox, safely alongside other relay instances, keeping per-aggregate
 * order. Framework-free: the Nest app only starts and stops one of these per source.
 *
 * Leader per source: every instance keeps one dedicated PostgreSQL session per source and tries to take a
 * session-level advisory lock on it (`pg_try_advisory_lock`). The instance that holds it is the source's
 * only publisher; the others retry every `lockRetryIntervalMs`. The lock belongs to the session, so when
 * the leader stops, crashes or loses its connection, PostgreSQL ends the session and frees the lock, and a
 * follower takes over at its next try. Nothing to expire, no clock to trust.
 *
 * The leader reads, marks and LISTENs on that same session: a batch can only start while the lock is held
 * (the SELECT would fail on a dead session), and a notification wakes exactly the instance that publishes.
 *
 * Per-key order end to end: one publisher per source at a time, rows sent in `sequence` order (the
 * service serialises the writes of one aggregate, so its rows are numbered and committed in event order),
 * one `send` per topic per batch with the next batch only after the previous one was acknowledged, and an
 * idempotent producer (one request in flight, broker-side sequence numbers) so retries neither reorder nor
 * duplicate within a partition. A hand-over can repeat the rows the old leader sent but did not mark;
 * they are repeated in order, before anything newer, and consumers' inboxes skip them by `ce_id`.
 */
import { Client, type ClientConfig } from 'pg';
import { errorCode } from '../../errors/messaging.error';
import { silentLogger, type Logger } from '../../logging/logger';
import type { ProducerPort } from '../../ports/kafka-client.port';
import { bareTableName, quoteTableName, resolveTableNames } from '../messaging-tables';
import { OutboxPublisher, type OutboxRow, type PublishedBatch } from './outbox-publisher';
import type { RelayMetrics } from './relay-metrics';

export type SourceRelayRole = 'stopped' | 'connecting' | 'follower' | 'leader';

export interface SourceRelayStatus {
  source: string;
  role: SourceRelayRole;
  /** The last error of the session or a batch, until the next successful round. */
  lastError?: string;
}

export interface SourceRelayOptions {
  /** The source's name (`orders`): the `source` metric label and in every log line. */
  source: string;
  /**
   * How to open the relay's dedicated session to the source database (a `postgres://` URL or a `pg`
   * client config). Not a pool: the advisory lock and LISTEN belong to one session.
   */
  connection: string | ClientConfig;
  /** An idempotent producer (the library's default), connected. One per source, see the module comment. */
  producer: ProducerPort;
  /** Default `messaging_outbox`; may be schema-qualified. Must be the table the service's writer uses. */
  table?: string;
  /** Channel the writer NOTIFYs (default: the table's name, as `OutboxWriter`); `false`: poll only. */
  notifyChannel?: string | false;
  /** Rows per batch. Default 500. */
  batchSize?: number;
  /** Fallback poll while leading, for notifications lost while reconnecting. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How often a follower tries to take the lock, and the pause after an error. Default 5000 ms. */
  lockRetryIntervalMs?: number;
  /** How often the backlog gauges are refreshed (a count over the unpublished rows). Default 5000 ms. */
  backlogIntervalMs?: number;
  metrics?: RelayMetrics;
  logger?: Logger;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`SourceRelay ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export class SourceRelay {
  readonly source: string;
  private readonly publisher: OutboxPublisher;
  private readonly connection: ClientConfig;
  private readonly lockName: string;
  private readonly listenSql: string | undefined;
  private readonly backlogSql: string;
  private readonly pollIntervalMs: number;
  private readonly lockRetryIntervalMs: number;
  private readonly backlogIntervalMs: number;
  private readonly metrics: RelayMetrics | undefined;
  private readonly logger: Logger;

  private role: SourceRelayRole = 'stopped';
  private lastError: string | undefined;
  private session: Client | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastBacklogAt = 0;
  /** Set by a notification (or stop) that arrived while no idle wait was in progress. */
  private wakePending = false;
  private wakeIdle: (() => void) | undefined;
  /** Set when the session dropped under us (outside a failing query); the loop backs off before reconnecting. */
  private sessionWasLost = false;
  private readonly quotedTable: string;
  /** The outbox table was there once; from then on it is not looked for again. */
  private outboxTableSeen = false;
  private toldWaitingForTable = false;

  constructor(options: SourceRelayOptions) {
    this.source = options.source;
    const table = resolveTableNames(options.table ? { outbox: options.table } : {}).outbox;
    this.publisher = new OutboxPublisher({
      producer: options.producer,
      table,
      batchSize: positive('batchSize', options.batchSize ?? 500),
    });
    this.pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 1_000);
    this.lockRetryIntervalMs = positive('lockRetryIntervalMs', options.lockRetryIntervalMs ?? 5_000);
    this.backlogIntervalMs = positive('backlogIntervalMs', options.backlogIntervalMs ?? 5_000);
    const base =
      typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection;
    // Named, so an operator can tell the relay's sessions (and the leader's lock) apart in pg_stat_activity.
    this.connection = { application_name: `outbox-relay:${options.source}`, ...base };
    // Advisory locks are per database: the key only has to tell this outbox apart from other users of
    // advisory locks in the same database. hashtextextended gives the 64-bit key from a readable name.
    this.lockName = `orderstream.outbox-relay:${table}`;
    this.quotedTable = quoteTableName(table);
    const channel = options.notifyChannel === undefined ? bareTableName(table) : options.notifyChannel;
    if (channel !== false && !CHANNEL.test(channel)) {
      throw new RangeError(`SourceRelay notifyChannel must be a lower-case identifier, got "${channel}"`);
    }
    // Channel names cannot be bound as parameters; validated above, then quoted.
    this.listenSql = channel === false ? undefined : `LISTEN "${channel}"`;
    this.backlogSql = `
      SELECT count(*)::float8 AS depth,
             coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
      FROM ${quoteTableName(table)}
      WHERE published_at IS NULL`;
    this.metrics = options.metrics;
    this.logger = options.logger ?? silentLogger;
  }

  status(): SourceRelayStatus {
    return { source: this.source, role: this.role, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /**
   * Starts relaying in the background. Resolves after the first attempt to connect and take the lock, as
   * leader, follower or (on an error, which is logged and retried) neither: an unreachable source must not
   * stop the relay from serving the others.
   */
  async start(): Promise<void> {
    if (this.loop) return;
    this.running = true;
    let firstRound!: () => void;
    const started = new Promise<void>((resolve) => (firstRound = resolve));
    this.loop = this.run(firstRound);
    await started;
  }

  /**
   * Stops after the batch in progress (whose rows are then marked), and closes the session, which frees
   * the lock at once: a follower takes over at its next try.
   */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
    await this.closeSession();
    this.setRole('stopped');
  }

  private async run(firstRound: () => void): Promise<void> {
    while (this.running) {
      if (this.sessionWasLost) {
        // Back off before reconnecting, like after any failure: a database that just dropped us is not
        // hammered, and a peer gets its chance at the lock.
        this.sessionWasLost = false;
        await this.backoff();
        continue;
      }
      try {
        const session = await this.openSession();
        if (!(await this.outboxTableExists(session))) {
          firstRound();
          await this.idle(this.pollIntervalMs);
          continue;
        }
        if (this.role !== 'leader') await this.tryToLead(session);
        if (this.role === 'leader') await this.drain(session);
        await this.measureBacklogIfDue(session);
        this.lastError = undefined;
        firstRound();
        await this.idle(this.role === 'leader' ? this.pollIntervalMs : this.lockRetryIntervalMs);
      } catch (error) {
        firstRound();
        if (!this.running) break;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.metrics?.failures.inc({ source: this.source });
        this.logger.error(
          { err: error, code: errorCode(error), source: this.source, role: this.role },
          'outbox relay round failed; stepping down and retrying',
        );
        // Any failure gives the lock up (by ending the session): a peer that can reach Kafka and the
        // database may take over meanwhile, and nothing half-done survives into the next round.
        await this.closeSession();
        this.setRole('connecting');
        this.sessionWasLost = false;
        await this.backoff();
      }
    }
  }

  private async openSession(): Promise<Client> {
    if (this.session) return this.session;
    this.setRole('connecting');
    const client = new Client(this.connection);
    // Without an 'error' listener a dropped connection would crash the process. A lost session means a
    // lost lock: stop acting as leader at once and let the loop reconnect.
    client.on('error', (error) => this.sessionLost(client, error));
    client.on('end', () => this.sessionLost(client, new Error('the session ended')));
    client.on('notification', () => this.wake());
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.session = client;
    this.setRole('follower');
    return client;
  }

  /**
   * Whether the source's service has created its outbox table yet. The relay usually starts with the
   * services (compose, the demo, a fresh deployment) and reaches a database before its service has run its
   * migrations; every round would then fail with `relation "messaging_outbox" does not exist`. Until the
   * table appears the relay waits, polling, says so once, and takes no lock. Checked only until it is
   * seen: a table that disappears later is a real failure, and the round's error says so.
   */
  private async outboxTableExists(session: Client): Promise<boolean> {
    if (this.outboxTableSeen) return true;
    const { rows } = await session.query<{ present: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS present',
      [this.quotedTable],
    );
    if (rows[0]?.present === true) {
      this.outboxTableSeen = true;
      return true;
    }
    if (!this.toldWaitingForTable) {
      this.toldWaitingForTable = true;
      this.logger.info(
        { source: this.source, table: this.quotedTable },
        'outbox relay is waiting for the outbox table (its service has not created it yet)',
      );
    }
    return false;
  }

  private async tryToLead(session: Client): Promise<void> {
    const { rows } = await session.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [this.lockName],
    );
    if (rows[0]?.locked !== true) return;
    // LISTEN before the first read: a row committed after the LISTEN wakes us, one committed before it is
    // found by the read. Either way nothing waits for the poll.
    if (this.listenSql) await session.query(this.listenSql);
    this.setRole('leader');
    this.logger.info(
      { source: this.source, lock: this.lockName },
      'outbox relay is the leader of this source',
    );
  }

  /**
   * Publishes batch after batch until one comes back short: the outbox is drained. Pipelined on the one
   * session: while a full batch is in flight to Kafka, the next one is read (rows past its last sequence),
   * and a batch is marked while the next one is sent. Kafka still sees one batch after the other (the next
   * send starts only once the previous one was acknowledged), so per-key order holds; a read-ahead batch
   * is dropped unsent when a send fails, and the round ends with the failure.
   */
  private async drain(session: Client): Promise<void> {
    const { publisher } = this;
    // A notification from here on may be about a row this read does not see: it triggers another round.
    this.wakePending = false;
    let reading: Promise<OutboxRow[]> | undefined = publisher.read(session);
    let marking: Promise<PublishedBatch> | undefined;
    try {
      while (this.running && reading) {
        const rows = await reading;
        reading = undefined;
        const sending = publisher.send(rows);
        const last = rows.at(-1);
        if (rows.length === publisher.batchSize && last) {
          this.wakePending = false;
          reading = publisher.read(session, last.sequence);
        }
        const sent = await sending;
        if (marking) this.record(await marking);
        marking = publisher.mark(session, sent);
        if (sent.failure) {
          this.record(await marking);
          marking = undefined;
          throw sent.failure;
        }
      }
      if (marking) this.record(await marking);
      marking = undefined;
    } finally {
      // Settle what is still queued on the session before the round ends (its errors are the round's).
      await Promise.allSettled([reading, marking].filter((p) => p !== undefined));
    }
  }

  private record(batch: PublishedBatch): void {
    if (batch.size === 0 || !this.metrics) return;
    const source = this.source;
    this.metrics.batchSize.observe({ source }, batch.size);
    for (const { topic, count } of batch.topics) this.metrics.published.inc({ source, topic }, count);
    for (const latency of batch.latenciesSeconds) this.metrics.publishLatency.observe({ source }, latency);
    this.logger.debug({ source, rows: batch.size, topics: batch.topics }, 'outbox batch published');
  }

  private async measureBacklogIfDue(session: Client): Promise<void> {
    if (!this.metrics || Date.now() - this.lastBacklogAt < this.backlogIntervalMs) return;
    const { rows } = await session.query<{ depth: number; age: number }>(this.backlogSql);
    this.metrics.backlog.set({ source: this.source }, rows[0]?.depth ?? 0);
    this.metrics.oldestUnpublishedAge.set({ source: this.source }, rows[0]?.age ?? 0);
    this.lastBacklogAt = Date.now();
  }

  /** Waits `ms`, or less if woken by a notification, a lost session or `stop`. */
  private idle(ms: number): Promise<void> {
    if (this.wakePending || !this.running) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeIdle = done;
    });
  }

  /** Waits `lockRetryIntervalMs`; only `stop` cuts it short (a wake-up queued before it is discarded). */
  private backoff(): Promise<void> {
    this.wakePending = false;
    return this.idle(this.lockRetryIntervalMs);
  }

  private wake(): void {
    if (this.wakeIdle) this.wakeIdle();
    else this.wakePending = true;
  }

  private sessionLost(client: Client, error: Error): void {
    if (this.session !== client) return;
    this.session = undefined;
    if (this.running) {
      this.lastError = error.message;
      this.logger.warn(
        { err: error, source: this.source, wasLeader: this.role === 'leader' },
        'outbox relay lost its database session; reconnecting',
      );
    }
    this.sessionWasLost = true;
    this.setRole('connecting');
    this.wake();
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    // Ending the session frees the advisory lock and drops the LISTEN.
    await session?.end().catch(() => undefined);
  }

  private setRole(role: SourceRelayRole): void {
    this.role = role;
    this.metrics?.leader.set({ source: this.source }, role === 'leader' ? 1 : 0);
  }
}
