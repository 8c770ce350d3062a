/**
 * Native infrastructure: the same tools/infra code that `npm run infra:up` and the demo use.
 */
import { infraDown, infraUp } from '@orderstream/infra';
import type { TestInfrastructure } from './infrastructure';

export interface ProvidedInfrastructure {
  infra: TestInfrastructure;
  /** Stops what this call started; a no-op for infrastructure that was already running. */
  stop(): Promise<void>;
}

export async function provideNative(log: (line: string) => void): Promise<ProvidedInfrastructure> {
  const { endpoints, reused } = await upReportingReuse(log);
  const pg = endpoints.postgres;
  const infra: TestInfrastructure = {
    source: 'native',
    kafkaBrokers: endpoints.kafkaBrokers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    postgresUrl: `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/postgres`,
    versions: { kafka: endpoints.versions.kafka, schemaRegistry: `Apicurio Registry ${endpoints.versions.apicurio}`, postgres: endpoints.versions.postgres },
  };
  return {
    infra,
    // Leave a stack the developer started themselves running; stop only what the tests brought up.
    stop: reused ? async () => undefined : () => infraDown({ log }),
  };
}

async function upReportingReuse(log: (line: string) => void) {
  const { infraStatus } = await import('@orderstream/infra');
  const before = await infraStatus({});
  const reused = before.parts.length > 0 && before.parts.every((p) => p.healthy);
  const endpoints = await infraUp({ log });
  return { endpoints, reused };
}
