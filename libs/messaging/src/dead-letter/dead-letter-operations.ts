/**
 * The operator's dead-letter operations on Kafka: list what failed, redrive it to the group that failed
 * it, purge what is dealt with. Bookkeeping (who asked, which jobs ran, which records were redriven) is
 * the caller's: the ops tooling keeps it in its own database.
 *
 * A redrive is a job over a fixed range of the dead-letter topic: from the job's own committed offsets (its
 * consumer group is `<group>.redrive.<jobId>`) up to the log end taken when the job was created. Each chunk
 * of records is redriven in one Kafka transaction that also commits the job's offsets, so a job that
 * crashes resumes where its last transaction ended and no record is redriven twice by one job. The end
 * is fixed because messages that fail again come back to the same topic: a job that read to the current
 * end would chase its own redrives.
 */
import { ValidationError } from '../errors/application.error';
import { retryTopicName } from '../failure/retry-policy';
import { silentLogger, type Logger } from '../logging/logger';
import type {
  AdminPort,
  ConsumedRecord,
  KafkaClient,
  OutgoingRecord,
  PartitionOffset,
  PartitionRange,
} from '../ports/kafka-client.port';
import { readRecords } from '../consumer/read-records';
import {
  groupOfDeadLetterTopic,
  matchesFilter,
  parseDeadLetter,
  parseDeadLetterId,
  quarantineTopicName,
  type DeadLetterFilter,
  type DeadLetterMessage,
} from './dead-letter-message';
import { quarantineRecord, redriveRecord } from './redrive-record';

/** Redrives after which a message is quarantined instead. */
export const DEFAULT_MAX_REDRIVES = 3;

export const deadLetterTopicOf = (groupId: string): string => `${groupId}.dlt`;

/** The consumer group whose committed offsets are a redrive job's progress. */
export const redriveJobGroupId = (groupId: string, jobId: string): string => `${groupId}.redrive.${jobId}`;

