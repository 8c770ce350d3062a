import { ConfigError } from './config.error';
import { namedPostgresUrls, postgresUrl } from './env-fields';
import { loadConfig } from './load-config';
import { serviceConfigSchema } from './service-config.schema';

const schema = serviceConfigSchema({ name: 'orders', defaultPort: 3001 }).extend({
  DATABASE_URL: postgresUrl(),
});

const validEnv = {
  KAFKA_BROKERS: 'localhost:9092',
  SCHEMA_REGISTRY_URL: 'http://localhost:8080/apis/ccompat/v7',
  DATABASE_URL: 'postgres://orders:secret@localhost:5432/orders',
};

function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults of every optional variable', () => {
    expect(loadConfig(schema, validEnv)).toEqual({
      PORT: 3001,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: ['localhost:9092'],
      KAFKA_CLIENT_ID: 'orders',
      KAFKA_CONSUMER_GROUP: 'orders',
      KAFKA_NAMESPACE: '',
      SCHEMA_REGISTRY_URL: 'http://localhost:8080/apis/ccompat/v7',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      OTEL_SERVICE_NAME: 'orders',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      DATABASE_URL: 'postgres://orders:secret@localhost:5432/orders',
    });
  });

  it('reads the standard OpenTelemetry variables and refuses what the exporter cannot do', () => {
    expect(
      loadConfig(schema, {
        ...validEnv,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: 0.25,
    });
    expect(
      configErrorFor({
        ...validEnv,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }).problems,
    ).toEqual([
      { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', problem: 'must be an http:// or https:// URL' },
      {
        variable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
        problem: 'must be http/json (the only protocol this exporter speaks)',
      },
      { variable: 'OTEL_TRACES_SAMPLER_ARG', problem: 'must be a ratio between 0 and 1' },
    ]);
  });

  it('parses the values it is given', () => {
    const config = loadConfig(schema, {
      ...validEnv,
      PORT: '8080',
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9092 ,',
      SHUTDOWN_TIMEOUT_MS: '2500',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      SHUTDOWN_TIMEOUT_MS: 2500,
    });
  });

  it('names every missing variable at once', () => {
    const error = configErrorFor({});
    expect(error.problems).toEqual([
      { variable: 'KAFKA_BROKERS', problem: 'required' },
      { variable: 'SCHEMA_REGISTRY_URL', problem: 'required' },
      { variable: 'DATABASE_URL', problem: 'required' },
    ]);
    expect(error.message).toBe(
      'Invalid configuration: KAFKA_BROKERS: required; SCHEMA_REGISTRY_URL: required; DATABASE_URL: required',
    );
  });

  it('treats an empty value as missing', () => {
    expect(configErrorFor({ ...validEnv, KAFKA_BROKERS: '  ' }).problems).toEqual([
      { variable: 'KAFKA_BROKERS', problem: 'required' },
    ]);
  });

  it('names a malformed URL without echoing its value', () => {
    const error = configErrorFor({
      ...validEnv,
      SCHEMA_REGISTRY_URL: 'localhost:8080',
      DATABASE_URL: 'mysql://orders:secret@localhost/orders',
    });
    expect(error.problems).toEqual([
      { variable: 'SCHEMA_REGISTRY_URL', problem: 'must be an http:// or https:// URL' },
      { variable: 'DATABASE_URL', problem: 'must be a postgres:// URL' },
    ]);
    expect(error.message).not.toContain('secret');
  });

  it('names malformed numbers, levels and broker lists', () => {
    const error = configErrorFor({
      ...validEnv,
      PORT: '70000',
      LOG_LEVEL: 'loud',
      KAFKA_BROKERS: 'kafka-1',
      SHUTDOWN_TIMEOUT_MS: 'soon',
    });
    expect(error.variables).toEqual(['PORT', 'LOG_LEVEL', 'KAFKA_BROKERS', 'SHUTDOWN_TIMEOUT_MS']);
    expect(error.problems[0]?.problem).toBe('must be between 1 and 65535');
    expect(error.problems[2]?.problem).toBe('must be a comma-separated list of host:port');
  });
});

describe('namedPostgresUrls', () => {
  const sources = namedPostgresUrls();

  it('parses name=url pairs into a record', () => {
    expect(
      sources.parse('orders=postgres://u:p@h:5432/orders, payments=postgresql://u:p@h/payments'),
    ).toEqual({
      orders: 'postgres://u:p@h:5432/orders',
      payments: 'postgresql://u:p@h/payments',
    });
  });

  it.each([
    ['postgres://u:p@h/orders', 'each entry must be name=postgres://… with a lower-case name'],
    ['orders=http://h/orders', '"orders" must be a postgres:// URL'],
    ['orders=postgres://h/a,orders=postgres://h/b', 'names must be unique ("orders" appears twice)'],
    [',', 'must name at least one name=postgres://… pair'],
  ])('rejects %s', (value, message) => {
    const result = sources.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});
