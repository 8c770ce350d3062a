import { chooseProvider, provideInfrastructure } from './provide-infrastructure';

describe('chooseProvider', () => {
  const answers = (value: boolean) => jest.fn(async () => value);

  it('never probes Docker for native or testcontainers', async () => {
    const probe = answers(true);
    await expect(
      chooseProvider({ preference: 'native', origin: 'the default under CI=true' }, probe),
    ).resolves.toEqual({
      provider: 'native',
      chosenBy: 'the default under CI=true',
    });
    await expect(
      chooseProvider({ preference: 'testcontainers', origin: 'ORDERSTREAM_INFRA=testcontainers' }, probe),
    ).resolves.toEqual({ provider: 'testcontainers', chosenBy: 'ORDERSTREAM_INFRA=testcontainers' });
    expect(probe).not.toHaveBeenCalled();
  });

  it('uses Testcontainers for auto only when an engine answers', async () => {
    const auto = { preference: 'auto', origin: 'ORDERSTREAM_INFRA=auto' } as const;
    await expect(chooseProvider(auto, answers(true))).resolves.toEqual({
      provider: 'testcontainers',
      chosenBy: 'ORDERSTREAM_INFRA=auto (auto) and a Docker engine answers',
    });
    await expect(chooseProvider(auto, answers(false))).resolves.toEqual({
      provider: 'native',
      chosenBy: 'ORDERSTREAM_INFRA=auto (auto) and no Docker engine answers',
    });
  });
});

describe('provideInfrastructure', () => {
  const urls = {
    KAFKA_BROKERS: '127.0.0.1:19092, 127.0.0.1:19093',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7/',
    POSTGRES_URL: 'postgres://u:p@127.0.0.1:15432/postgres',
  };

  it('takes explicit URLs from the environment, starting nothing', async () => {
    const provided = await provideInfrastructure({ env: { ...urls, CI: 'true' } });
    expect(provided.infra).toMatchObject({
      source: 'environment',
      kafkaBrokers: ['127.0.0.1:19092', '127.0.0.1:19093'],
      schemaRegistryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
      postgresUrl: urls.POSTGRES_URL,
    });
    await provided.stop();
  });

  it('rejects an unknown ORDERSTREAM_INFRA even when explicit URLs would win', async () => {
    await expect(provideInfrastructure({ env: { ...urls, ORDERSTREAM_INFRA: 'podman' } })).rejects.toThrow(
      'ORDERSTREAM_INFRA is "podman", which is not one of native, testcontainers, auto',
    );
  });
});
