/**
 * How a consumer group retries: a few immediate, in-process attempts per delivery, then one retry topic
 * per delay, then the dead-letter topic. Topics are scoped to the consumer group, so a failure in one
 * group never redelivers a message to another group reading the same source topic.
 */
import { MessagingError } from '../errors/messaging.error';

export interface ImmediateRetryPolicy {
  /** Handler calls per delivery, the first included (1 = no immediate retry). */
  attempts: number;
  /** Delay before the first immediate retry; doubled for each further one (with full jitter). */
  backoffMs: number;
  /** Upper bound of one backoff delay. Default: no bound beyond the doubling. */
  maxBackoffMs?: number;
}

export interface RetryPolicy {
  immediate: ImmediateRetryPolicy;
  /**
   * One retry topic per entry, `<group>.retry.<n>` for n = 1..N: a message failing on the source topic
   * waits `delaysMs[0]` on retry topic 1, failing there waits `delaysMs[1]` on retry topic 2, and so on.
   * Each topic has a single delay, so its records become due in the order they were written. Empty: no
   * retry topics, a failure goes from the immediate retries straight to the dead-letter topic.
   */
  delaysMs: readonly number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  immediate: { attempts: 3, backoffMs: 100, maxBackoffMs: 1_000 },
  delaysMs: [1_000, 5_000, 30_000],
};

/** A retry policy or consumer group that cannot work; raised at configuration time, never per message. */
export class InvalidRetryPolicyError extends MessagingError {
  readonly code = 'MESSAGING_INVALID_RETRY_POLICY';
  readonly retriable = false;
}

const isNonNegativeInteger = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** Fails fast, naming the offending setting. */
export function validateImmediateRetryPolicy(policy: ImmediateRetryPolicy): ImmediateRetryPolicy {
  const { attempts, backoffMs, maxBackoffMs } = policy;
  if (!Number.isSafeInteger(attempts) || attempts < 1) {
    throw new InvalidRetryPolicyError(`retry.immediate.attempts must be an integer >= 1, got ${attempts}`);
  }
  if (!isNonNegativeInteger(backoffMs)) {
    throw new InvalidRetryPolicyError(`retry.immediate.backoffMs must be an integer >= 0, got ${backoffMs}`);
  }
  if (maxBackoffMs !== undefined && !isNonNegativeInteger(maxBackoffMs)) {
    throw new InvalidRetryPolicyError(
      `retry.immediate.maxBackoffMs must be an integer >= 0, got ${maxBackoffMs}`,
    );
  }
  return policy;
}

/** Fails fast, naming the offending delay. */
export function validateRetryDelays(delaysMs: readonly number[]): readonly number[] {
  delaysMs.forEach((delay, i) => {
    if (!isNonNegativeInteger(delay)) {
      throw new InvalidRetryPolicyError(`retry.delaysMs[${i}] must be an integer >= 0, got ${delay}`);
    }
  });
  return delaysMs;
}

export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  validateImmediateRetryPolicy(policy.immediate);
  validateRetryDelays(policy.delaysMs);
  return policy;
}

// Kafka's rule for topic names; group ids may contain anything, so derived names are checked.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function checkedTopic(name: string, groupId: string): string {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new InvalidRetryPolicyError(
      `Consumer group "${groupId}" cannot name its failure topics: "${name}" is not a valid Kafka topic name`,
    );
  }
  return name;
}

/** `<group>.retry.<n>`, n starting at 1. */
export function retryTopicName(groupId: string, n: number): string {
  return checkedTopic(`${groupId}.retry.${n}`, groupId);
}

/** `<group>.dlt`. */
export function deadLetterTopicName(groupId: string): string {
  return checkedTopic(`${groupId}.dlt`, groupId);
}

/** The retry topics of a group under a policy, in order. */
export function retryTopicNames(groupId: string, policy: Pick<RetryPolicy, 'delaysMs'>): string[] {
  return policy.delaysMs.map((_, i) => retryTopicName(groupId, i + 1));
}

/**
 * Which stage a record was consumed at: 0 for a source topic, n for the group's retry topic n. Decided by
 * topic name, not by headers: a dead-lettered record replayed onto its source topic still carries failure
 * headers, and must start over as a first delivery.
 */
export function retryStageOf(topic: string, groupId: string, policy: Pick<RetryPolicy, 'delaysMs'>): number {
  const prefix = `${groupId}.retry.`;
  if (!topic.startsWith(prefix)) return 0;
  const suffix = topic.slice(prefix.length);
  const n = Number(suffix);
  return String(n) === suffix && n >= 1 && n <= policy.delaysMs.length ? n : 0;
}
