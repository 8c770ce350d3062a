import type { InfraEndpoints } from '@orderstream/infra';
import { databasesOf, serviceOf } from '@orderstream/system';
import { demoServices } from './demo-services';
import { callUrlVariable, defaultPort, SERVICE_NAMES } from './services';

const endpoints: InfraEndpoints = {
  kafkaBrokers: ['127.0.0.1:19092'],
  schemaRegistryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
  postgres: {
    host: '127.0.0.1',
    port: 15432,
    user: 'orderstream',
    password: 'p@ss',
    databases: databasesOf(),
  },
  versions: { kafka: '4', apicurio: '3', postgres: '17' },
};

/** Every `<SERVICE>_URL` each service gets, with the port the demo starts the called service on. */
function callsOf(services: ReturnType<typeof demoServices>) {
  const portOf = new Map(services.map((s) => [s.name, s.port]));
  return services.flatMap(({ name, env }) =>
    (serviceOf(name).calls ?? []).map((called) => ({
      caller: name,
      given: env[callUrlVariable(called)],
      expected: `http://127.0.0.1:${portOf.get(called)}`,
    })),
  );
}

describe('demoServices', () => {
  it('starts every service on its manifest port without --base-port, and tells its callers that port', () => {
    const services = demoServices(endpoints);
    expect(services.map((s) => [s.name, s.port, s.env['PORT']])).toEqual(
      SERVICE_NAMES.map((name) => [name, defaultPort(name), String(defaultPort(name))]),
    );
    const calls = callsOf(services);
    expect(calls.length).toBeGreaterThan(0);
    for (const { given, expected } of calls) expect(given).toBe(expected);
  });

  it('with --base-port, starts the services on N, N+1, … and tells every caller the shifted port', () => {
    const services = demoServices(endpoints, 13001);
    expect(services.map((s) => [s.name, s.port, s.env['PORT']])).toEqual(
      SERVICE_NAMES.map((name, i) => [name, 13001 + i, String(13001 + i)]),
    );
    const calls = callsOf(services);
    expect(calls.map((c) => [c.caller, c.given])).toEqual(calls.map((c) => [c.caller, c.expected]));
    // The case that was wrong: notifications was sent to orders' manifest port, 3001.
    const notifications = services.find((s) => s.name === 'notifications');
    expect(notifications?.env['ORDERS_URL']).toBe(
      `http://127.0.0.1:${13001 + SERVICE_NAMES.indexOf('orders')}`,
    );
  });

  it('gives each owner of a database its URL on the infrastructure PostgreSQL', () => {
    const orders = demoServices(endpoints).find((s) => s.name === 'orders');
    expect(orders?.env['DATABASE_URL']).toBe('postgres://orderstream:p%40ss@127.0.0.1:15432/orders');
  });
});
