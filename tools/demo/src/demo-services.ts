/**
 * What the demo starts each service of the manifest with: its port and its environment, from the
 * infrastructure's endpoints and `--base-port`. Every port a service is told about (its own, and the URL
 * of each service it calls) is the one the demo starts that service on.
 */
import type { InfraEndpoints } from '@orderstream/infra';
import { serviceOf, type SagaMode } from '@orderstream/system';
import { defaultPort, SERVICE_NAMES, serviceEnv, type ServiceEndpoints, type ServiceName } from './services';

export interface DemoService {
  name: ServiceName;
  port: number;
  env: Record<string, string>;
}

/**
 * Every service in manifest order: on `basePort`, `basePort + 1`, …, or on its manifest port without one;
 * each with `SAGA_MODE` when `sagaMode` is given.
 */
export function demoServices(
  endpoints: InfraEndpoints,
  basePort?: number,
  sagaMode?: SagaMode,
): DemoService[] {
  const ports = Object.fromEntries(
    SERVICE_NAMES.map((name, i) => [name, basePort === undefined ? defaultPort(name) : basePort + i]),
  );
  const serviceEndpoints: ServiceEndpoints = {
    kafkaBrokers: endpoints.kafkaBrokers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    databases: Object.fromEntries(
      Object.entries(endpoints.postgres.databases).map(([owner, db]) => [owner, pgUrl(endpoints, db)]),
    ),
    ports,
    // The ops console's admin API: on the manifest's port, or next to the service port's range.
    adminPorts: Object.fromEntries(
      SERVICE_NAMES.flatMap((name, i) => {
        const adminPort = serviceOf(name).adminPort;
        if (adminPort === undefined) return [];
        return [[name, basePort === undefined ? adminPort : basePort + 100 + i]];
      }),
    ),
    ...(sagaMode ? { sagaMode } : {}),
  };
  return SERVICE_NAMES.map((name) => {
    const port = ports[name] as number;
    return { name, port, env: serviceEnv(name, port, serviceEndpoints) };
  });
}

function pgUrl(endpoints: InfraEndpoints, database: string): string {
  const pg = endpoints.postgres;
  return `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${database}`;
}
