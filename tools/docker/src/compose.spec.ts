// Keeps docker-compose.yml and the Dockerfile honest: the same infrastructure versions as the native stack
// (tools/infra/versions.json), start-up gated on health, one Dockerfile for every service, and no credential
// other than the marked local development defaults. Static checks only: no Docker engine needed.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { databasesOf, LOCAL_ADMIN_TOKENS, outboxServices, serviceOf } from '@orderstream/system';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** The part of tools/infra/versions.json this test relies on. Read with fs: it belongs to another project. */
interface InfraVersions {
  kafka: string;
  apicurio: string;
  postgres: string;
  /** The images Testcontainers runs (libs/testing); compose must run the same ones. */
  dockerImages: { kafka: string; apicurio: string; postgres: string };
}

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string> | string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
}

// `merge: true`: the file shares service settings through YAML merge keys (`<<: *service`), as Compose does.
const COMPOSE_TEXT = read('docker-compose.yml');
const compose = parse(COMPOSE_TEXT, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const versions = JSON.parse(read('tools/infra/versions.json')) as InfraVersions;

/** The user interfaces: nothing depends on them, so they are the only services without a health check. */
const UIS = ['kafka-ui', 'schema-registry-ui'];
/** Every folder under apps/ is a service that compose builds from the one Dockerfile. */
const APPS = readdirSync(path.join(ROOT, 'apps')).filter((dir) =>
  existsSync(path.join(ROOT, 'apps', dir, 'package.json')),
);
const LOCAL_DEV_CREDENTIAL = 'orderstream';

function service(name: string): ComposeService {
  const found = services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** Environment as a map; the file uses the map form throughout so that these checks can read it. */
function env(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  if (Array.isArray(environment))
    throw new Error(`service "${name}": write environment as a map, not a list`);
  return environment;
}

function databaseOf(url: string): string {
  return new URL(url).pathname.replace(/^\//, '');
}

describe('docker-compose.yml', () => {
  describe('runs the infrastructure versions of the native stack (tools/infra/versions.json)', () => {
    it('kafka runs the official image at the native Kafka version', () => {
      expect(service('kafka').image).toBe(`apache/kafka:${versions.kafka}`);
      expect(service('kafka').image).toBe(versions.dockerImages.kafka);
    });

    it('the schema registry and its UI run the native Apicurio version', () => {
      expect(service('schema-registry').image).toBe(`apicurio/apicurio-registry:${versions.apicurio}`);
      expect(service('schema-registry').image).toBe(versions.dockerImages.apicurio);
      expect(service('schema-registry-ui').image).toBe(`apicurio/apicurio-registry-ui:${versions.apicurio}`);
    });

    it('postgres runs the native PostgreSQL version', () => {
      expect(service('postgres').image).toBe(`postgres:${versions.postgres}`);
      expect(service('postgres').image).toBe(versions.dockerImages.postgres);
    });

    it('pins every other pulled image to a version tag', () => {
      for (const [name, svc] of Object.entries(services)) {
        // A service that is built names its local image (the manifest's `image`); only pulled ones need a tag.
        if (svc.image === undefined || svc.build !== undefined) continue;
        expect({ name, image: svc.image }).toEqual({
          name,
          image: expect.stringMatching(/:v?\d+\.\d+(\.\d+)?$/),
        });
      }
    });
  });

  describe('starts in dependency order, gated on health', () => {
    it.each(Object.keys(services).filter((name) => !UIS.includes(name)))('%s has a health check', (name) => {
      const healthcheck = service(name).healthcheck;
      expect(healthcheck?.disable).not.toBe(true);
      expect(healthcheck?.test?.length ?? 0).toBeGreaterThan(0);
    });

    it('every depends_on waits for a healthy dependency', () => {
      for (const [name, svc] of Object.entries(services)) {
        if (svc.depends_on === undefined) continue;
        // The short (list) form only waits for the container to start.
        expect({ name, longForm: !Array.isArray(svc.depends_on) }).toEqual({ name, longForm: true });
        for (const [dependency, { condition }] of Object.entries(svc.depends_on)) {
          expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
          expect(service(dependency).healthcheck?.test).toBeDefined();
        }
      }
    });
  });

  describe('the services', () => {
    it('compose builds exactly the apps in apps/', () => {
      const built = Object.entries(services)
        .filter(([, svc]) => svc.build !== undefined)
        .map(([name]) => name);
      expect(built.sort()).toEqual([...APPS].sort());
      expect(APPS).toEqual(expect.arrayContaining(['orders', 'payments', 'inventory', 'outbox-relay']));
    });

    it.each(APPS)('%s is built from the root Dockerfile with SERVICE naming it', (name) => {
      expect(service(name).build).toEqual({
        context: '.',
        dockerfile: 'Dockerfile',
        args: { SERVICE: name },
      });
    });

    it.each(APPS)('%s publishes its PORT and checks readiness there', (name) => {
      const port = env(name)['PORT'];
      expect(port).toMatch(/^\d+$/);
      const adminPort = serviceOf(name).adminPort;
      // An admin API gets its own port, bound to this machine only.
      expect(service(name).ports).toEqual([
        `${port}:${port}`,
        ...(adminPort === undefined ? [] : [`127.0.0.1:${adminPort}:${adminPort}`]),
      ]);
      expect(String(service(name).healthcheck?.test)).toContain('/health/ready');
      expect(String(service(name).healthcheck?.test)).toContain('process.env.PORT');
    });

    it('use distinct ports 3001-3004 for orders, payments, inventory and outbox-relay', () => {
      expect(['orders', 'payments', 'inventory', 'outbox-relay'].map((name) => env(name)['PORT'])).toEqual([
        '3001',
        '3002',
        '3003',
        '3004',
      ]);
    });

    it.each(APPS)('%s reaches Kafka and the registry on their in-network addresses', (name) => {
      const advertised = env('kafka')['KAFKA_ADVERTISED_LISTENERS'] ?? '';
      expect(advertised.split(',')).toContain(`PLAINTEXT://${env(name)['KAFKA_BROKERS']}`);
      expect(env(name)['SCHEMA_REGISTRY_URL']).toBe('http://schema-registry:8080/apis/ccompat/v7');
      expect(env(name)['LOG_LEVEL']).toBe('info');
    });

    it('each service with a database gets its own, and postgres creates exactly those', () => {
      const created = (env('postgres')['ORDERSTREAM_DATABASES'] ?? '').split(/\s+/).sort();
      const owners = APPS.filter((name) => env(name)['DATABASE_URL'] !== undefined);
      // The saga's three at least; a generated service with a database is one more owner.
      expect(owners.sort()).toEqual(expect.arrayContaining(['inventory', 'orders', 'payments']));
      // Each one's own, as the system manifest names it (a hyphenated service has a snake_case database).
      for (const name of owners)
        expect(databaseOf(env(name)['DATABASE_URL'] ?? '')).toBe(databasesOf()[name]);
      expect(created).toEqual(owners.map((name) => databasesOf()[name]).sort());
    });

    it('the outbox relay reads every outbox database and owns none', () => {
      const relay = env('outbox-relay');
      expect(relay['DATABASE_URL']).toBeUndefined();
      const sources = (relay['OUTBOX_SOURCES'] ?? '').split(',').map((entry) => {
        const [name, url] = entry.split(/=(.*)/s);
        return { name, database: databaseOf(url ?? '') };
      });
      const created = (env('postgres')['ORDERSTREAM_DATABASES'] ?? '').split(/\s+/);
      // Each outbox's database, all of them created; a read model's (order-history's) has no outbox.
      expect(sources.map((s) => s.name).sort()).toEqual(
        outboxServices()
          .map((s) => s.name)
          .sort(),
      );
      for (const source of sources) expect(created).toContain(source.database);
      for (const source of sources) expect(source.database).toBe(databasesOf()[source.name ?? '']);
    });

    it('kafka-ui sees the same cluster and registry as the services', () => {
      expect(env('kafka-ui')['KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS']).toBe(env('orders')['KAFKA_BROKERS']);
      expect(env('kafka-ui')['KAFKA_CLUSTERS_0_SCHEMAREGISTRY']).toBe(env('orders')['SCHEMA_REGISTRY_URL']);
    });
  });

  describe('observability: Prometheus, Grafana and Jaeger', () => {
    const OBSERVABILITY = ['prometheus', 'grafana', 'jaeger'];

    it('runs Prometheus 3, Grafana and Jaeger 2 (pinned by the tag check above)', () => {
      expect(service('prometheus').image).toMatch(/^prom\/prometheus:v3\./);
      expect(service('grafana').image).toMatch(/^grafana\/grafana:/);
      expect(service('jaeger').image).toMatch(/^jaegertracing\/jaeger:2\./);
    });

    it('publishes them on 127.0.0.1 only: Prometheus 9090, Grafana 3000, the Jaeger UI 16686 and OTLP 4318', () => {
      expect(OBSERVABILITY.map((name) => service(name).ports)).toEqual([
        ['127.0.0.1:9090:9090'],
        ['127.0.0.1:3000:3000'],
        ['127.0.0.1:16686:16686', '127.0.0.1:4318:4318'],
      ]);
    });

    it.each(APPS)('%s exports its traces to Jaeger over OTLP/HTTP, and does not wait for it', (name) => {
      const endpoint = new URL(env(name)['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '');
      expect(endpoint.origin).toBe('http://jaeger:4318');
      expect(service('jaeger').ports).toContain(`127.0.0.1:${endpoint.port}:${endpoint.port}`);
      // The system runs while its observability does not: tracing is best-effort.
      const dependencies = Object.keys(service(name).depends_on ?? {});
      expect(dependencies.filter((d) => OBSERVABILITY.includes(d))).toEqual([]);
    });
  });

  describe('postgres', () => {
    it('runs with logical WAL, as the native stack does', () => {
      expect(service('postgres').command).toEqual(
        expect.arrayContaining(['wal_level=logical', 'max_replication_slots=10', 'max_wal_senders=10']),
      );
    });

    it('mounts the executable init script that creates the service databases', () => {
      const mount = (service('postgres').volumes ?? []).find((v) =>
        v.includes('/docker-entrypoint-initdb.d/'),
      );
      expect(mount).toBeDefined();
      const script = path.join(ROOT, (mount ?? '').split(':')[0] ?? '');
      expect(script).toBe(path.join(ROOT, 'tools/docker/postgres/init-databases.sh'));
      expect(statSync(script).mode & 0o111).not.toBe(0);
    });
  });

  describe('holds no secrets', () => {
    it('marks its credentials as local development defaults', () => {
      expect(COMPOSE_TEXT).toContain('LOCAL DEVELOPMENT DEFAULTS ONLY');
    });

    it('every password-like variable is the local default', () => {
      for (const name of Object.keys(services)) {
        for (const [key, value] of Object.entries(env(name))) {
          if (!/PASSWORD|SECRET|TOKEN|CREDENTIAL|API_KEY|PRIVATE_KEY/i.test(key)) continue;
          // The ops console's token list has a shape of its own (name=token, 16+ characters); it too is a
          // named local default.
          const expected = key === 'OPS_ADMIN_TOKENS' ? LOCAL_ADMIN_TOKENS : LOCAL_DEV_CREDENTIAL;
          expect({ name, key, value: String(value) }).toEqual({ name, key, value: expected });
        }
      }
    });

    it('every URL with credentials uses the local defaults', () => {
      const userinfo = /[a-z][a-z0-9+.-]*:\/\/([^/@\s,]+)@/gi;
      let urls = 0;
      for (const name of Object.keys(services)) {
        for (const [key, value] of Object.entries(env(name))) {
          for (const match of String(value).matchAll(userinfo)) {
            urls += 1;
            expect({ name, key, userinfo: match[1] }).toEqual({
              name,
              key,
              userinfo: `${LOCAL_DEV_CREDENTIAL}:${LOCAL_DEV_CREDENTIAL}`,
            });
          }
        }
      }
      expect(urls).toBeGreaterThan(0); // the check above really ran
    });

    it('reads nothing from env files or Docker secrets', () => {
      expect(COMPOSE_TEXT).not.toMatch(/^\s*(env_file|secrets):/m);
    });
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on the Node major of .nvmrc, by default, and on nothing but NODE_IMAGE or its own stages', () => {
    // NODE_IMAGE is an argument so that a machine without a registry can pass a local stand-in.
    const major = read('.nvmrc').trim().split('.')[0];
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${major}(\\.|-)\\S*$`, 'm'));
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)$/gm)].map((m) => m[1]);
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(['${NODE_IMAGE}', ...stages]).toContain(base);
  });

  it('pulls no BuildKit frontend, and lets the CA bundle in only as a secret', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax=/m);
    expect(dockerfile).not.toMatch(/^(ENV|ARG)\s+NODE_EXTRA_CA_CERTS/m);
    // Every npm ci can trust the optional secret; nothing else mentions it.
    const installs =
      dockerfile.match(/^RUN --mount=type=cache[^\n]*\n(?:[^\n]*\\\n)*[^\n]*npm ci.*$/gm) ?? [];
    expect(installs).toHaveLength(2);
    for (const install of installs) expect(install).toContain('--mount=type=secret,id=ca_bundle');
  });

  it('runs the compiled service as the unprivileged node user in production mode', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^WORKDIR \/app\/apps\/\$\{SERVICE\}$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('installs from the lockfile', () => {
    expect(dockerfile).toMatch(/npm ci$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev$/m);
    expect(dockerfile).not.toMatch(/npm install/);
  });
});