async function withAdmin<T>(client: KafkaClient, work: (admin: AdminPort) => Promise<T>): Promise<T> {
  const admin = client.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The groups that have a dead-letter topic, optionally only the named ones. */
export async function deadLetterGroups(admin: AdminPort, only?: readonly string[]): Promise<string[]> {
  const groups = (await admin.listTopics())
    .map((topic) => groupOfDeadLetterTopic(topic))
    .filter((group): group is string => group !== undefined)
    .sort();
  if (only === undefined) return groups;
  const missing = only.filter((group) => !groups.includes(group));
  if (missing.length > 0) {
    throw new ValidationError(`No dead-letter topic for group(s) ${missing.join(', ')}`, {
      details: { missing },
    });
  }
  return groups.filter((group) => only.includes(group));
}

export interface DeadLetterGroupSummary {
  groupId: string;
  topic: string;
  /** Records in the topic now (purged ones excluded). */
  total: number;
  /** Of those, how many match the filter, per error code, most first. */
  byErrorCode: { errorCode: string; count: number }[];
}

export interface DeadLetterListing {
  groups: DeadLetterGroupSummary[];
  /** Matching messages, oldest first per partition; at most `limit`. */
  messages: DeadLetterMessage[];
}

export interface ListDeadLettersOptions {
  groups?: readonly string[];
  filter?: DeadLetterFilter;
  /** Drop messages for which this says so (e.g. already redriven); they are not counted either. */
  exclude?: (message: DeadLetterMessage) => boolean;
  /** Most messages returned (the summary still counts all). Default 1000. */
  limit?: number;
}

const total = (ranges: readonly PartitionRange[]): number =>
  ranges.reduce((sum, r) => sum + Number(BigInt(r.end) - BigInt(r.start)), 0);

export async function listDeadLetters(
  client: KafkaClient,
  options: ListDeadLettersOptions = {},
): Promise<DeadLetterListing> {
  const scope = await withAdmin(client, async (admin) => {
    const groups = await deadLetterGroups(admin, options.groups);
    return Promise.all(
      groups.map(async (groupId) => {
        const topic = deadLetterTopicOf(groupId);
        return { groupId, topic, ranges: await admin.fetchPartitionRanges(topic) };
      }),
    );
  });
  const records = await readRecords(
    client,
    scope.flatMap(({ topic, ranges }) =>
      ranges.map((r) => ({ topic, partition: r.partition, fromOffset: r.start, toOffset: r.end })),
    ),
  );
  const matching = records
    .map(parseDeadLetter)
    .filter((m) => matchesFilter(m, options.filter) && !(options.exclude?.(m) ?? false));
  const groups = scope.map(({ groupId, topic, ranges }) => {
    const counts = new Map<string, number>();
    for (const m of matching) {
      if (m.topic !== topic) continue;
      const code = m.errorCode ?? 'UNKNOWN';
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    return {
      groupId,
      topic,
      total: total(ranges),
      byErrorCode: [...counts]
        .map(([errorCode, count]) => ({ errorCode, count }))
        .sort((a, b) => b.count - a.count || (a.errorCode < b.errorCode ? -1 : 1)),
    };
  });
  return { groups, messages: matching.slice(0, options.limit ?? 1_000) };
}

/** One dead-lettered record by id, with its raw record for decoding; undefined when it is not there. */
export async function readDeadLetter(
  client: KafkaClient,
  id: string,
): Promise<{ message: DeadLetterMessage; record: ConsumedRecord } | undefined> {
  const at = parseDeadLetterId(id);
  if (at === undefined || groupOfDeadLetterTopic(at.topic) === undefined) {
    throw new ValidationError(`"${id}" is not a dead-letter message id (<group>.dlt:<partition>:<offset>)`, {
      details: { id },
    });
  }
  const [record] = await readRecords(client, [
    { ...at, fromOffset: at.offset, toOffset: String(BigInt(at.offset) + 1n) },
  ]);
  return record === undefined || record.offset !== at.offset
    ? undefined
    : { message: parseDeadLetter(record), record };
}

export type RedriveAction = 'redriven' | 'quarantined';

export interface RedriveOutcome {
  id: string;
  eventId?: string;
  eventType?: string;
  errorCode?: string;
  redriveCount: number;
  action: RedriveAction;
}

export interface RedriveOptions {
  groupId: string;
  /** Names the job's consumer group and transactional id; the same id resumes the job. */
  jobId: string;
  /** The dead-letter topic's log end per partition when the job was created: the job stops there. */
  until: readonly PartitionOffset[];
  filter?: DeadLetterFilter;
  /** Leave these out (e.g. records an earlier job redriven already). */
  exclude?: (message: DeadLetterMessage) => boolean;
  /** A message redriven this many times already is quarantined instead. Default `DEFAULT_MAX_REDRIVES`. */
  maxRedrives?: number;
  /** Say what would happen, write nothing, commit nothing. */
  dryRun?: boolean;
  /** Records per transaction. Default 100. */
  chunkSize?: number;
  /**
   * Told after each committed transaction what it did (after a dry run's reading, once). Throwing here
   * stops the job; what was committed stays committed and the job resumes after it.
   */
  onCommitted?: (outcomes: readonly RedriveOutcome[]) => Promise<void>;
  now?: () => number;
  logger?: Logger;
}

export interface RedriveReport {
  groupId: string;
  jobId: string;
  dryRun: boolean;
  /** Records read in this run (from the job's position to its end). */
  scanned: number;
  outcomes: RedriveOutcome[];
  redriven: number;
  quarantined: number;
  /** Read but not selected (filter, exclusion). */
  skipped: number;
}

/** The end offsets a new redrive job of the group stops at: the dead-letter topic's log end now. */
export async function redriveEnd(client: KafkaClient, groupId: string): Promise<PartitionOffset[]> {
  return withAdmin(client, async (admin) => {
    await deadLetterGroups(admin, [groupId]);
    return (await admin.fetchPartitionRanges(deadLetterTopicOf(groupId))).map((r) => ({
      partition: r.partition,
      offset: r.end,
    }));
  });
}

/** What the job decides for one record; `undefined` = not selected. */
function decide(message: DeadLetterMessage, options: RedriveOptions): RedriveAction | undefined {
  if (!matchesFilter(message, options.filter) || (options.exclude?.(message) ?? false)) return undefined;
  return message.redriveCount >= (options.maxRedrives ?? DEFAULT_MAX_REDRIVES) ? 'quarantined' : 'redriven';
}

const outcomeOf = (message: DeadLetterMessage, action: RedriveAction): RedriveOutcome => ({
  id: message.id,
  eventId: message.eventId,
  eventType: message.eventType,
  errorCode: message.errorCode,
  redriveCount: message.redriveCount,
  action,
});

export async function redriveDeadLetters(
  client: KafkaClient,
  options: RedriveOptions,
): Promise<RedriveReport> {
  const { groupId, jobId } = options;
  const dltTopic = deadLetterTopicOf(groupId);
  const retryTopic = retryTopicName(groupId, 1);
  const quarantineTopic = quarantineTopicName(groupId);
  const jobGroup = redriveJobGroupId(groupId, jobId);
  const until = new Map(options.until.map((p) => [p.partition, BigInt(p.offset)]));
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger).child({ groupId, jobId });

  // Where the job stands: its committed offsets, or the log start, per partition.
  const positions = await withAdmin(client, async (admin) => {
    const topics = new Set(await admin.listTopics());
    if (!topics.has(dltTopic)) {
      throw new ValidationError(`No dead-letter topic for group ${groupId}`, { details: { groupId } });
    }
    if (!topics.has(retryTopic)) {
      throw new ValidationError(
        `Group ${groupId} has no retry topic: a redrive goes through ${retryTopic} so that only this group sees it`,
        { details: { groupId, retryTopic } },
      );
    }
    const ranges = await admin.fetchPartitionRanges(dltTopic);
    if (!options.dryRun && !topics.has(quarantineTopic)) {
      await admin.createTopics([{ topic: quarantineTopic, partitions: ranges.length }]);
    }
    const committed = new Map(
      (await admin.fetchCommittedOffsets(jobGroup, dltTopic)).map((p) => [p.partition, BigInt(p.offset)]),
    );
    return ranges.map((r) => {
      const c = committed.get(r.partition) ?? -1n;
      const start = BigInt(r.start);
      return { partition: r.partition, from: c > start ? c : start };
    });
  });
  const pending = positions.filter((p) => p.from < (until.get(p.partition) ?? 0n));
  const report: RedriveReport = {
    groupId,
    jobId,
    dryRun: options.dryRun ?? false,
    scanned: 0,
    outcomes: [],
    redriven: 0,
    quarantined: 0,
    skipped: 0,
  };
  if (pending.length === 0) return report;

  const classify = (records: readonly ConsumedRecord[]) =>
    records.map((record) => {
      const message = parseDeadLetter(record);
      return { record, message, action: decide(message, options) };
    });
  const tally = (decided: ReturnType<typeof classify>): RedriveOutcome[] => {
    const outcomes: RedriveOutcome[] = [];
    for (const { message, action } of decided) {
      report.scanned += 1;
      if (action === undefined) report.skipped += 1;
      else {
        report[action] += 1;
        outcomes.push(outcomeOf(message, action));
      }
    }
    report.outcomes.push(...outcomes);
    return outcomes;
  };

  if (options.dryRun) {
    const records = await readRecords(
      client,
      pending.map((p) => ({
        topic: dltTopic,
        partition: p.partition,
        fromOffset: String(p.from),
        toOffset: String(until.get(p.partition)),
      })),
    );
    const outcomes = tally(classify(records));
    await options.onCommitted?.(outcomes);
    return report;
  }

  const producer = client.producer({ transactionalId: `orderstream-redrive-${groupId}-${jobId}` });
  const consumer = client.consumer({ groupId: jobGroup, fetchMaxWaitMs: 100 });
  const open = new Set(pending.map((p) => p.partition));
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const chunkSize = options.chunkSize ?? 100;
  let stopped = false;

  const redriveChunk = async (partition: number, records: ConsumedRecord[]): Promise<void> => {
    const decided = classify(records);
    const stamp = { jobId, now: now() };
    const toRetry: OutgoingRecord[] = [];
    const toQuarantine: OutgoingRecord[] = [];
    for (const { record, message, action } of decided) {
      if (action === 'redriven') toRetry.push(redriveRecord(record, message, stamp));
      if (action === 'quarantined') {
        toQuarantine.push(
          quarantineRecord(record, message, {
            ...stamp,
            maxRedrives: options.maxRedrives ?? DEFAULT_MAX_REDRIVES,
          }),
        );
      }
    }
    const last = records[records.length - 1];
    if (last === undefined) return;
    const tx = await producer.transaction();
    try {
      if (toRetry.length > 0) await tx.send(retryTopic, toRetry);
      if (toQuarantine.length > 0) await tx.send(quarantineTopic, toQuarantine);
      await tx.sendOffsets(jobGroup, [
        { topic: dltTopic, partition, offset: String(BigInt(last.offset) + 1n) },
      ]);
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    }
    const outcomes = tally(decided);
    logger.info(
      { partition, throughOffset: last.offset, redriven: toRetry.length, quarantined: toQuarantine.length },
      'Redrive chunk committed',
    );
    await options.onCommitted?.(outcomes);
  };

  let idle: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idle);
    // Only a tail of transaction markers can keep a partition open without records; nothing is written
    // to a dead-letter topic transactionally, so this is a safety net, not the normal end.
    idle = setTimeout(finish, 5_000);
  };
  consumer.on('group-join', ({ assignments }) => {
    const done = assignments.flatMap(({ topic, partitions = [] }) =>
      topic === dltTopic ? partitions.filter((p) => !open.has(p)) : [],
    );
    if (done.length > 0) consumer.pause([{ topic: dltTopic, partitions: done }]);
    touch();
  });
  consumer.on('crash', ({ error, restart }) => {
    if (!restart) fail(error);
  });

  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe([dltTopic], { fromBeginning: true });
    await consumer.run({
      eachBatch: async (batch, controls) => {
        // After a failure the job is over: kafkajs would retry the batch from its in-memory position,
        // which may lie before the last committed transaction, and redrive that chunk a second time.
        if (stopped || !open.has(batch.partition)) return;
        const end = until.get(batch.partition) ?? 0n;
        const inRange = batch.records.filter((r) => BigInt(r.offset) < end);
        try {
          for (let i = 0; i < inRange.length; i += chunkSize) {
            const chunk = inRange.slice(i, i + chunkSize);
            await redriveChunk(batch.partition, chunk);
            controls.resolveOffset(chunk[chunk.length - 1]?.offset ?? '0');
            await controls.heartbeat();
          }
        } catch (error) {
          stopped = true;
          fail(error);
          return;
        }
        const lastSeen = batch.records[batch.records.length - 1];
        if (lastSeen !== undefined && BigInt(lastSeen.offset) + 1n >= end) {
          open.delete(batch.partition);
          consumer.pause([{ topic: dltTopic, partitions: [batch.partition] }]);
        }
        if (open.size === 0) finish();
        else touch();
      },
    });
    await finished;
  } finally {
    clearTimeout(idle);
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
  return report;
}

