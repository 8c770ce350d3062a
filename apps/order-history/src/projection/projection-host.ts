/**
 * Runs the read model's generations: the served one's consumer group keeps it current, and a rebuild is a
 * new generation built beside it — fresh tables (a schema of its own), a fresh consumer group reading every
 * topic from the start — until it has caught up with the log-end offsets recorded when it started (its
 * high-water marks). Then, in one transaction, it becomes the served generation (the `public` views point at
 * it); the old generation's consumer stops and its schema, group and retry topics are deleted. Its group goes
 * on as the live one: there is no second hand-over.
 *
 * Restarts: a generation being built is resumed from its group's committed offsets (its rows are already
 * in its schema), never restarted. A served generation built by an older code version (`codeVersion`) is
 * served as it stands, with no consumer (the code that built it is gone), while a generation of the current
 * version is built; that is how a change to the projection's code reaches the data.
 *
 * One instance runs this per database: the boot decisions take an advisory lock, and the table's partial
 * unique indexes refuse a second served or building generation.
 *
 * Framework-free (a DataSource, a Kafka client, the envelope codec); `projection.provider.ts` is its Nest
 * wiring.
 */
import { classifyPostgresError } from '@orderstream/messaging/postgres';
import {
  on,
  subscribe,
  type AdminPort,
  type ConsumerDefinition,
  type EnvelopeCodec,
  type EventDefinition,
  type KafkaClient,
  type Logger,
  type ProducerPort,
  type Subscription,
} from '@orderstream/messaging';
import { consumerSettings } from '@orderstream/messaging';
import type { DataSource } from 'typeorm';
import { createGenerationSchema, dropGenerationSchema, pointViewsAt } from './generation-schema';
import { applyToGeneration, timelineEventOf } from './order-history.projector';

/** Offsets per topic and partition, as JSON keeps them. */
export type Offsets = Record<string, Record<string, number>>;

export type GenerationStatus = 'building' | 'serving' | 'retired';

export interface Generation {
  generation: number;
  codeVersion: number;
  status: GenerationStatus;
  consumerGroup: string;
  highWaterMarks: Offsets | null;
  resumedFrom: Offsets | null;
  resumes: number;
}

export interface GenerationProgress extends Generation {
  /** Records still to read: up to the high-water marks while building, up to the log end when served. */
  lag: number;
  /** Building: records read of those below the high-water marks. */
  done?: number;
  target?: number;
  /** Whether a consumer runs for it in this process. */
  consuming: boolean;
}

export interface ProjectionStatus {
  codeVersion: number;
  serving: GenerationProgress | null;
  building: GenerationProgress | null;
}

export interface ProjectionHostOptions {
  dataSource: DataSource;
  client: KafkaClient;
  codec: EnvelopeCodec;
  /** The consumer's settings (delivery, retry, concurrency); each generation's group is `<groupPrefix>.g<n>`. */
  consumer: ConsumerDefinition;
  groupPrefix: string;
  /** The events the projection folds, with their topics. */
  events: readonly EventDefinition<{ orderId: string }>[];
  /** The projection code's version: a served generation of another version is rebuilt. */
  codeVersion: number;
  /** How often a build's progress is checked against its high-water marks. Default 250 ms. */
  pollIntervalMs?: number;
  logger: Logger;
}

/** The generations table's advisory lock: one boot decision or hand-over at a time. */
const LOCK_KEY = 7_342_001;

interface GenerationRow {
  generation: number;
  code_version: number;
  status: GenerationStatus;
  consumer_group: string;
  high_water_marks: Offsets | null;
  resumed_from: Offsets | null;
  resumes: number;
}

