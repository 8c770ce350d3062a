/**
 * One test path, three ways to provide infrastructure, in this order:
 * 1. explicit URLs in the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_URL) win;
 * 2. else Testcontainers, when a Docker engine answers (set ORDERSTREAM_INFRA=native to skip it);
 * 3. else the native tools/infra stack (Kafka and Apicurio from Maven Central jars, embedded PostgreSQL).
 */
import { INFRA_VERSIONS } from '@orderstream/infra';
import { infrastructureFromEnv } from './infrastructure';
import { provideNative, type ProvidedInfrastructure } from './native';
import { dockerAvailable, provideTestcontainers } from './testcontainers';

export type InfrastructurePreference = 'auto' | 'native' | 'testcontainers';

export async function provideInfrastructure(
  options: { prefer?: InfrastructurePreference; log?: (line: string) => void } = {},
): Promise<ProvidedInfrastructure> {
  const log = options.log ?? (() => undefined);
  const fromEnv = infrastructureFromEnv();
  if (fromEnv) return { infra: fromEnv, stop: async () => undefined };

  const prefer = options.prefer ?? 'auto';
  if (prefer === 'testcontainers' || (prefer === 'auto' && (await dockerAvailable()))) {
    return provideTestcontainers(INFRA_VERSIONS.dockerImages, log);
  }
  return provideNative(log);
}
