// orderstream local infrastructure CLI (no Docker).
//   tsx --conditions=@orderstream/source tools/infra/src/cli.ts up [--brokers 3] [--kafka-port N] [--registry-port N] [--postgres-port N]
//   tsx --conditions=@orderstream/source tools/infra/src/cli.ts status | down | env
// Progress goes to stderr; `up` and `env` print `export KEY=value` lines on stdout, so
//   eval "$(npx tsx --conditions=@orderstream/source tools/infra/src/cli.ts up)"   works.
import { parseArgs } from 'node:util';
import {
  INFRA_VERSIONS,
  infraDown,
  infraFetch,
  infraStatus,
  infraUp,
  toEnv,
  type InfraEndpoints,
  type InfraOptions,
} from './index';

const USAGE = `usage: tsx --conditions=@orderstream/source tools/infra/src/cli.ts <command> [options]

commands:
  up       start Kafka (KRaft), Apicurio Registry and PostgreSQL (reuses healthy running parts)
  status   health of each part; exit code 1 if any part is not healthy
  down     stop everything of ours and wipe Kafka/PostgreSQL data
  env      print export lines for the running infrastructure
  fetch    download the Kafka jars (broker and command-line tools) and the Apicurio Registry distribution
           into the cache; start nothing
  versions print the pinned versions (tools/infra/versions.json)

options (up; status/down/env default to what the last up used):
  --brokers 1|3            Kafka KRaft nodes (env ORDERSTREAM_KAFKA_NODES, default 1)
  --kafka-port N           first broker port (env ORDERSTREAM_KAFKA_PORT, default 9092)
  --registry-port N        Apicurio port (env ORDERSTREAM_REGISTRY_PORT, default 8081; health on N+1)
  --postgres-port N        PostgreSQL port (env ORDERSTREAM_POSTGRES_PORT, default 5432)
cache: <repo>/.cache/infra (env ORDERSTREAM_CACHE_DIR)`;

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function printEnv(e: InfraEndpoints): void {
  for (const [k, v] of Object.entries(toEnv(e))) console.log(`export ${k}=${shellQuote(v)}`);
}

function portOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`${flag}: invalid port "${value}"`);
  return n;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      brokers: { type: 'string' },
      'kafka-port': { type: 'string' },
      'registry-port': { type: 'string' },
      'postgres-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  let brokers: 1 | 3 | undefined;
  if (values.brokers !== undefined) {
    if (values.brokers !== '1' && values.brokers !== '3')
      throw new Error(`--brokers must be 1 or 3, got "${values.brokers}"`);
    brokers = values.brokers === '3' ? 3 : 1;
  }
  const opts: InfraOptions = {
    log: (line) => console.error(`[infra] ${line}`),
    ...(brokers === undefined ? {} : { brokers }),
  };
  const kafkaPort = portOption(values['kafka-port'], '--kafka-port');
  const registryPort = portOption(values['registry-port'], '--registry-port');
  const postgresPort = portOption(values['postgres-port'], '--postgres-port');
  if (kafkaPort !== undefined) opts.kafkaPort = kafkaPort;
  if (registryPort !== undefined) opts.registryPort = registryPort;
  if (postgresPort !== undefined) opts.postgresPort = postgresPort;

  switch (command) {
    case 'up': {
      const started = Date.now();
      const e = await infraUp(opts);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `# orderstream infra up in ${seconds} s: Kafka ${e.versions.kafka} (${e.kafkaBrokers.length} KRaft node(s)), Apicurio Registry ${e.versions.apicurio}, PostgreSQL ${e.versions.postgres}`,
      );
      console.log('# PostgreSQL credentials below are local development defaults, not secrets.');
      printEnv(e);
      return 0;
    }
    case 'status': {
      const { parts, endpoints } = await infraStatus(opts);
      for (const p of parts) {
        console.log(
          `${p.name.padEnd(9)} ${(p.healthy ? 'healthy' : 'UNHEALTHY').padEnd(10)} pid ${String(p.pid ?? '-').padEnd(8)} port ${String(p.port).padEnd(6)} ${p.detail}`,
        );
      }
      if (endpoints) {
        console.log(
          `versions: Kafka ${endpoints.versions.kafka}, Apicurio Registry ${endpoints.versions.apicurio}, PostgreSQL ${endpoints.versions.postgres}`,
        );
      }
      return parts.every((p) => p.healthy) ? 0 : 1;
    }
    case 'env': {
      const { parts, endpoints } = await infraStatus(opts);
      if (!endpoints) {
        const bad = parts.filter((p) => !p.healthy).map((p) => `${p.name}: ${p.detail}`);
        console.error(`infra is not (fully) up:\n  ${bad.join('\n  ')}\nrun: npm run infra:up`);
        return 1;
      }
      printEnv(endpoints);
      return 0;
    }
    case 'down':
      await infraDown(opts);
      return 0;
    case 'fetch': {
      const started = Date.now();
      await infraFetch(opts);
      console.log(`# infrastructure artifacts cached in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'versions':
      console.log(JSON.stringify(INFRA_VERSIONS, null, 2));
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);
