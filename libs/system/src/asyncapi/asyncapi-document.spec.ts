/**
 * The documents from a small system of two services: a shop that publishes and a warehouse that consumes,
 * with a command topic used only when orchestrated. The real system's documents are validated with
 * @asyncapi/parser and checked against their committed copies in tools/architecture.
 */
import { commandTopic, compactedTopic, defineSystem, eventStream, type SystemManifest } from '../manifest';
import {
  AVRO_SCHEMA_FORMAT,
  AsyncApiError,
  messageIdOf,
  serviceAsyncApi,
  systemAsyncApi,
  type AsyncApiContract,
} from './asyncapi-document';

const record = (name: string, fields: string[]) => ({
  type: 'record' as const,
  name,
  namespace: 'acme.shop.v1',
  doc: `${name} happened.`,
  fields: fields.map((field) => ({ name: field, type: 'string' })),
});

const CONTRACTS: AsyncApiContract[] = [
  {
    type: 'acme.shop.OrderPlaced',
    topic: 'shop.events',
    schema: record('OrderPlaced', ['orderId', 'customerId']),
    key: (data: { orderId: string }) => data.orderId,
  },
  {
    type: 'acme.shop.OrderPaid',
    topic: 'shop.events',
    schema: record('OrderPaid', ['orderId']),
    key: (data: { orderId: string }) => data.orderId,
  },
  {
    type: 'acme.warehouse.ShipOrder',
    topic: 'warehouse.commands',
    schema: record('ShipOrder', ['orderId']),
    key: (data: { orderId: string }) => data.orderId,
  },
  {
    type: 'acme.warehouse.ItemWithdrawn',
    topic: 'warehouse.items',
    schema: record('ItemWithdrawn', ['sku']),
    key: (data: { sku: string }) => `${data.sku}`,
    tombstone: true,
  },
];

const SHOP: SystemManifest = defineSystem({
  services: [
    {
      name: 'shop',
      description: 'Sells.',
      port: 4001,
      database: 'shop',
      outbox: true,
      topics: [
        eventStream('shop.events', {
          partitions: 6,
          events: ['acme.shop.OrderPlaced', 'acme.shop.OrderPaid'],
          description: 'Orders.',
        }),
      ],
      consumerGroups: [],
      image: 'shop',
    },
    {
      name: 'warehouse',
      description: 'Ships.',
      port: 4002,
      database: 'warehouse',
      outbox: true,
      topics: [
        commandTopic('warehouse.commands', {
          partitions: 3,
          commands: ['acme.warehouse.ShipOrder'],
          sentBy: ['shop'],
          description: 'Commands.',
        }),
        compactedTopic('warehouse.items', {
          partitions: 1,
          events: ['acme.warehouse.ItemWithdrawn'],
          description: 'Items.',
        }),
      ],
      consumerGroups: [
        {
          name: 'warehouse',
          consumes: ['acme.shop.OrderPlaced', 'acme.shop.OrderPaid'],
          whenOrchestrated: ['acme.shop.OrderPaid', 'acme.warehouse.ShipOrder'],
        },
      ],
      image: 'warehouse',
    },
  ],
});

