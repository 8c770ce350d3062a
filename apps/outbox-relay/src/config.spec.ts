import { ConfigError, loadConfig } from '@orderstream/platform';
import { outboxRelayConfigSchema } from './config';

const required = {
  KAFKA_BROKERS: 'localhost:9092',
  SCHEMA_REGISTRY_URL: 'http://localhost:8081',
  OUTBOX_SOURCES: 'orders=postgres://u:p@localhost:5432/orders',
};

describe('outbox relay config', () => {
  it('has documented defaults for the relay settings', () => {
    expect(loadConfig(outboxRelayConfigSchema, required)).toMatchObject({
      OUTBOX_SOURCES: { orders: 'postgres://u:p@localhost:5432/orders' },
      OUTBOX_BATCH_SIZE: 500,
      OUTBOX_POLL_INTERVAL_MS: 1_000,
      OUTBOX_LOCK_RETRY_INTERVAL_MS: 5_000,
      OUTBOX_RETENTION_MS: 7 * 24 * 3_600_000,
      OUTBOX_RETENTION_INTERVAL_MS: 3_600_000,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig(outboxRelayConfigSchema, { ...required, OUTBOX_BATCH_SIZE: '0' })).toThrow(
      ConfigError,
    );
    let failure: unknown;
    try {
      loadConfig(outboxRelayConfigSchema, {
        ...required,
        OUTBOX_BATCH_SIZE: '20000',
        OUTBOX_POLL_INTERVAL_MS: 'x',
      });
    } catch (error) {
      failure = error;
    }
    expect((failure as ConfigError).problems).toEqual([
      { variable: 'OUTBOX_BATCH_SIZE', problem: 'must be at most 10000' },
      { variable: 'OUTBOX_POLL_INTERVAL_MS', problem: 'must be a positive integer' },
    ]);
  });

  it('takes every outbox of the system manifest from one server when OUTBOX_SOURCES is not set', () => {
    const { OUTBOX_SOURCES: _given, ...rest } = required;
    expect(
      loadConfig(outboxRelayConfigSchema, { ...rest, OUTBOX_POSTGRES_URL: 'postgres://u:p@db:5432/postgres' })
        .OUTBOX_SOURCES,
    ).toEqual({
      orders: 'postgres://u:p@db:5432/orders',
      payments: 'postgres://u:p@db:5432/payments',
      inventory: 'postgres://u:p@db:5432/inventory',
      notifications: 'postgres://u:p@db:5432/notifications',
    });
    expect(() => loadConfig(outboxRelayConfigSchema, rest)).toThrow('OUTBOX_SOURCES');
  });
});
