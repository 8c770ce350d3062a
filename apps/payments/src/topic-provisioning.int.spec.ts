/**
 * payments owns payments.events (system manifest): it creates the topic at boot as declared, and refuses to
 * start next to one that exists with other settings, naming the difference. Each case in a Kafka namespace
 * of its own.
 */
import { namespacedKafkaClient, type AdminPort } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { testInfrastructure, uniqueName } from '@orderstream/testing';
import { startPayments } from './test/service-under-test';

function adminIn(namespace: string): AdminPort {
  const client = createKafkaJsClient({
    brokers: testInfrastructure().kafkaBrokers,
    clientId: 'provisioning-test',
  });
  return namespacedKafkaClient(client, namespace).admin();
}

describe('payments and the topic it owns', () => {
  it('creates payments.events at boot with the partitions and settings the manifest declares', async () => {
    const service = await startPayments();
    const admin = adminIn(service.namespace);
    await admin.connect();
    try {
      expect(await admin.fetchPartitionCounts(['payments.events'])).toEqual({ 'payments.events': 3 });
      expect(await admin.fetchTopicConfigs(['payments.events'], ['cleanup.policy', 'retention.ms'])).toEqual({
        'payments.events': { 'cleanup.policy': 'delete', 'retention.ms': String(7 * 24 * 3_600_000) },
      });
    } finally {
      await admin.disconnect();
      await service.close();
    }
  });

  it('does not start when payments.events exists with other settings, and names the difference', async () => {
    const namespace = uniqueName('payments-mismatch');
    const admin = adminIn(namespace);
    await admin.connect();
    try {
      await admin.createTopics([
        { topic: 'payments.events', partitions: 6, config: { 'cleanup.policy': 'compact' } },
      ]);
      await expect(startPayments({ namespace })).rejects.toThrow(
        'payments.events partitions is 6, declared 3; payments.events cleanup.policy is compact, declared delete',
      );
      // Nothing was changed.
      expect(await admin.fetchPartitionCounts(['payments.events'])).toEqual({ 'payments.events': 6 });
    } finally {
      await admin.deleteTopics(await admin.listTopics());
      await admin.disconnect();
    }
  });
});
