/**
 * The edits that make a new service part of the system, outside its own folder: its entry in the system
 * manifest, and its event contract registered with the contracts library (its topic, its context, the
 * public API, and a typed sample in the contracts' own test, which demands one per event). Each function
 * takes a file's text and returns the edited text; `SourceShapeError` when the file has changed shape.
 */
import ts from 'typescript';
import { SourceEditor, tsString } from './source-edits.ts';
import { CONSUMED_EVENT_TYPE, type ServiceNames } from './service-names.ts';

export const MANIFEST_FILE = 'libs/system/src/system.manifest.ts';
export const TOPICS_FILE = 'libs/contracts/src/topics.ts';
export const ALL_EVENTS_FILE = 'libs/contracts/src/all-events.ts';
export const CONTRACTS_INDEX_FILE = 'libs/contracts/src/index.ts';
export const CONTRACTS_SPEC_FILE = 'libs/contracts/src/contracts.spec.ts';

export class ServiceExistsError extends Error {
  readonly code = 'SERVICE_EXISTS';

  constructor(name: string, where: string) {
    super(`A service "${name}" already exists (${where})`);
    this.name = 'ServiceExistsError';
  }
}

/** The services array of `defineSystem({ services: [...] })` in the manifest. */
function manifestServices(editor: SourceEditor) {
  const call = editor.findCall('defineSystem');
  const [argument] = call.arguments;
  if (!argument) return editor.fail('defineSystem to be called with the manifest');
  const manifest = editor.objectLiteral(argument, 'the argument of defineSystem');
  return editor.arrayLiteral(editor.property(manifest, 'services', 'the manifest'), 'services');
}

/** What the manifest already declares: each service's name and port (literals only). */
export function manifestServicePorts(text: string): { name: string; port: number }[] {
  const editor = new SourceEditor(MANIFEST_FILE, text);
  return manifestServices(editor).elements.map((element, index) => {
    const service = editor.objectLiteral(element, `services[${index}]`);
    const name = editor.property(service, 'name', `services[${index}]`);
    const port = editor.property(service, 'port', `services[${index}]`);
    if (!ts.isStringLiteralLike(name) || !ts.isNumericLiteral(port)) {
      return editor.fail(`services[${index}] to have a literal name and port`);
    }
    return { name: name.text, port: Number(port.getText(editor.source).replace(/_/g, '')) };
  });
}

/** The port after the highest one the manifest declares. */
export function nextFreePort(text: string): number {
  return Math.max(3000, ...manifestServicePorts(text).map((s) => s.port)) + 1;
}

export interface ManifestEntry {
  names: ServiceNames;
  description: string;
  port: number;
}

export function addManifestEntry(text: string, { names, description, port }: ManifestEntry): string {
  const existing = manifestServicePorts(text);
  if (existing.some((s) => s.name === names.name)) throw new ServiceExistsError(names.name, MANIFEST_FILE);
  const taken = existing.find((s) => s.port === port);
  if (taken) throw new ServiceExistsError(`on port ${port}: ${taken.name}`, MANIFEST_FILE);
  const editor = new SourceEditor(MANIFEST_FILE, text);
  editor.appendElement(
    manifestServices(editor),
    `{
      name: ${tsString(names.name)},
      description: ${tsString(description)},
      port: ${port},
      database: ${tsString(names.database)},
      outbox: true,
      topics: [
        eventStream(${tsString(names.topic)}, {
          partitions: 3,
          events: [${tsString(names.eventType)}],
          description: ${tsString(`${names.name} events, keyed by order id.`)},
        }),
      ],
      consumerGroups: [{ name: ${tsString(names.name)}, consumes: [${tsString(CONSUMED_EVENT_TYPE)}] }],
      image: ${tsString(names.image)},
    }`,
  );
  return editor.apply();
}

/** `Topics.<context>`: the topic of the new bounded context. */
export function registerTopic(text: string, names: ServiceNames): string {
  const editor = new SourceEditor(TOPICS_FILE, text);
  const topics = editor.objectLiteral(editor.constInitializer('Topics'), 'Topics');
  if (editor.hasProperty(topics, names.context)) throw new ServiceExistsError(names.context, TOPICS_FILE);
  editor.appendProperty(topics, `${names.context}: ${tsString(names.topic)}`);
  return editor.apply();
}

/** The context's events in `eventsByContext` and `allEvents`. */
export function registerContextEvents(text: string, names: ServiceNames): string {
  const editor = new SourceEditor(ALL_EVENTS_FILE, text);
  const byContext = editor.objectLiteral(editor.constInitializer('eventsByContext'), 'eventsByContext');
  if (editor.hasProperty(byContext, names.context))
    throw new ServiceExistsError(names.context, ALL_EVENTS_FILE);
  editor.addImport(`import { ${names.eventsConst} } from './${names.name}.events';`);
  editor.appendProperty(byContext, `${names.context}: ${names.eventsConst}`);
  editor.appendElement(
    editor.arrayLiteral(editor.constInitializer('allEvents'), 'allEvents'),
    `...Object.values(${names.eventsConst})`,
  );
  return editor.apply();
}

/** `export * from './<name>.events'` after the other contexts' exports, in the contracts' public API. */
export function exportContextEvents(text: string, names: ServiceNames): string {
  const editor = new SourceEditor(CONTRACTS_INDEX_FILE, text);
  const events = editor
    .reexports()
    .filter(
      (d) =>
        d.moduleSpecifier &&
        ts.isStringLiteral(d.moduleSpecifier) &&
        d.moduleSpecifier.text.endsWith('.events'),
    );
  const last = events.at(-1) ?? editor.fail("`export * from './<context>.events'` declarations");
  editor.insert(last.getEnd(), `\nexport * from './${names.name}.events';`);
  return editor.apply();
}

/**
 * The contracts' test types one sample payload per event (`SAMPLES`, a missing one fails to compile) and
 * counts the events (`expect(allEvents).toHaveLength(n)`): the new event gets its sample and the count
 * goes up by one, so both checks keep their meaning.
 */
export function addContractSample(text: string, names: ServiceNames): string {
  const editor = new SourceEditor(CONTRACTS_SPEC_FILE, text);
  const samples = editor.objectLiteral(editor.constInitializer('SAMPLES'), 'SAMPLES');
  if (editor.hasProperty(samples, names.context))
    throw new ServiceExistsError(names.context, CONTRACTS_SPEC_FILE);
  editor.appendProperty(
    samples,
    `${names.context}: { ${names.recordName}: { orderId: ORDER, customerId: 'customer-1', itemCount: 3 } }`,
  );
  const count = editor.findCall('expect(allEvents).toHaveLength').arguments[0];
  if (!count || !ts.isNumericLiteral(count)) return editor.fail('`expect(allEvents).toHaveLength(<number>)`');
  editor.replace(count, String(Number(count.text) + 1));
  return editor.apply();
}
