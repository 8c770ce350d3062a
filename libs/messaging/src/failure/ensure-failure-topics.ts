import type { AdminPort } from '../ports/kafka-client.port';
import {
  deadLetterTopicName,
  InvalidRetryPolicyError,
  retryTopicNames,
  validateRetryDelays,
  type RetryPolicy,
} from './retry-policy';

export interface FailureTopicsConfig {
  policy: Pick<RetryPolicy, 'delaysMs'>;
  /**
   * The topics the group consumes. Without `partitions`, the failure topics get as many partitions as the
   * largest of them, so retries spread over as many consumers as the source does.
   */
  sourceTopics?: readonly string[];
  partitions?: number;
  /** Default: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Extra topic configuration for the retry topics (e.g. `retention.ms`). */
  retryTopicConfig?: Record<string, string>;
  /** Extra topic configuration for the dead-letter topic; usually a long `retention.ms`. */
  deadLetterTopicConfig?: Record<string, string>;
}

export interface FailureTopics {
  retryTopics: string[];
  deadLetterTopic: string;
}

/**
 * Creates the consumer group's retry topics and dead-letter topic where they do not exist yet (topics are
 * never auto-created here). Existing topics are left as they are, partition count included.
 */
export async function ensureFailureTopics(
  admin: Pick<AdminPort, 'createTopics' | 'fetchPartitionCounts'>,
  groupId: string,
  config: FailureTopicsConfig,
): Promise<FailureTopics> {
  validateRetryDelays(config.policy.delaysMs);
  const partitions = config.partitions ?? (await largestPartitionCount(admin, config.sourceTopics ?? []));
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new InvalidRetryPolicyError(
      `Failure topics of group "${groupId}" need partitions >= 1 or existing sourceTopics, got ${partitions}`,
    );
  }
  const retryTopics = retryTopicNames(groupId, config.policy);
  const deadLetterTopic = deadLetterTopicName(groupId);
  const common = {
    partitions,
    ...(config.replicationFactor !== undefined ? { replicationFactor: config.replicationFactor } : {}),
  };
  await admin.createTopics([
    ...retryTopics.map((topic) => ({ ...common, topic, config: config.retryTopicConfig ?? {} })),
    { ...common, topic: deadLetterTopic, config: config.deadLetterTopicConfig ?? {} },
  ]);
  return { retryTopics, deadLetterTopic };
}

/**
 * From metadata, not from end offsets: ListOffsets needs each partition's leader, and a source topic
 * created a moment ago (another service starting at the same time) answers it with
 * NOT_LEADER_OR_FOLLOWER until its leaders have taken over.
 */
async function largestPartitionCount(
  admin: Pick<AdminPort, 'fetchPartitionCounts'>,
  topics: readonly string[],
): Promise<number> {
  if (topics.length === 0) return 0;
  const counts = await admin.fetchPartitionCounts(topics);
  return Math.max(0, ...topics.map((topic) => counts[topic] ?? 0));
}
