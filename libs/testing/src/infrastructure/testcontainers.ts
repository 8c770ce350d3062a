/**
 * Infrastructure from Testcontainers, for machines with a Docker engine. Same images and versions as
 * docker-compose.yml and the native stack (tools/infra/versions.json).
 */
import type { StartedTestContainer } from 'testcontainers';

// Testcontainers is loaded on first use only: most runs (explicit URLs, native stack) never need it.
const testcontainers = () => import('testcontainers');
import type { TestInfrastructure } from './infrastructure';
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

export async function provideTestcontainers(
  images: ContainerImages,
  log: (line: string) => void,
): Promise<ProvidedInfrastructure> {
  const { GenericContainer, getContainerRuntimeClient, Wait } = await testcontainers();
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const runtime = await getContainerRuntimeClient();
  const host = runtime.info.containerRuntime.host;
  log(`Starting ${images.kafka}, ${images.apicurio} and ${images.postgres} with Testcontainers on ${host}`);
  const [kafka, registry, postgres] = await Promise.all([
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
