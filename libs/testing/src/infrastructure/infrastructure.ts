/**
 * What a test needs to reach real infrastructure, and how it travels from Jest's global setup to the test
 * workers: as environment variables, the same ones a developer sets to point the tests at their own stack.
 */

/** How the infrastructure was provided. */
export type InfrastructureSource = 'environment' | 'testcontainers' | 'native';

export interface TestInfrastructure {
  source: InfrastructureSource;
  kafkaBrokers: string[];
  /** Confluent-compatible API base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  schemaRegistryUrl: string;
  /** A PostgreSQL URL whose user may create databases; tests create their own database from it. */
  postgresUrl: string;
  /** Versions as reported by the provider (`unknown` where an external stack does not say). */
  versions: { kafka: string; schemaRegistry: string; postgres: string };
}

export const INFRA_ENV = {
  kafkaBrokers: 'KAFKA_BROKERS',
  schemaRegistryUrl: 'SCHEMA_REGISTRY_URL',
  postgresUrl: 'POSTGRES_URL',
  source: 'ORDERSTREAM_INFRA_SOURCE',
  kafkaVersion: 'ORDERSTREAM_KAFKA_VERSION',
  registryVersion: 'ORDERSTREAM_REGISTRY_VERSION',
  postgresVersion: 'ORDERSTREAM_POSTGRES_VERSION',
} as const;

/** The explicit-URL form: present only when all three URLs are set. */
export function infrastructureFromEnv(env: NodeJS.ProcessEnv = process.env): TestInfrastructure | undefined {
  const brokers = env[INFRA_ENV.kafkaBrokers];
  const registry = env[INFRA_ENV.schemaRegistryUrl];
  const postgres = env[INFRA_ENV.postgresUrl];
  if (!brokers || !registry || !postgres) return undefined;
  const source = env[INFRA_ENV.source];
  return {
    source: source === 'native' || source === 'testcontainers' ? source : 'environment',
    kafkaBrokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    schemaRegistryUrl: registry.replace(/\/+$/, ''),
    postgresUrl: postgres,
    versions: {
      kafka: env[INFRA_ENV.kafkaVersion] ?? 'unknown',
      schemaRegistry: env[INFRA_ENV.registryVersion] ?? 'unknown',
      postgres: env[INFRA_ENV.postgresVersion] ?? 'unknown',
    },
  };
}

export function infrastructureToEnv(infra: TestInfrastructure): Record<string, string> {
  return {
    [INFRA_ENV.kafkaBrokers]: infra.kafkaBrokers.join(','),
    [INFRA_ENV.schemaRegistryUrl]: infra.schemaRegistryUrl,
    [INFRA_ENV.postgresUrl]: infra.postgresUrl,
    [INFRA_ENV.source]: infra.source,
    [INFRA_ENV.kafkaVersion]: infra.versions.kafka,
    [INFRA_ENV.registryVersion]: infra.versions.schemaRegistry,
    [INFRA_ENV.postgresVersion]: infra.versions.postgres,
  };
}

/** For tests: the infrastructure the global setup provided. Fails loudly when run outside that setup. */
export function testInfrastructure(): TestInfrastructure {
  const infra = infrastructureFromEnv();
  if (!infra) {
    throw new Error(
      `No test infrastructure: set ${INFRA_ENV.kafkaBrokers}, ${INFRA_ENV.schemaRegistryUrl} and ${INFRA_ENV.postgresUrl}, ` +
        'or run the tests through their jest.int.config.cjs, whose global setup provides it.',
    );
  }
  return infra;
}
