import { uniqueName } from './unique-name';

/**
 * The part of an admin client this helper needs. Structural on purpose: libs/testing stays free of
 * libs/messaging so the messaging library's own tests can use it without a dependency cycle.
 */
export interface TopicCreator {
  createTopics(
    topics: {
      topic: string;
      partitions?: number;
      replicationFactor?: number;
      config?: Record<string, string>;
    }[],
  ): Promise<unknown>;
}

/** Creates a topic only this test uses and returns its name. */
export async function createTestTopic(
  admin: TopicCreator,
  prefix: string,
  spec: { partitions?: number; replicationFactor?: number; config?: Record<string, string> } = {},
): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.createTopics([{ ...spec, topic }]);
  return topic;
}
