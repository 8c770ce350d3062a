/**
 * The generator's edits of the files it registers a service in, against the files as they are in this
 * workspace (so a restructured file fails here, not in a user's generator run) and against small sources
 * that show the edge cases.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ALL_EVENTS_FILE,
  CONTRACTS_INDEX_FILE,
  CONTRACTS_SPEC_FILE,
  MANIFEST_FILE,
  ServiceExistsError,
  TOPICS_FILE,
  addContractSample,
  addManifestEntry,
  exportContextEvents,
  manifestServicePorts,
  nextFreePort,
  registerContextEvents,
  registerTopic,
} from './registrations.ts';
import { InvalidServiceNameError, serviceNames } from './service-names.ts';
import { SourceShapeError } from './source-edits.ts';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');
const shipping = serviceNames('shipping');

describe('serviceNames', () => {
  it('derives every name from one kebab-case name', () => {
    expect(serviceNames('sales-analytics')).toEqual({
      name: 'sales-analytics',
      className: 'SalesAnalytics',
      propertyName: 'salesAnalytics',
      constantName: 'SALES_ANALYTICS',
      database: 'sales_analytics',
      topic: 'sales-analytics.events',
      image: 'orderstream-sales-analytics',
      context: 'salesAnalytics',
      recordName: 'OrderRecorded',
      eventType: 'orderstream.salesAnalytics.OrderRecorded',
      eventConst: 'salesAnalyticsOrderRecordedEvent',
      schemaConst: 'salesAnalyticsOrderRecordedSchema',
      eventInterface: 'SalesAnalyticsOrderRecorded',
      eventsConst: 'salesAnalyticsEvents',
    });
  });

  it.each(['Shipping', 'shipping_events', '-shipping', 'shipping-', '9lives', 'a--b', ''])(
    'refuses %j',
    (name) => {
      expect(() => serviceNames(name)).toThrow(InvalidServiceNameError);
    },
  );
});

describe('the manifest entry', () => {
  const manifest = read(MANIFEST_FILE);

  it('takes the port after the highest the manifest declares', () => {
    const ports = manifestServicePorts(manifest).map((s) => s.port);
    expect(ports.length).toBeGreaterThanOrEqual(4);
    expect(nextFreePort(manifest)).toBe(Math.max(...ports) + 1);
  });

  it('is appended to the services, with its topic, event, consumer group, database and image', () => {
    const port = nextFreePort(manifest);
    const edited = addManifestEntry(manifest, { names: shipping, description: "Ships 'em", port });
    expect(manifestServicePorts(edited).at(-1)).toEqual({ name: 'shipping', port });
    expect(edited.startsWith(manifest.slice(0, manifest.lastIndexOf(']')))).toBe(true);
    expect(edited).toContain("description: 'Ships \\'em'");
    expect(edited).toContain("eventStream('shipping.events'");
    expect(edited).toContain("events: ['orderstream.shipping.OrderRecorded']");
    expect(edited).toContain(
      "consumerGroups: [{ name: 'shipping', consumes: ['orderstream.orders.OrderPlaced'] }]",
    );
    expect(edited).toContain("database: 'shipping'");
    expect(edited).toContain("image: 'orderstream-shipping'");
  });

  it('refuses a name or a port the manifest already has', () => {
    const [first = { name: 'missing', port: 0 }] = manifestServicePorts(manifest);
    expect(() =>
      addManifestEntry(manifest, { names: serviceNames(first.name), description: '', port: 3999 }),
    ).toThrow(ServiceExistsError);
    expect(() => addManifestEntry(manifest, { names: shipping, description: '', port: first.port })).toThrow(
      ServiceExistsError,
    );
  });

  it('keeps a list with or without a trailing comma a valid list', () => {
    const entry = { names: shipping, description: 'd', port: 9 };
    const one = (rest: string) => `defineSystem({ services: [{ name: 'a', port: 1 }${rest}] });`;
    for (const [rest, end] of [
      [',', "image: 'orderstream-shipping',\n    },] });"],
      ['', "image: 'orderstream-shipping',\n    }] });"],
    ] as const) {
      const edited = addManifestEntry(one(rest), entry);
      expect(manifestServicePorts(edited)).toEqual([
        { name: 'a', port: 1 },
        { name: 'shipping', port: 9 },
      ]);
      expect(edited.endsWith(end)).toBe(true);
    }
  });

  it('names the file and what it looked for when the manifest has another shape', () => {
    expect(() => nextFreePort('export const SYSTEM = { services: [] };')).toThrow(
      new SourceShapeError(MANIFEST_FILE, 'a call `defineSystem(…)`'),
    );
  });
});

describe('the contract registrations', () => {
  it('adds the topic, the context, its events and its export after the other contexts', () => {
    expect(registerTopic(read(TOPICS_FILE), shipping)).toContain(
      "  shipping: 'shipping.events',\n} as const;",
    );

    const allEvents = registerContextEvents(read(ALL_EVENTS_FILE), shipping);
    expect(allEvents).toContain("import { shippingEvents } from './shipping.events';");
    expect(allEvents).toContain('shipping: shippingEvents,\n} as const;');
    expect(allEvents).toContain('...Object.values(shippingEvents),\n];');

    const index = exportContextEvents(read(CONTRACTS_INDEX_FILE), shipping);
    // After the last context's export, before all-events.
    expect(index).toMatch(
      /export \* from '\.\/[a-z-]+\.events';\nexport \* from '\.\/shipping\.events';\nexport \* from '\.\/all-events';/,
    );
  });

  it("gives the contracts' test a typed sample of the new event and counts one event more", () => {
    const spec = read(CONTRACTS_SPEC_FILE);
    const count = Number(/expect\(allEvents\)\.toHaveLength\((\d+)\)/.exec(spec)?.[1]);
    const edited = addContractSample(spec, shipping);
    expect(edited).toContain(`expect(allEvents).toHaveLength(${count + 1})`);
    expect(edited).toContain(
      "shipping: { OrderRecorded: { orderId: ORDER, customerId: 'customer-1', itemCount: 3 } }",
    );
  });

  it('refuses a context that is already registered', () => {
    expect(() => registerTopic(read(TOPICS_FILE), serviceNames('orders'))).toThrow(ServiceExistsError);
  });
});
