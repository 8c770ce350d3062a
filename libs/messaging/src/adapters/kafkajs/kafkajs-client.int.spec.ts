/**
 * The kafkajs adapter against the real broker: the port's conformance suite, on the Kafka version we ship
 * (see docs/decisions/0001-kafka-version.md). Kafka 4 removed old protocol versions (KIP-896), so this
 * test is the standing evidence that kafkajs 2.2.4 still speaks to it.
 */
import { testInfrastructure, uniqueName } from '@orderstream/testing';
import { kafkaClientConformance } from '../../conformance';
import { createKafkaJsClient } from './kafkajs-client';

const createClient = () =>
  createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'kafkajs-conformance' });

kafkaClientConformance('kafkajs', createClient);

describe('kafkajs adapter', () => {
  it('names the kafkajs call that failed in its TransportError', async () => {
    const admin = createClient().admin();
    await admin.connect();
    try {
      await expect(admin.fetchPartitionCounts([uniqueName('conformance.missing')])).rejects.toThrow(
        'Kafka fetchTopicMetadata failed',
      );
    } finally {
      await admin.disconnect();
    }
  });
});
