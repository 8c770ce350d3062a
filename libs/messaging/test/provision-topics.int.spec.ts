/**
 * Topic provisioning at boot against the real broker, through a namespace as every test system runs it:
 * missing topics are created with their partitions and settings, a second run changes nothing, and an
 * existing topic with other settings is refused with every difference named, before anything is changed.
 */
import { testInfrastructure, uniqueName } from '@orderstream/testing';
import {
  namespacedKafkaClient,
  provisionTopics,
  TopicSettingsError,
  type AdminPort,
  type OwnedTopic,
} from '../src';
import { createKafkaJsClient } from '../src/adapters/kafkajs';

describe('provisionTopics', () => {
  let admin: AdminPort;
  const namespace = uniqueName('provision');

  beforeAll(async () => {
    const client = createKafkaJsClient({
      brokers: testInfrastructure().kafkaBrokers,
      clientId: 'provision-topics',
    });
    admin = namespacedKafkaClient(client, namespace).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics(await admin.listTopics());
    await admin.disconnect();
  });

  const events: OwnedTopic = {
    topic: 'shop.events',
    partitions: 3,
    config: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' },
  };
  const state: OwnedTopic = { topic: 'shop.state', partitions: 2, config: { 'cleanup.policy': 'compact' } };

  it('creates what is missing with its settings, and a second run finds it as declared', async () => {
    expect(await provisionTopics(admin, [events, state])).toEqual({
      created: ['shop.events', 'shop.state'],
      existing: [],
    });
    expect(await admin.fetchPartitionCounts(['shop.events', 'shop.state'])).toEqual({
      'shop.events': 3,
      'shop.state': 2,
    });
    expect(
      await admin.fetchTopicConfigs(['shop.events', 'shop.state'], ['cleanup.policy', 'retention.ms']),
    ).toEqual({
      'shop.events': { 'cleanup.policy': 'delete', 'retention.ms': '86400000' },
      'shop.state': { 'cleanup.policy': 'compact', 'retention.ms': '604800000' },
    });

    expect(await provisionTopics(admin, [events, state])).toEqual({
      created: [],
      existing: ['shop.events', 'shop.state'],
    });
  });

  it('refuses an existing topic with other partitions or settings, naming each difference, and changes nothing', async () => {
    const declared: OwnedTopic[] = [
      { ...events, partitions: 6 },
      { ...state, config: { 'cleanup.policy': 'delete' } },
      { topic: 'shop.new', partitions: 1, config: {} },
    ];
    const refusal = provisionTopics(admin, declared);
    await expect(refusal).rejects.toBeInstanceOf(TopicSettingsError);
    await expect(refusal).rejects.toMatchObject({
      code: 'MESSAGING_TOPIC_SETTINGS',
      retriable: false,
      differences: [
        { topic: 'shop.events', setting: 'partitions', declared: '6', actual: '3' },
        { topic: 'shop.state', setting: 'cleanup.policy', declared: 'delete', actual: 'compact' },
      ],
    });
    await expect(refusal).rejects.toThrow(
      'shop.events partitions is 3, declared 6; shop.state cleanup.policy is compact, declared delete',
    );
    expect(await admin.fetchPartitionCounts(['shop.events'])).toEqual({ 'shop.events': 3 });
    expect(await admin.listTopics()).not.toContain('shop.new');
  });
});
