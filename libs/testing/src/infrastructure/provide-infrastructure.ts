/**
 * One test path, three ways to provide infrastructure:
 * 1. explicit URLs in the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_URL) win;
 * 2. else the provider ORDERSTREAM_INFRA names (see infrastructure-preference.ts): `native` (the
 *    tools/infra stack: Kafka and Apicurio from Maven Central jars, embedded PostgreSQL), `testcontainers`,
 *    or `auto` — Testcontainers when a Docker engine answers, else native;
 * 3. unset, that is `native` under CI=true and `auto` elsewhere.
 * An unknown ORDERSTREAM_INFRA is rejected even when explicit URLs are set, so a typo never goes unnoticed.
 */
import { INFRA_VERSIONS } from '@orderstream/infra';
import { infrastructureFromEnv } from './infrastructure';
import {
  resolvePreference,
  type InfrastructurePreference,
  type ResolvedPreference,
} from './infrastructure-preference';
import { provideNative, type ProvidedInfrastructure } from './native';
import { dockerAvailable, provideTestcontainers } from './testcontainers';

export type { InfrastructurePreference } from './infrastructure-preference';

/** The provider to use and, for messages, why it was chosen. */
export interface ProviderChoice {
  provider: 'native' | 'testcontainers';
  chosenBy: string;
}

/** Decides the provider; the Docker probe runs only for `auto`, so `native` never touches an engine. */
export async function chooseProvider(
  resolved: ResolvedPreference,
  dockerAnswers: () => Promise<boolean>,
): Promise<ProviderChoice> {
  if (resolved.preference !== 'auto') {
    return { provider: resolved.preference, chosenBy: resolved.origin };
  }
  return (await dockerAnswers())
    ? { provider: 'testcontainers', chosenBy: `${resolved.origin} (auto) and a Docker engine answers` }
    : { provider: 'native', chosenBy: `${resolved.origin} (auto) and no Docker engine answers` };
}

export async function provideInfrastructure(
  options: {
    /** Overrides ORDERSTREAM_INFRA. Validated at run time too, for JavaScript callers. */
    prefer?: InfrastructurePreference;
    log?: (line: string) => void;
    /** Defaults to process.env. */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<ProvidedInfrastructure> {
  const log = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const resolved = resolvePreference(options.prefer, env);
  const fromEnv = infrastructureFromEnv(env);
  if (fromEnv) return { infra: fromEnv, stop: async () => undefined };

  const choice = await chooseProvider(resolved, dockerAvailable);
  log(`${choice.provider} infrastructure: ${choice.chosenBy}`);
  return choice.provider === 'testcontainers'
    ? provideTestcontainers(INFRA_VERSIONS.dockerImages, log, choice.chosenBy)
    : provideNative(log);
}
