/**
 * Where `npm run ops -- dlt …` connects and who it acts as, from the environment. The defaults are the
 * local infrastructure's (`npm run infra:up`, whose `npm run -s infra:env` prints the same variables), so
 * a developer needs none of them; `--help` prints what is in effect, so an operator sees which cluster and
 * which audit database a command would touch before running it.
 */
import { POSTGRES_LOCAL_DEV_CREDENTIALS } from '@orderstream/infra';
import { databasesOf } from '@orderstream/system';
import { DEFAULT_BROKERS } from '../groups/groups-options';

export const DEFAULT_SCHEMA_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

/** The ops service's database as the manifest names it; `ops` until the manifest declares it. */
const opsDatabase = (): string => databasesOf()['ops'] ?? 'ops';

/** The local infrastructure's ops database (the URL `infra:env` prints as OPS_DATABASE_URL). */
export function defaultOpsDatabaseUrl(): string {
  const { user, password } = POSTGRES_LOCAL_DEV_CREDENTIALS;
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:5432/${opsDatabase()}`;
}

export interface DltSettings {
  brokers: string[];
  registryUrl: string;
  databaseUrl: string;
  /** The audit trail's actor when `--actor` is not given: the operating-system user. */
  defaultActor: string;
  /** Which of the above came from the environment (the others are defaults). */
  fromEnv: { brokers: boolean; registryUrl: boolean; databaseUrl: boolean };
}

export function dltSettings(env: NodeJS.ProcessEnv, osUser: string): DltSettings {
  const brokers = env['KAFKA_BROKERS'] || DEFAULT_BROKERS;
  return {
    brokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== ''),
    registryUrl: env['SCHEMA_REGISTRY_URL'] || DEFAULT_SCHEMA_REGISTRY_URL,
    databaseUrl: env['OPS_DATABASE_URL'] || defaultOpsDatabaseUrl(),
    defaultActor: osUser,
    fromEnv: {
      brokers: Boolean(env['KAFKA_BROKERS']),
      registryUrl: Boolean(env['SCHEMA_REGISTRY_URL']),
      databaseUrl: Boolean(env['OPS_DATABASE_URL']),
    },
  };
}

/** A database URL fit to print: the password replaced by `***`. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** The lines of `--help` that say what the command would use now. */
export function describeSettings(settings: DltSettings): string {
  const origin = (fromEnv: boolean): string => (fromEnv ? '' : ' (default)');
  return [
    `  KAFKA_BROKERS        ${settings.brokers.join(',')}${origin(settings.fromEnv.brokers)}`,
    `  SCHEMA_REGISTRY_URL  ${settings.registryUrl}${origin(settings.fromEnv.registryUrl)}`,
    `  OPS_DATABASE_URL     ${redactedUrl(settings.databaseUrl)}${origin(settings.fromEnv.databaseUrl)}`,
    `  actor (--actor)      ${settings.defaultActor} via cli (default: the operating-system user)`,
  ].join('\n');
}
