/**
 * The four services and how each is configured from the infrastructure's endpoints. The demo and the e2e
 * tests start them from the same table, so both run the services exactly as a deployment would: built
 * JavaScript, configured only through environment variables.
 */
export type ServiceName = 'orders' | 'payments' | 'inventory' | 'outbox-relay';

export const SERVICE_NAMES: readonly ServiceName[] = ['orders', 'payments', 'inventory', 'outbox-relay'];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  orders: 3001,
  payments: 3002,
  inventory: 3003,
  'outbox-relay': 3004,
};

export interface ServiceEndpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  /** Database URL per service that owns a database. */
  databases: Record<Exclude<ServiceName, 'outbox-relay'>, string>;
}

/** The environment a service process gets. */
export function serviceEnv(
  name: ServiceName,
  port: number,
  endpoints: ServiceEndpoints,
): Record<string, string> {
  const common = {
    PORT: String(port),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
  };
  if (name === 'outbox-relay') {
    const sources = Object.entries(endpoints.databases).map(([service, url]) => `${service}=${url}`);
    return { ...common, OUTBOX_SOURCES: sources.join(',') };
  }
  return { ...common, DATABASE_URL: endpoints.databases[name] };
}
