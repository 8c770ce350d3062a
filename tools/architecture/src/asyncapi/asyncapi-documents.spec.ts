/**
 * The AsyncAPI documents of the system and its services: the committed copies in docs/asyncapi/ are what
 * the manifest and the contracts generate (the drift test), every document is valid AsyncAPI 3.0 to
 * @asyncapi/parser with its Avro schema parser, the envelope headers they describe are libs/messaging's,
 * and every app serves its own.
 *
 * Why a new handler or event cannot slip past the drift test: a service refuses to boot when its handlers
 * differ from its consumer groups' `consumes` in the manifest (libs/messaging's checkDeclaredConsumers), or
 * its published contracts from its topics' `events` (libs/platform's checkPublishedEvents), and the contracts'
 * tests tie every contract to a manifest topic. So the manifest changes with the handler or event, the
 * documents change with the manifest, and the tests below prove that such a change fails the drift test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { allContracts, Topics } from '@orderstream/contracts';
import { AVRO_CONTENT_TYPE, HEADERS, SPEC_VERSION } from '@orderstream/messaging';
import {
  defineSystem,
  serviceNames,
  SYSTEM,
  type AsyncApiDocument,
  type SystemManifest,
} from '@orderstream/system';
import { ASYNCAPI_DIR, ASYNCAPI_GENERATE_COMMAND, asyncApiFiles, SYSTEM_FILE } from './asyncapi-files';

const workspaceRoot = join(__dirname, '..', '..', '..', '..');

/** The committed document, or undefined when there is none. */
function committed(name: string): unknown {
  try {
    return JSON.parse(readFileSync(join(ASYNCAPI_DIR, name), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The documents whose committed copy is missing or differs from the generated one. */
function staleFiles(files: Map<string, AsyncApiDocument>): string[] {
  return [...files]
    .filter(([name, document]) => !isDeepStrictEqual(committed(name), JSON.parse(JSON.stringify(document))))
    .map(([name]) => name);
}

describe('the committed AsyncAPI documents', () => {
  const files = asyncApiFiles();

  it('are what the manifest and the contracts generate', () => {
    const stale = staleFiles(files);
    if (stale.length > 0) {
      throw new Error(
        `docs/asyncapi/ is out of date (${stale.join(', ')}): the system manifest or a contract changed. ` +
          `Run \`${ASYNCAPI_GENERATE_COMMAND}\` and commit the result.`,
      );
    }
  });

  it('are one for the system and one per service, and nothing else', () => {
    const onDisk = readdirSync(ASYNCAPI_DIR).filter((name) => name.endsWith('.json'));
    expect(onDisk.sort()).toEqual([...files.keys()].sort());
    expect(files.size).toBe(serviceNames().length + 1);
  });

  it('go stale when a consumer group consumes one more event (a handler added)', () => {
    const notifications = SYSTEM.services.find((s) => s.name === 'notifications');
    const group = notifications?.consumerGroups[0];
    if (!notifications || !group) throw new Error('the manifest has no notifications group');
    const withHandler = replaceService(SYSTEM, {
      ...notifications,
      consumerGroups: [{ ...group, consumes: [...group.consumes, 'orderstream.orders.OrderPlaced'] }],
    });
    expect(staleFiles(asyncApiFiles(withHandler))).toEqual([SYSTEM_FILE, 'notifications.asyncapi.json']);
  });

  it('go stale when a service publishes one more event', () => {
    const contract = allContracts.find((c) => c.type === 'orderstream.orders.OrderConfirmed');
    const orders = SYSTEM.services.find((s) => s.name === 'orders');
    if (!contract || !orders) throw new Error('the manifest has no orders, or no OrderConfirmed contract');
    const type = 'orderstream.orders.OrderShipped';
    const shipped = { ...contract, type, schema: { ...contract.schema, name: 'OrderShipped' } };
    const withEvent = replaceService(SYSTEM, {
      ...orders,
      topics: orders.topics.map((t) =>
        t.name === Topics.orders ? { ...t, events: [...t.events, type] } : t,
      ),
    });
    // Every document with the orders.events channel lists the messages on it, so each of them changes.
    expect(staleFiles(asyncApiFiles(withEvent, [...allContracts, shipped]))).toEqual([
      SYSTEM_FILE,
      'orders.asyncapi.json',
      'payments.asyncapi.json',
      'inventory.asyncapi.json',
      'order-history.asyncapi.json',
      'notifications.asyncapi.json',
      'sales-analytics.asyncapi.json',
    ]);
  });
});

function replaceService(system: SystemManifest, service: SystemManifest['services'][number]): SystemManifest {
  return defineSystem({ services: system.services.map((s) => (s.name === service.name ? service : s)) });
}

describe('the AsyncAPI documents, to @asyncapi/parser', () => {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  const avro = AvroSchemaParser();
  const documents = [...asyncApiFiles()];

  const diagnosticsOf = async (document: object) => {
    const { diagnostics } = await parser.parse(JSON.stringify(document));
    return diagnostics.map((d) => ({ severity: d.severity, code: String(d.code), path: d.path.join('/') }));
  };

  // The one diagnostic accepted: an information (not a warning) that AsyncAPI 3.1.0 exists. The documents
  // are 3.0.0, the version the issue asks for and that the Kafka bindings 0.5.0 describe.
  const ACCEPTED = [
    { severity: DiagnosticSeverity.Information, code: 'asyncapi-latest-version', path: 'asyncapi' },
  ];

  it.each(documents)('%s is valid, with no error and no warning', async (_name, document) => {
    expect(await diagnosticsOf(document)).toEqual(ACCEPTED);
    const { document: parsed } = await parser.parse(JSON.stringify(document));
    expect(parsed?.operations().length).toBe(Object.keys(document.operations).length);
    expect(parsed?.channels().length).toBe(Object.keys(document.channels).length);
  });

  // The parser does not run schema parsers' validation on AsyncAPI 3 documents (a broken Avro schema
  // parses without a diagnostic), so each payload goes through the Avro schema parser's own validation.
  it.each(documents)('%s has a valid Avro schema in every message', async (_name, document) => {
    for (const [name, message] of Object.entries(document.components.messages)) {
      const problems = await avro.validate({
        asyncapi: {} as never,
        data: message.payload.schema,
        meta: {},
        path: ['components', 'messages', name, 'payload'],
        schemaFormat: message.payload.schemaFormat,
        defaultSchemaFormat: message.payload.schemaFormat,
      });
      expect({ name, problems }).toEqual({ name, problems: [] });
    }
  });

  it('reports a broken document, and a broken Avro schema (negative controls)', async () => {
    const broken = structuredClone(asyncApiFiles().get(SYSTEM_FILE)) as AsyncApiDocument;
    const operation = broken.operations['orders.send.orders.OrderPlaced'];
    if (!operation) throw new Error('no orders.send.orders.OrderPlaced');
    operation.messages = [{ $ref: '#/channels/payments.events/messages/payments.PaymentAuthorized' }];
    expect(await diagnosticsOf(broken)).toContainEqual({
      severity: DiagnosticSeverity.Error,
      code: 'asyncapi3-operation-messages-from-referred-channel',
      path: 'operations/orders.send.orders.OrderPlaced/messages/0',
    });
    const problems = await avro.validate({
      asyncapi: {} as never,
      data: { type: 'record', name: 'Broken', fields: [{ name: 'orderId', type: 'strin' }] },
      meta: {},
      path: [],
      schemaFormat: 'application/vnd.apache.avro+json;version=1.9.0',
      defaultSchemaFormat: 'application/vnd.apache.avro+json;version=1.9.0',
    });
    expect(problems).toHaveLength(1);
  });
});

describe('the envelope in the AsyncAPI documents', () => {
  const headers = asyncApiFiles().get(SYSTEM_FILE)?.components.schemas['EnvelopeHeaders'] as {
    properties: Record<string, { const?: string }>;
  };

  it('has the headers libs/messaging writes, with its content type and CloudEvents version', () => {
    expect(Object.keys(headers.properties).sort()).toEqual(Object.values(HEADERS).sort());
    expect(headers.properties[HEADERS.contentType]?.const).toBe(AVRO_CONTENT_TYPE);
    expect(headers.properties[HEADERS.specversion]?.const).toBe(SPEC_VERSION);
  });
});

describe('every app', () => {
  it.each(serviceNames())('%s serves its AsyncAPI document at /asyncapi.json', (name) => {
    const main = readFileSync(join(workspaceRoot, 'apps', name, 'src', 'main.ts'), 'utf8');
    expect(main).toMatch(/serveAsyncApi\(app, serviceAsyncApi\(SERVICE_NAME, (allContracts|\[\])\)\)/);
  });
});