/** Deletes a finished job's consumer group, its only state on the cluster. */
export async function forgetRedriveJob(client: KafkaClient, groupId: string, jobId: string): Promise<void> {
  await withAdmin(client, (admin) => admin.deleteGroups([redriveJobGroupId(groupId, jobId)]));
}

export type PurgeUpTo =
  | { kind: 'all' }
  /** Records dead-lettered before this time (epoch ms). */
  | { kind: 'before'; timestamp: number }
  /** Explicit offsets per partition (records below each are deleted). */
  | { kind: 'offsets'; offsets: readonly PartitionOffset[] };

export interface PurgeReport {
  groupId: string;
  topic: string;
  dryRun: boolean;
  partitions: { partition: number; start: string; newStart: string; deleted: number }[];
  deleted: number;
}

/**
 * Deletes the oldest records of a group's dead-letter topic (Kafka deletes a prefix of each partition, not
 * single records). A dry run says how many would go.
 */
export async function purgeDeadLetters(
  client: KafkaClient,
  options: { groupId: string; upTo: PurgeUpTo; dryRun?: boolean },
): Promise<PurgeReport> {
  const { groupId, upTo } = options;
  const topic = deadLetterTopicOf(groupId);
  const ranges = await withAdmin(client, async (admin) => {
    await deadLetterGroups(admin, [groupId]);
    return admin.fetchPartitionRanges(topic);
  });
  let targets: Map<number, bigint>;
  if (upTo.kind === 'all') targets = new Map(ranges.map((r) => [r.partition, BigInt(r.end)]));
  else if (upTo.kind === 'offsets')
    targets = new Map(upTo.offsets.map((o) => [o.partition, BigInt(o.offset)]));
  else {
    const records = await readRecords(
      client,
      ranges.map((r) => ({ topic, partition: r.partition, fromOffset: r.start, toOffset: r.end })),
    );
    targets = new Map(
      ranges.map((r) => {
        const first = records.find(
          (rec) => rec.partition === r.partition && Number(rec.timestamp) >= upTo.timestamp,
        );
        return [r.partition, first === undefined ? BigInt(r.end) : BigInt(first.offset)];
      }),
    );
  }
  const partitions = ranges
    .filter((r) => targets.has(r.partition))
    .map((r) => {
      const start = BigInt(r.start);
      const wanted = targets.get(r.partition) ?? start;
      const end = BigInt(r.end);
      const newStart = wanted < start ? start : wanted > end ? end : wanted;
      return {
        partition: r.partition,
        start: r.start,
        newStart: String(newStart),
        deleted: Number(newStart - start),
      };
    });
  const dryRun = options.dryRun ?? false;
  const changed = partitions.filter((p) => p.deleted > 0);
  if (!dryRun && changed.length > 0) {
    await withAdmin(client, (admin) =>
      admin.deleteRecords(
        topic,
        changed.map((p) => ({ partition: p.partition, offset: p.newStart })),
      ),
    );
  }
  return { groupId, topic, dryRun, partitions, deleted: partitions.reduce((s, p) => s + p.deleted, 0) };
}
