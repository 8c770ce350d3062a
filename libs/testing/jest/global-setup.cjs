// Jest global setup for integration and e2e tests: provides the infrastructure once per Jest run and hands
// it to the test workers through environment variables. Runs with NODE_OPTIONS=--conditions=@orderstream/source
// (see the test-int scripts), so workspace libraries resolve to their TypeScript sources.
module.exports = async function globalSetup() {
  const { provideInfrastructure, infrastructureToEnv } = require('@orderstream/testing');
  const log = (line) => process.stderr.write(`[infra] ${line}\n`);
  // The provider comes from ORDERSTREAM_INFRA (validated there; native by default under CI=true).
  const provided = await provideInfrastructure({ log });
  Object.assign(process.env, infrastructureToEnv(provided.infra));
  const { source, versions, kafkaBrokers, schemaRegistryUrl } = provided.infra;
  log(
    `source=${source} kafka=${versions.kafka} (${kafkaBrokers.join(',')}) registry=${versions.schemaRegistry} ` +
      `(${schemaRegistryUrl}) postgres=${versions.postgres}`,
  );
  globalThis.__ORDERSTREAM_INFRA__ = provided;
};
