/**
 * Infrastructure from Testcontainers, for machines with a Docker engine. Same images and versions as
 * docker-compose.yml and the native stack (tools/infra/versions.json).
 *
 * Before starting anything it makes sure the engine has every image (pulling what it lacks), so an engine
 * that answers but cannot reach a registry fails in seconds with the images named and the way out
 * (ORDERSTREAM_INFRA=native), instead of with the daemon's bare HTTP 500 from somewhere inside a start.
 */
import type { StartedTestContainer } from 'testcontainers';

// Testcontainers is loaded on first use only: most runs (explicit URLs, native stack) never need it.
const testcontainers = () => import('testcontainers');
import type { TestInfrastructure } from './infrastructure';
import { InfrastructureSelectionError, INFRASTRUCTURE_PREFERENCE_ENV } from './infrastructure-preference';
import type { ProvidedInfrastructure } from './native';
import { freePort } from '../net/free-port';

export interface ContainerImages {
  kafka: string;
  apicurio: string;
  postgres: string;
}

/** True when a container runtime answers; Testcontainers is then the provider. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await testcontainers();
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** The two image operations the pre-flight needs, so it can be tested without an engine. */
export interface ImageStore {
  exists(image: string): Promise<boolean>;
  /** Pulls the image from its registry. */
  pull(image: string): Promise<void>;
}

/** Where the images were looked for and why Testcontainers was used at all, for the error message. */
export interface PreflightContext {
  /** The engine's address, e.g. unix:///var/run/docker.sock. */
  engine: string;
  /** Why Testcontainers was picked, e.g. `ORDERSTREAM_INFRA=auto and a Docker engine answers`. */
  chosenBy: string;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}

/** The advice every "Testcontainers cannot run here" message ends with. */
function nativeAdvice(): string {
  return (
    `Use the native stack instead: ${INFRASTRUCTURE_PREFERENCE_ENV}=native npm test (the default when CI=true), ` +
    'or make the images available to the engine first (docker pull, or docker load from a tarball).'
  );
}

/**
 * Makes sure the engine has every image, pulling the missing ones in parallel. A pull can also fail without
 * an error (the daemon reports some failures inside the progress stream), so an image counts as available
 * only when the engine has it afterwards. Throws one error that lists every image it could not get.
 */
export async function ensureImages(
  images: readonly string[],
  store: ImageStore,
  context: PreflightContext,
): Promise<void> {
  const results = await Promise.all(
    images.map(async (image) => {
      try {
        if (await store.exists(image)) return undefined;
        await store.pull(image);
        return (await store.exists(image))
          ? undefined
          : `${image}: the pull ended but the engine has no such image`;
      } catch (error) {
        return `${image}: ${messageOf(error)}`;
      }
    }),
  );
  const failures = results.filter((failure): failure is string => failure !== undefined);
  if (failures.length === 0) return;
  throw new InfrastructureSelectionError(
    'INFRA_IMAGES_UNAVAILABLE',
    `Testcontainers was chosen (${context.chosenBy}) and the Docker engine at ${context.engine} answers, ` +
      `but it has not got, and could not pull, ${failures.length === 1 ? 'this image' : 'these images'}:\n` +
      failures.map((failure) => `  - ${failure}\n`).join('') +
      nativeAdvice(),
  );
}

function tagOf(image: string): string {
  return image.slice(image.lastIndexOf(':') + 1);
}

async function startKafka(image: string, host: string): Promise<StartedTestContainer> {
  const { GenericContainer, Wait } = await testcontainers();
  const port = await freePort();
  // The official apache/kafka image configured as a single KRaft node; the EXTERNAL listener advertises
  // the fixed host port so clients outside the container can reach every partition leader.
  return new GenericContainer(image)
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'EXTERNAL://0.0.0.0:9092,INTERNAL://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: `EXTERNAL://${host}:${port},INTERNAL://localhost:19092`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'EXTERNAL:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
}

/**
 * Promise.all for container starts, except that when one fails the ones that did start are stopped
 * rather than left running until the reaper notices this process is gone.
 */
async function startAll<T extends readonly Promise<StartedTestContainer>[]>(
  starts: readonly [...T],
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(
      settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.stop()] : [])),
    );
    throw failure.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<StartedTestContainer>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

export async function provideTestcontainers(
  images: ContainerImages,
  log: (line: string) => void,
  chosenBy = 'ORDERSTREAM_INFRA=testcontainers',
): Promise<ProvidedInfrastructure> {
  const { GenericContainer, getContainerRuntimeClient, getReaper, ImageName, Wait } = await testcontainers();
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const runtime = await getContainerRuntimeClient();
  const host = runtime.info.containerRuntime.host;
  const engine = runtime.info.containerRuntime.remoteSocketPath;
  const store: ImageStore = {
    exists: (image) => runtime.image.exists(ImageName.fromString(image)),
    pull: (image) => runtime.image.pull(ImageName.fromString(image)),
  };
  await ensureImages([images.kafka, images.apicurio, images.postgres], store, { engine, chosenBy });
  // Testcontainers' reaper (Ryuk) removes our containers if this process dies; it is one more image the
  // engine must have. Started here so its failure gets the same advice rather than surfacing mid-start.
  try {
    await getReaper(runtime);
  } catch (error) {
    throw new InfrastructureSelectionError(
      'INFRA_IMAGES_UNAVAILABLE',
      `Testcontainers was chosen (${chosenBy}) and the Docker engine at ${engine} answers, but its reaper ` +
        `container (Ryuk; image from RYUK_CONTAINER_IMAGE or Testcontainers' default) did not start: ` +
        `${messageOf(error)}\n${nativeAdvice()}`,
    );
  }
  log(`Starting ${images.kafka}, ${images.apicurio} and ${images.postgres} with Testcontainers on ${host}`);
  const [kafka, registry, postgres] = await startAll([
    startKafka(images.kafka, host),
    new GenericContainer(images.apicurio)
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080).forStatusCode(200))
      .withStartupTimeout(120_000)
      .start(),
    new PostgreSqlContainer(images.postgres)
      .withUsername('orderstream')
      .withPassword('orderstream') // local test default, not a secret
      .withDatabase('postgres')
      .withCommand([
        'postgres',
        '-c',
        'wal_level=logical',
        '-c',
        'max_replication_slots=10',
        '-c',
        'max_wal_senders=10',
      ])
      .start(),
  ]);
  const infra: TestInfrastructure = {
    source: 'testcontainers',
    kafkaBrokers: [`${host}:${kafka.getMappedPort(9092)}`],
    schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    postgresUrl: postgres.getConnectionUri(),
    versions: {
      kafka: `Apache Kafka ${tagOf(images.kafka)}`,
      schemaRegistry: `Apicurio Registry ${tagOf(images.apicurio)}`,
      postgres: `PostgreSQL ${tagOf(images.postgres)}`,
    },
  };
  return {
    infra,
    stop: async () => {
      await Promise.all([kafka.stop(), registry.stop(), postgres.stop()]);
    },
  };
}
