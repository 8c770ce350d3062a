import { STOP_DISCONNECT_MIN_MS, type KafkaClient } from '@orderstream/messaging';
import { Registry } from 'prom-client';
import { loadConfig } from '../config/load-config';
import { serviceConfigSchema } from '../config/service-config.schema';
import { createServiceLogger } from '../logging/service-logger';
import { serviceMessagingOptions } from './service-messaging.module';

const schema = serviceConfigSchema({ name: 'inventory', defaultPort: 3003 });
const env = { KAFKA_BROKERS: 'localhost:9092', SCHEMA_REGISTRY_URL: 'http://localhost:8080/apis/ccompat/v7' };

function messagingOptionsFor(shutdownTimeoutMs?: string) {
  const config = loadConfig(schema, {
    ...env,
    ...(shutdownTimeoutMs ? { SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs } : {}),
  });
  return serviceMessagingOptions(
    { service: { name: 'inventory', topics: [], consumerGroups: [] }, config, publishes: [] },
    {} as KafkaClient,
    new Registry(),
    createServiceLogger({ service: 'inventory', level: 'fatal', destination: { write: () => undefined } }),
  );
}

describe('the consumers stop limit of a service', () => {
  it('is 8 s under the default 10 s SHUTDOWN_TIMEOUT_MS: 1 s to leave the group, 1 s for the rest', () => {
    expect(messagingOptionsFor().shutdownTimeoutMs).toBe(8_000);
  });

  it.each([
    ['30000', 28_000],
    ['2500', 500],
    ['2000', 0],
    ['1000', 0],
  ])('is SHUTDOWN_TIMEOUT_MS %s less 2 s, never below 0: %d ms', (shutdownTimeoutMs, expected) => {
    expect(messagingOptionsFor(shutdownTimeoutMs).shutdownTimeoutMs).toBe(expected);
  });

  it.each([3_000, 10_000, 60_000])(
    'with SHUTDOWN_TIMEOUT_MS %d, lets a stop that uses all of it leave the group a second before the exit',
    (shutdownTimeoutMs) => {
      const limit = messagingOptionsFor(String(shutdownTimeoutMs)).shutdownTimeoutMs ?? Infinity;
      // A consumer's stop takes up to its limit plus STOP_DISCONNECT_MIN_MS (ConsumerRunner.stop).
      expect(shutdownTimeoutMs - (limit + STOP_DISCONNECT_MIN_MS)).toBe(1_000);
    },
  );
});