describe('the AsyncAPI documents', () => {
  const system = systemAsyncApi(CONTRACTS, SHOP);

  it('has a channel per topic, with its partitions and topic configuration', () => {
    expect(Object.keys(system.channels)).toEqual(['shop.events', 'warehouse.commands', 'warehouse.items']);
    expect(system.channels['shop.events']).toMatchObject({
      address: 'shop.events',
      messages: {
        'shop.OrderPlaced': { $ref: '#/components/messages/shop.OrderPlaced' },
        'shop.OrderPaid': { $ref: '#/components/messages/shop.OrderPaid' },
      },
      bindings: {
        kafka: {
          topic: 'shop.events',
          partitions: 6,
          topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': 7 * 86_400_000 },
        },
      },
    });
    expect(system.channels['warehouse.items']?.bindings.kafka).toMatchObject({
      topicConfiguration: { 'cleanup.policy': ['compact'], 'retention.ms': -1 },
    });
  });

  it('has a message per contract: its Avro schema, the envelope headers and its key', () => {
    const placed = system.components.messages['shop.OrderPlaced'];
    expect(placed).toMatchObject({
      contentType: 'application/avro',
      payload: { schemaFormat: AVRO_SCHEMA_FORMAT, schema: record('OrderPlaced', ['orderId', 'customerId']) },
      headers: {
        allOf: [{ $ref: '#/components/schemas/EnvelopeHeaders' }],
        required: ['content-type'],
        properties: {
          ce_type: { const: 'acme.shop.OrderPlaced' },
          ce_source: { const: '/orderstream/shop' },
        },
      },
      correlationId: { location: '$message.header#/correlation-id' },
    });
    // The key is described from the contract's own key function.
    expect(placed?.bindings.kafka['key']).toMatchObject({
      description: expect.stringContaining('Made of the payload’s `orderId`'),
    });
    // A command's source is its sender's.
    expect(system.components.messages['warehouse.ShipOrder']?.headers).toMatchObject({
      properties: { ce_source: { const: '/orderstream/shop' } },
    });
    expect(system.components.schemas['EnvelopeHeaders']).toMatchObject({
      required: expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'correlation-id']),
    });
  });

  it('describes a tombstone as a null value, without a content type', () => {
    const withdrawn = system.components.messages['warehouse.ItemWithdrawn'];
    expect(withdrawn?.payload.schema).toBe('null');
    expect(withdrawn?.contentType).toBeUndefined();
    expect(withdrawn?.headers['required']).toBeUndefined();
    expect(withdrawn?.bindings.kafka['key']).toMatchObject({
      description: expect.stringContaining('`sku`'),
    });
  });

  it('has a send per published message and a receive per consumed one, tagged with the saga mode they need', () => {
    const summary = Object.fromEntries(
      Object.entries(system.operations).map(([id, o]) => [
        id,
        [o.action, o.channel.$ref, o.tags.map((t) => t.$ref.replace('#/components/tags/', '')).join(' ')],
      ]),
    );
    expect(summary).toEqual({
      'shop.send.shop.OrderPlaced': ['send', '#/channels/shop.events', 'service.shop'],
      'shop.send.shop.OrderPaid': ['send', '#/channels/shop.events', 'service.shop'],
      'shop.send.warehouse.ShipOrder': [
        'send',
        '#/channels/warehouse.commands',
        'service.shop saga.orchestration',
      ],
      'warehouse.send.warehouse.ItemWithdrawn': ['send', '#/channels/warehouse.items', 'service.warehouse'],
      'warehouse.receive.shop.OrderPlaced': [
        'receive',
        '#/channels/shop.events',
        'service.warehouse saga.choreography',
      ],
      'warehouse.receive.shop.OrderPaid': ['receive', '#/channels/shop.events', 'service.warehouse'],
      'warehouse.receive.warehouse.ShipOrder': [
        'receive',
        '#/channels/warehouse.commands',
        'service.warehouse saga.orchestration',
      ],
    });
    expect(system.operations['warehouse.receive.shop.OrderPaid']).toMatchObject({
      messages: [{ $ref: '#/channels/shop.events/messages/shop.OrderPaid' }],
      bindings: { kafka: { groupId: { type: 'string', default: 'warehouse' } } },
    });
    // A channel used in one mode only says so too.
    expect(system.channels['warehouse.commands']?.tags).toEqual([
      { $ref: '#/components/tags/saga.orchestration' },
    ]);
    expect(system.channels['shop.events']?.tags).toBeUndefined();
    expect(Object.keys(system.components.tags)).toEqual([
      'saga.choreography',
      'saga.orchestration',
      'service.shop',
      'service.warehouse',
    ]);
  });

  it('gives a service its own operations and the channels and messages they use', () => {
    const shop = serviceAsyncApi('shop', CONTRACTS, SHOP);
    expect(shop).toMatchObject({
      asyncapi: '3.0.0',
      id: 'urn:orderstream:shop',
      info: { title: 'orderstream shop' },
    });
    expect(Object.keys(shop.operations)).toEqual([
      'shop.send.shop.OrderPlaced',
      'shop.send.shop.OrderPaid',
      'shop.send.warehouse.ShipOrder',
    ]);
    expect(Object.keys(shop.channels)).toEqual(['shop.events', 'warehouse.commands']);
    expect(Object.keys(shop.components.messages)).toEqual([
      'shop.OrderPlaced',
      'shop.OrderPaid',
      'warehouse.ShipOrder',
    ]);
    expect(Object.keys(shop.components.tags)).toEqual(['saga.orchestration', 'service.shop']);
    // The same channel reads the same in every document.
    expect(shop.channels['warehouse.commands']).toEqual(system.channels['warehouse.commands']);
  });

  it('changes when a consumer group consumes one more event', () => {
    const [shop, warehouse] = SHOP.services;
    const group = warehouse!.consumerGroups[0]!;
    const more = defineSystem({
      services: [
        shop!,
        {
          ...warehouse!,
          consumerGroups: [{ ...group, consumes: [...group.consumes, 'acme.warehouse.ShipOrder'] }],
        },
      ],
    });
    const changed = serviceAsyncApi('warehouse', CONTRACTS, more);
    expect(changed).not.toEqual(serviceAsyncApi('warehouse', CONTRACTS, SHOP));
    expect(changed.operations['warehouse.receive.warehouse.ShipOrder']?.tags).toEqual([
      { $ref: '#/components/tags/service.warehouse' },
    ]);
  });

  it('needs the contracts of a service’s own channels only', () => {
    const withRelay = defineSystem({
      services: [
        ...SHOP.services,
        {
          ...SHOP.services[0]!,
          name: 'relay',
          port: 4003,
          database: undefined,
          outbox: false,
          image: 'relay',
          topics: [],
          relaysOutboxes: true,
        },
      ],
    });
    const relay = serviceAsyncApi('relay', [], withRelay);
    expect(relay).toMatchObject({ channels: {}, operations: {} });
    expect(relay.info.description).toContain('it publishes the outboxes of shop, warehouse on their behalf');
    expect(() => serviceAsyncApi('shop', [], withRelay)).toThrow(AsyncApiError);
  });

  it('refuses a manifest type without a contract, a contract on another topic, and two messages of one name', () => {
    expect(() => systemAsyncApi(CONTRACTS.slice(1), SHOP)).toThrow(
      new AsyncApiError('No contract for acme.shop.OrderPlaced, which the system manifest names'),
    );
    const moved = CONTRACTS.map((c) => (c.type === 'acme.shop.OrderPaid' ? { ...c, topic: 'elsewhere' } : c));
    expect(() => systemAsyncApi(moved, SHOP)).toThrow(
      'acme.shop.OrderPaid is declared on shop.events but its contract is on elsewhere',
    );
    const twin = { ...CONTRACTS[0]!, type: 'other.shop.OrderPlaced' };
    expect(() => systemAsyncApi([...CONTRACTS, twin], SHOP)).toThrow(
      'other.shop.OrderPlaced and acme.shop.OrderPlaced would both be the message shop.OrderPlaced',
    );
  });

  it('names a message by its context and record, its type without the system', () => {
    expect(messageIdOf('orderstream.orders.OrderPlaced')).toBe('orders.OrderPlaced');
    expect(messageIdOf('orderstream.orders.OrderPlaced.v2')).toBe('orders.OrderPlaced.v2');
    expect(messageIdOf('Odd')).toBe('Odd');
  });
});
