/**
 * Native infrastructure: the same tools/infra code that `npm run infra:up` and the demo use.
 */
import { infraDown, infraUpDetailed } from '@orderstream/infra';
import type { TestInfrastructure } from './infrastructure';

export interface ProvidedInfrastructure {
  infra: TestInfrastructure;
  /** Stops what this call started; a no-op for infrastructure that was already running. */
  stop(): Promise<void>;
}

export async function provideNative(log: (line: string) => void): Promise<ProvidedInfrastructure> {
  // Which parts this call started is decided under tools/infra's lock, so two runs starting at once agree.
  const { endpoints, started } = await infraUpDetailed({ log });
  const pg = endpoints.postgres;
  const infra: TestInfrastructure = {
    source: 'native',
    kafkaBrokers: endpoints.kafkaBrokers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    postgresUrl: `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/postgres`,
    versions: {
      kafka: `Apache Kafka ${endpoints.versions.kafka}`,
      schemaRegistry: `Apicurio Registry ${endpoints.versions.apicurio}`,
      postgres: `PostgreSQL ${endpoints.versions.postgres}`,
    },
  };
  return {
    infra,
    // Leave a stack the developer started themselves running; stop only what the tests brought up.
    stop: started.length > 0 ? () => infraDown({ log }) : async () => undefined,
  };
}