export class ProjectionHost {
  private readonly running = new Map<number, Subscription>();
  private producer: ProducerPort | undefined;
  private admin: AdminPort | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private handingOver: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ProjectionHostOptions) {}

  get topics(): string[] {
    return [...new Set(this.options.events.map((e) => e.topic))];
  }

  async start(): Promise<void> {
    this.producer = this.options.client.producer({ idempotent: true });
    this.admin = this.options.client.admin();
    await Promise.all([this.producer.connect(), this.admin.connect()]);

    const { serving, building } = await this.withLock(async () => {
      let generations = await this.generations();
      let serving = generations.find((g) => g.status === 'serving');
      if (!serving) {
        // The first generation is served at once, empty and catching up: there is nothing better to serve.
        serving = await this.createGeneration(1, 'serving', null);
        generations = await this.generations();
      }
      let building = generations.find((g) => g.status === 'building') ?? null;
      if (building && building.codeVersion !== this.options.codeVersion) {
        this.options.logger.warn(
          { generation: building.generation, codeVersion: building.codeVersion },
          'dropping a build of another code version',
        );
        await this.discard(building);
        building = null;
      }
      return { serving, building };
    });

    if (serving.codeVersion === this.options.codeVersion) await this.consume(serving);
    else
      this.options.logger.warn(
        {
          generation: serving.generation,
          servedVersion: serving.codeVersion,
          codeVersion: this.options.codeVersion,
        },
        'the served generation was built by another code version: serving it as it stands while a new one is built',
      );

    if (building) await this.resume(building);
    else if (serving.codeVersion !== this.options.codeVersion) await this.rebuild();
  }

  /**
   * Starts a rebuild, or returns the one under way. The new generation's high-water marks are the topics'
   * log-end offsets now: once its group has committed past them, it has every event the served one had
   * when the rebuild began, and it is served.
   */
  async rebuild(): Promise<Generation> {
    const created = await this.withLock(async () => {
      const generations = await this.generations();
      const building = generations.find((g) => g.status === 'building');
      if (building) return { generation: building, fresh: false };
      const next = Math.max(0, ...generations.map((g) => g.generation)) + 1;
      const highWaterMarks = await this.endOffsets();
      return { generation: await this.createGeneration(next, 'building', highWaterMarks), fresh: true };
    });
    if (created.fresh) {
      this.options.logger.info(
        { generation: created.generation.generation, highWaterMarks: created.generation.highWaterMarks },
        'rebuild started',
      );
      await this.consume(created.generation);
      this.watch();
    }
    return created.generation;
  }

  async status(): Promise<ProjectionStatus> {
    const generations = await this.generations();
    const serving = generations.find((g) => g.status === 'serving') ?? null;
    const building = generations.find((g) => g.status === 'building') ?? null;
    return {
      codeVersion: this.options.codeVersion,
      serving: serving ? await this.progressOf(serving) : null,
      building: building ? await this.progressOf(building) : null,
    };
  }

  /** Stops every consumer (in-flight events finish and are committed) and the progress watch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watcher) clearInterval(this.watcher);
    await this.handingOver?.catch(() => undefined);
    await Promise.all([...this.running.values()].map((s) => s.stop({ timeoutMs: 10_000 })));
    this.running.clear();
    await Promise.all([this.producer?.disconnect(), this.admin?.disconnect()]);
  }

  /** The groups that run here, for readiness and tests. */
  subscriptions(): Subscription[] {
    return [...this.running.values()];
  }

  private async resume(building: Generation): Promise<void> {
    const resumedFrom = await this.committedOffsets(building.consumerGroup);
    await this.options.dataSource.query(
      `UPDATE projection_generations SET resumed_from = $2, resumes = resumes + 1 WHERE generation = $1`,
      [building.generation, JSON.stringify(resumedFrom)],
    );
    this.options.logger.info({ generation: building.generation, resumedFrom }, 'rebuild resumed');
    await this.consume(building);
    this.watch();
  }

  private async consume(generation: Generation): Promise<void> {
    const { dataSource, client, codec, consumer, logger } = this.options;
    const number = generation.generation;
    const routes = this.options.events.map((definition) =>
      on(definition, async (event, context) => {
        try {
          await dataSource.transaction((manager) =>
            applyToGeneration(manager, number, event.data.orderId, timelineEventOf(event, context)),
          );
        } catch (error) {
          // A data error no retry fixes is dead-lettered at once; a lost connection is retried.
          throw classifyPostgresError(error);
        }
      }),
    );
    const subscription = await subscribe({
      ...consumerSettings(consumer),
      client,
      codec,
      groupId: generation.consumerGroup,
      routes,
      producer: this.producer as ProducerPort,
      admin: this.admin as AdminPort,
      runner: { startFrom: 'earliest' },
      logger: logger.child({ generation: number }),
    });
    this.running.set(number, subscription);
  }

  /** Checks the build's progress until it is caught up, then hands over. */
  private watch(): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => {
      if (this.handingOver || this.stopped) return;
      this.handingOver = this.handOverIfCaughtUp()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'projection hand-over failed'))
        .finally(() => {
          this.handingOver = undefined;
        });
    }, this.options.pollIntervalMs ?? 250);
    this.watcher.unref();
  }

  private async handOverIfCaughtUp(): Promise<void> {
    const building = (await this.generations()).find((g) => g.status === 'building');
    if (!building) {
      if (this.watcher) clearInterval(this.watcher);
      this.watcher = undefined;
      return;
    }
    const progress = await this.progressOf(building);
    if (progress.lag > 0) return;

    const retired = await this.withLock(async () => {
      return this.options.dataSource.transaction(async (manager) => {
        const [old] = (await manager.query(
          `UPDATE projection_generations SET status = 'retired', retired_at = now() WHERE status = 'serving'
           RETURNING generation, code_version, status, consumer_group, high_water_marks, resumed_from, resumes`,
        )) as [GenerationRow[], number];
        await manager.query(
          `UPDATE projection_generations SET status = 'serving', served_at = now() WHERE generation = $1`,
          [building.generation],
        );
        await pointViewsAt(manager, building.generation);
        return old.map(fromRow);
      });
    });
    this.options.logger.info(
      { generation: building.generation, retired: retired.map((g) => g.generation) },
      'rebuilt generation caught up: it is served now',
    );
    for (const old of retired) await this.discard(old);
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
  }

  /** Stops a generation's consumer and deletes its tables, its group and its retry topics. */
  private async discard(generation: Generation): Promise<void> {
    const subscription = this.running.get(generation.generation);
    this.running.delete(generation.generation);
    await subscription?.stop({ timeoutMs: 10_000 });
    await dropGenerationSchema(this.options.dataSource.manager, generation.generation);
    const admin = this.admin as AdminPort;
    await admin.deleteGroups([generation.consumerGroup]).catch((error: unknown) => {
      this.options.logger.warn({ err: error, group: generation.consumerGroup }, 'could not delete the group');
    });
    // Its dead-letter topic stays: what failed there is evidence an operator may still want.
    const retryTopics = (await admin.listTopics()).filter((t) =>
      t.startsWith(`${generation.consumerGroup}.retry.`),
    );
    if (retryTopics.length > 0) await admin.deleteTopics(retryTopics);
    if (generation.status !== 'retired') {
      await this.options.dataSource.query(`DELETE FROM projection_generations WHERE generation = $1`, [
        generation.generation,
      ]);
    }
  }

  private async progressOf(generation: Generation): Promise<GenerationProgress> {
    const committed = await this.committedOffsets(generation.consumerGroup);
    const consuming = this.running.has(generation.generation);
    if (generation.status === 'building' && generation.highWaterMarks) {
      let target = 0;
      let done = 0;
      for (const [topic, partitions] of Object.entries(generation.highWaterMarks)) {
        for (const [partition, mark] of Object.entries(partitions)) {
          target += mark;
          done += Math.min(mark, Math.max(0, committed[topic]?.[partition] ?? 0));
        }
      }
      return { ...generation, lag: target - done, done, target, consuming };
    }
    const end = await this.endOffsets();
    let lag = 0;
    for (const [topic, partitions] of Object.entries(end)) {
      for (const [partition, mark] of Object.entries(partitions)) {
        lag += Math.max(0, mark - Math.max(0, committed[topic]?.[partition] ?? 0));
      }
    }
    return { ...generation, lag, consuming };
  }

  private async endOffsets(): Promise<Offsets> {
    const admin = this.admin as AdminPort;
    const result: Offsets = {};
    for (const topic of this.topics) {
      result[topic] = Object.fromEntries(
        (await admin.fetchEndOffsets(topic)).map((p) => [String(p.partition), Number(p.offset)]),
      );
    }
    return result;
  }

  private async committedOffsets(group: string): Promise<Offsets> {
    const admin = this.admin as AdminPort;
    const result: Offsets = {};
    for (const topic of this.topics) {
      result[topic] = Object.fromEntries(
        (await admin.fetchCommittedOffsets(group, topic)).map((p) => [String(p.partition), Number(p.offset)]),
      );
    }
    return result;
  }

  private async createGeneration(
    generation: number,
    status: 'serving' | 'building',
    highWaterMarks: Offsets | null,
  ): Promise<Generation> {
    const consumerGroup = `${this.options.groupPrefix}.g${generation}`;
    await this.options.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO projection_generations (generation, code_version, status, consumer_group, high_water_marks, served_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 = 'serving' THEN now() END)`,
        [
          generation,
          this.options.codeVersion,
          status,
          consumerGroup,
          highWaterMarks && JSON.stringify(highWaterMarks),
        ],
      );
      await createGenerationSchema(manager, generation);
      if (status === 'serving') await pointViewsAt(manager, generation);
    });
    return {
      generation,
      codeVersion: this.options.codeVersion,
      status,
      consumerGroup,
      highWaterMarks,
      resumedFrom: null,
      resumes: 0,
    };
  }

  private async generations(): Promise<Generation[]> {
    const rows = (await this.options.dataSource.query(
      `SELECT generation, code_version, status, consumer_group, high_water_marks, resumed_from, resumes
         FROM projection_generations WHERE status <> 'retired' ORDER BY generation`,
    )) as GenerationRow[];
    return rows.map(fromRow);
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
  }
}

function fromRow(row: GenerationRow): Generation {
  return {
    generation: row.generation,
    codeVersion: row.code_version,
    status: row.status,
    consumerGroup: row.consumer_group,
    highWaterMarks: row.high_water_marks,
    resumedFrom: row.resumed_from,
    resumes: row.resumes,
  };
}
