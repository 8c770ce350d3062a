import {
  consumerGroupsOf,
  databasesOf,
  defineSystem,
  eventStream,
  ManifestError,
  manifestProblems,
  outboxSources,
  serviceOf,
  SYSTEM,
  type ServiceDeclaration,
} from './index';

const service = (overrides: Partial<ServiceDeclaration>): ServiceDeclaration => ({
  name: 'shop',
  description: 'a shop',
  port: 4000,
  outbox: false,
  topics: [],
  consumerGroups: [],
  image: 'shop',
  ...overrides,
});

describe('the system manifest', () => {
  it('is consistent', () => {
    expect(manifestProblems(SYSTEM)).toEqual([]);
  });

  it('answers what the tools ask', () => {
    // The saga's services come first; a service added after them (the service generator appends one) adds
    // its own answers and changes none of these.
    expect(databasesOf()).toMatchObject({ orders: 'orders', payments: 'payments', inventory: 'inventory' });
    expect(outboxSources((s) => `postgres://h/${s.database}`)).toMatch(
      /^orders=postgres:\/\/h\/orders,payments=postgres:\/\/h\/payments,inventory=postgres:\/\/h\/inventory(,|$)/,
    );
    expect(consumerGroupsOf().slice(0, 4)).toEqual([
      { service: 'orders', group: 'orders', topics: ['inventory.events', 'payments.events'] },
      { service: 'orders', group: 'orders-stock-replica', topics: ['inventory.stock-levels'] },
      { service: 'payments', group: 'payments', topics: ['inventory.events', 'orders.events'] },
      { service: 'inventory', group: 'inventory', topics: ['orders.events', 'payments.events'] },
    ]);
    expect(serviceOf('orders').topics[0]).toMatchObject({
      name: 'orders.events',
      partitions: 6,
      cleanupPolicy: 'delete',
      retentionMs: 7 * 24 * 3_600_000,
    });
    expect(serviceOf('inventory').topics[1]).toMatchObject({
      name: 'inventory.stock-levels',
      partitions: 3,
      cleanupPolicy: 'compact',
      retentionMs: 'infinite',
    });
    expect(() => serviceOf('nope')).toThrow('No service "nope" in the system manifest');
  });

  it('refuses a manifest that contradicts itself, naming every problem', () => {
    const broken = {
      services: [
        service({
          name: 'shop',
          port: 4000,
          topics: [eventStream('shop.events', { partitions: 1, events: ['shop.Sold'], description: '' })],
        }),
        service({
          name: 'Shop2',
          port: 4000,
          outbox: true,
          image: 'shop',
          topics: [eventStream('t', { partitions: 0, events: ['shop.Sold'], description: '' })],
          consumerGroups: [{ name: 'g', consumes: ['shop.Refunded'] }],
        }),
      ],
    };
    expect(manifestProblems(broken)).toEqual([
      'port "4000" is declared twice',
      'image "shop" is declared twice',
      'event type "shop.Sold" is declared twice',
      'shop publishes events but has no outbox',
      'service name "Shop2" is not kebab-case',
      'Shop2 has an outbox but no database',
      'topic t needs at least one partition',
      "Shop2's group g consumes shop.Refunded, which no topic carries",
    ]);
    expect(() => defineSystem(broken)).toThrow(ManifestError);
  });
});
