/**
 * How each service of the system manifest (@orderstream/system) is configured from the infrastructure's
 * endpoints. The demo and the e2e tests start them from the manifest, so both run the services exactly as a
 * deployment would: built JavaScript, configured only through environment variables. A service added to
 * the manifest is started by both without a change here.
 */
import {
  LOCAL_ADMIN_TOKENS,
  outboxSources,
  serviceNames,
  serviceOf,
  type SagaMode,
} from '@orderstream/system';

/** A service of the manifest, e.g. `orders`. */
export type ServiceName = string;

/** Every service, in manifest order. */
export const SERVICE_NAMES: readonly ServiceName[] = serviceNames();

/** The port a service listens on when nothing else is asked for: its manifest port. */
export function defaultPort(name: ServiceName): number {
  return serviceOf(name).port;
}

export interface ServiceEndpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  /** Database URL per service that owns a database (by service name). */
  databases: Readonly<Record<ServiceName, string>>;
  /**
   * `KAFKA_NAMESPACE` of every service: a copy of the system with topics and groups of its own on a shared
   * cluster (each e2e system has one). Empty or absent: the manifest's names as they are.
   */
  namespace?: string;
  /** The port of each service where it is not the manifest's (an e2e system's free ports). */
  ports?: Readonly<Record<ServiceName, number>>;
  /**
   * The admin port of each service that has one in the manifest. A service whose admin port is not given
   * here runs with its admin API off (an e2e system on free ports must not collide on the default).
   */
  adminPorts?: Readonly<Record<ServiceName, number>>;
  /** `SAGA_MODE` of every service (a system-wide setting); absent: the services' default, choreography. */
  sagaMode?: SagaMode;
}

/** `ORDERS_URL` for `orders`: the variable through which a service finds one it calls. */
export function callUrlVariable(called: ServiceName): string {
  return `${called.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** The environment a service process gets. */
export function serviceEnv(
  name: ServiceName,
  port: number,
  endpoints: ServiceEndpoints,
): Record<string, string> {
  const service = serviceOf(name);
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    ...(endpoints.namespace ? { KAFKA_NAMESPACE: endpoints.namespace } : {}),
    ...(endpoints.sagaMode ? { SAGA_MODE: endpoints.sagaMode } : {}),
  };
  if (service.relaysOutboxes) env['OUTBOX_SOURCES'] = outboxSources((s) => databaseUrl(endpoints, s.name));
  if (service.database) env['DATABASE_URL'] = databaseUrl(endpoints, service.name);
  const adminPort = endpoints.adminPorts?.[name];
  if (service.adminPort !== undefined && adminPort !== undefined) {
    env['OPS_ADMIN_PORT'] = String(adminPort);
    env['OPS_ADMIN_TOKENS'] = LOCAL_ADMIN_TOKENS;
  }
  for (const called of service.calls ?? []) {
    env[callUrlVariable(called)] = `http://127.0.0.1:${endpoints.ports?.[called] ?? defaultPort(called)}`;
  }
  return env;
}

function databaseUrl(endpoints: ServiceEndpoints, owner: ServiceName): string {
  const url = endpoints.databases[owner];
  if (url === undefined)
    throw new Error(`No database URL for ${owner}, which owns a database in the manifest`);
  return url;
}
