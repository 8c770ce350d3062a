/**
 * The AsyncAPI 3.0 documents of the system and of each service, generated from the manifest and the
 * contracts: a channel per topic (its address, partitions and topic configuration), a message per contract
 * (its Avro schema, the envelope's headers, its key), and an operation per service that sends a message and
 * per consumer group that receives one. Nothing in them is written by hand, so they cannot drift from what
 * the services run; the committed copies under docs/asyncapi/ are checked against this (docs/asyncapi.md).
 *
 * The manifest depends on nothing (not even the contracts, whose tests check it), so the contracts come in as
 * an argument, typed structurally like the contracts' `EventContract`: `allContracts` fits.
 *
 * The saga runs in one of two modes, and the document describes both: an operation that happens in one mode
 * only (the orchestrator's commands, the choreography's reactions) carries the tag `saga:<mode>`, and a
 * channel used in one mode only (a command topic) carries it too. The modes' consumption is `serviceIn`'s,
 * the one reading of `whenOrchestrated` the services boot with.
 */
import {
  SAGA_MODES,
  type SagaMode,
  type ServiceDeclaration,
  type SystemManifest,
  type TopicDeclaration,
} from '../manifest';
import { serviceIn, serviceOf } from '../queries';
import { SYSTEM } from '../system.manifest';

/** The schema format of every payload: Avro 1.9 schemas as JSON, the contracts' own. */
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

const KAFKA_BINDING_VERSION = '0.5.0';
/** The envelope's `content-type` (CloudEvents `datacontenttype`), as libs/messaging writes it. */
const AVRO_CONTENT_TYPE = 'application/avro';
const ENVELOPE_HEADERS = 'EnvelopeHeaders';

/** What the documents need of a contract; `EventContract<never>` of @orderstream/contracts satisfies it. */
export interface AsyncApiContract {
  /** The CloudEvents type (`ce_type`). */
  readonly type: string;
  readonly topic: string;
  readonly schema: {
    readonly type: 'record';
    readonly name: string;
    readonly namespace?: string;
    readonly doc?: string;
    readonly fields: readonly { readonly name: string; readonly type: unknown }[];
  };
  readonly tombstone?: boolean;
  /** The Kafka key (and `ce_subject`) of a payload. */
  key(data: never): string;
}

/** A JSON Schema (AsyncAPI's Schema Object): plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;
export interface Reference {
  $ref: string;
}

export interface AsyncApiChannel {
  address: string;
  description: string;
  messages: Record<string, Reference>;
  tags?: Reference[];
  bindings: { kafka: Record<string, unknown> };
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: Reference;
  summary: string;
  description?: string;
  messages: Reference[];
  tags: Reference[];
  bindings?: { kafka: Record<string, unknown> };
}

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  description?: string;
  contentType?: string;
  headers: JsonSchema;
  payload: { schemaFormat: string; schema: unknown };
  correlationId: { description: string; location: string };
  bindings: { kafka: Record<string, unknown> };
}

export interface AsyncApiTag {
  name: string;
  description: string;
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  id: string;
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: {
    messages: Record<string, AsyncApiMessage>;
    schemas: Record<string, JsonSchema>;
    tags: Record<string, AsyncApiTag>;
  };
}

/** A contract, a name or an operation the documents cannot be built with. */
export class AsyncApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsyncApiError';
  }
}

/** The document of the whole system: every topic, every contract on it, every service's operations. */
export function systemAsyncApi(
  contracts: readonly AsyncApiContract[],
  system: SystemManifest = SYSTEM,
): AsyncApiDocument {
  const all = operationsOf(system);
  return documentOf(
    {
      id: 'urn:orderstream',
      title: 'orderstream',
      description:
        'The Kafka API of the whole system: each topic is a channel, each contract on it a message (its Avro ' +
        'schema and envelope headers), and each service that sends a message or consumer group that ' +
        `receives one an operation. ${MODES_NOTE}`,
    },
    all,
    all,
    system.services.flatMap((s) => s.topics),
    contracts,
    system,
  );
}

/** The document of one service: the operations of the service and its consumer groups, and their channels. */
export function serviceAsyncApi(
  name: string,
  contracts: readonly AsyncApiContract[],
  system: SystemManifest = SYSTEM,
): AsyncApiDocument {
  const service = serviceOf(name, system);
  const all = operationsOf(system);
  const own = all.filter((operation) => operation.service === name);
  const used = new Set(own.map((operation) => operation.topic.name));
  return documentOf(
    {
      id: `urn:orderstream:${name}`,
      title: `orderstream ${name}`,
      description: `${service.description} ${serviceNote(service, own.length > 0, system)}`,
    },
    own,
    all,
    system.services.flatMap((s) => s.topics).filter((topic) => used.has(topic.name)),
    contracts,
    system,
  );
}

const MODES_NOTE =
  'The order saga runs choreographed (the default) or orchestrated (SAGA_MODE=orchestration): an ' +
  'operation or channel of one mode only carries the tag saga:choreography or saga:orchestration; the ' +
  'others happen in both.';

/** What a service's operations say about it: the saga modes, or why it has none. */
function serviceNote(service: ServiceDeclaration, hasOperations: boolean, system: SystemManifest): string {
  if (hasOperations) return MODES_NOTE;
  if (service.relaysOutboxes) {
    const outboxes = system.services.filter((s) => s.outbox).map((s) => s.name);
    return (
      `It has no operations of its own: it publishes the outboxes of ${outboxes.join(', ')} on their ` +
      'behalf, and their documents describe those messages.'
    );
  }
  return 'It sends and receives none of the contracts’ messages.';
}

/** One message sent or received: the unit the documents' operations are made of. */
interface MessageOperation {
  id: string;
  action: 'send' | 'receive';
  service: string;
  /** The consumer group, for a receive. */
  group?: string;
  topic: TopicDeclaration;
  /** The CloudEvents type of its message. */
  type: string;
  /** The saga modes it happens in. */
  modes: Set<SagaMode>;
  /** How the message gets to Kafka, for a send. */
  via?: 'outbox' | 'transactions';
}

/**
 * Every operation of the system, in manifest order (each service's sends, then its groups' receives), from
 * each service as it runs in each saga mode. From the manifest alone: a service's document needs the
 * contracts of its own channels only (the relay's, none).
 */
function operationsOf(system: SystemManifest): MessageOperation[] {
  const topicOf = new Map(
    system.services.flatMap((s) => s.topics.flatMap((t) => t.events.map((type) => [type, t] as const))),
  );
  const operations = new Map<string, MessageOperation>();
  const add = (operation: Omit<MessageOperation, 'id' | 'modes' | 'type'>, type: string, mode: SagaMode) => {
    const id = `${operation.group ?? operation.service}.${operation.action}.${messageIdOf(type)}`;
    const known = operations.get(id);
    if (known) known.modes.add(mode);
    else operations.set(id, { ...operation, id, type, modes: new Set([mode]) });
  };
  for (const declared of system.services) {
    const via = declared.outbox ? 'outbox' : 'transactions';
    const inModes = SAGA_MODES.map((mode) => [mode, serviceIn(declared.name, mode, system)] as const);
    for (const [mode, service] of inModes) {
      for (const topic of [...service.topics.filter((t) => t.kind !== 'commands'), ...service.sends]) {
        for (const type of topic.events)
          add({ action: 'send', service: service.name, topic, via }, type, mode);
      }
    }
    // Group by group, so that a group's operations of both modes stand together.
    declared.consumerGroups.forEach((group, index) => {
      for (const [mode, service] of inModes) {
        for (const type of service.consumerGroups[index]?.consumes ?? []) {
          // defineSystem has checked that a topic carries it.
          const topic = topicOf.get(type);
          if (!topic) throw new AsyncApiError(`${group.name} consumes ${type}, which no topic carries`);
          add({ action: 'receive', service: service.name, group: group.name, topic }, type, mode);
        }
      }
    });
  }
  return [...operations.values()];
}

function contractsByType(
  contracts: readonly AsyncApiContract[],
  system: SystemManifest,
): (type: string) => AsyncApiContract {
  const byType = new Map(contracts.map((c) => [c.type, c]));
  const byName = new Map<string, string>();
  for (const { type } of contracts) {
    const other = byName.get(messageIdOf(type));
    if (other) throw new AsyncApiError(`${type} and ${other} would both be the message ${messageIdOf(type)}`);
    byName.set(messageIdOf(type), type);
  }
  for (const topic of system.services.flatMap((s) => s.topics)) {
    for (const type of topic.events) {
      const contract = byType.get(type);
      if (contract && contract.topic !== topic.name)
        throw new AsyncApiError(
          `${type} is declared on ${topic.name} but its contract is on ${contract.topic}`,
        );
    }
  }
  return (type) => {
    const contract = byType.get(type);
    if (!contract) throw new AsyncApiError(`No contract for ${type}, which the system manifest names`);
    return contract;
  };
}

/**
 * A message's id in the documents (its component id, the end of its operations' ids): its CloudEvents
 * type less the `<system>.` prefix, so `orders.OrderPlaced`, and `orders.OrderPlaced.v2` for a second major
 * version (docs/contracts.md). The context stays: record names are unique within a context only (every
 * service made from the template publishes an `OrderRecorded` of its own).
 */
export function messageIdOf(type: string): string {
  const parts = type.split('.');
  return parts.length > 2 ? parts.slice(1).join('.') : type;
}

const MODE_TAGS: Record<SagaMode, AsyncApiTag> = {
  choreography: {
    name: 'saga:choreography',
    description: 'Only while the saga is choreographed (SAGA_MODE=choreography, the default).',
  },
  orchestration: {
    name: 'saga:orchestration',
    description: 'Only while the saga is orchestrated by orders (SAGA_MODE=orchestration).',
  },
};

const serviceTagOf = (service: ServiceDeclaration): AsyncApiTag => ({
  name: `service:${service.name}`,
  description: service.description,
});

/** The one mode an operation (or every operation of a channel) happens in; undefined when it is in both. */
function onlyMode(operations: readonly MessageOperation[]): SagaMode | undefined {
  const modes = new Set(operations.flatMap((o) => [...o.modes]));
  return modes.size === 1 && operations.every((o) => o.modes.size === 1) ? [...modes][0] : undefined;
}

function documentOf(
  info: { id: string; title: string; description: string },
  operations: readonly MessageOperation[],
  allOperations: readonly MessageOperation[],
  topics: readonly TopicDeclaration[],
  contracts: readonly AsyncApiContract[],
  system: SystemManifest,
): AsyncApiDocument {
  const contractOf = contractsByType(contracts, system);
  const tags: Record<string, AsyncApiTag> = {};
  const tagRef = (tag: AsyncApiTag): Reference => {
    const id = tag.name.replace(':', '.');
    tags[id] = tag;
    return { $ref: `#/components/tags/${id}` };
  };

  const channels: Record<string, AsyncApiChannel> = {};
  const messages: Record<string, AsyncApiMessage> = {};
  for (const topic of topics) {
    // A channel's mode is that of all its operations in the system, so a service's document says the same.
    const mode = onlyMode(allOperations.filter((o) => o.topic.name === topic.name));
    channels[topic.name] = {
      address: topic.name,
      description: channelDescription(topic, system),
      messages: Object.fromEntries(
        topic.events.map((type) => [
          messageIdOf(type),
          { $ref: `#/components/messages/${messageIdOf(type)}` },
        ]),
      ),
      ...(mode ? { tags: [tagRef(MODE_TAGS[mode])] } : {}),
      bindings: { kafka: topicBinding(topic) },
    };
    for (const type of topic.events) {
      messages[messageIdOf(type)] = messageOf(contractOf(type), topic, system);
    }
  }

  const documentOperations: Record<string, AsyncApiOperation> = {};
  for (const operation of operations) {
    const mode = onlyMode([operation]);
    const service = serviceOf(operation.service, system);
    documentOperations[operation.id] = {
      action: operation.action,
      channel: { $ref: `#/channels/${operation.topic.name}` },
      summary: operationSummary(operation),
      ...(operation.via ? { description: SEND_DESCRIPTIONS[operation.via] } : {}),
      messages: [{ $ref: `#/channels/${operation.topic.name}/messages/${messageIdOf(operation.type)}` }],
      tags: [tagRef(serviceTagOf(service)), ...(mode ? [tagRef(MODE_TAGS[mode])] : [])],
      ...(operation.group
        ? {
            bindings: {
              kafka: {
                groupId: {
                  type: 'string',
                  default: operation.group,
                  description:
                    'The consumer group: by default the consumer’s name; a deployment may set another ' +
                    '(KAFKA_CONSUMER_GROUP).',
                },
                bindingVersion: KAFKA_BINDING_VERSION,
              },
            },
          }
        : {}),
    };
  }

  return {
    asyncapi: '3.0.0',
    id: info.id,
    info: { title: info.title, version: '1', description: info.description },
    defaultContentType: AVRO_CONTENT_TYPE,
    channels,
    operations: documentOperations,
    components: {
      messages,
      schemas: Object.keys(messages).length > 0 ? { [ENVELOPE_HEADERS]: ENVELOPE_HEADERS_SCHEMA } : {},
      tags: Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

const SEND_DESCRIPTIONS = {
  outbox:
    'Written to the service’s outbox in the transaction of the change it reports; the outbox relay ' +
    'publishes it, in order per key.',
  transactions: 'Published in a Kafka transaction together with the input offsets it was computed from.',
} as const;

function operationSummary(operation: MessageOperation): string {
  const name = messageIdOf(operation.type);
  if (operation.action === 'send') return `${operation.service} sends ${name} to ${operation.topic.name}.`;
  return `${operation.service} receives ${name} from ${operation.topic.name} (group ${operation.group}).`;
}

function channelDescription(topic: TopicDeclaration, system: SystemManifest): string {
  const owner = system.services.find((s) => s.topics.includes(topic))?.name;
  const who =
    topic.kind === 'commands'
      ? `Owned by ${owner}, which receives its commands; sent to by ${topic.sentBy?.join(', ')}.`
      : `Owned by ${owner}, its only publisher.`;
  const kept =
    topic.cleanupPolicy === 'delete'
      ? `Records are kept ${topic.retentionMs === 'infinite' ? 'forever' : `${topic.retentionMs / 86_400_000} days`}.`
      : 'Compacted: the latest record of each key is kept.';
  return `${topic.description} ${who} ${kept}`;
}

/** The Kafka channel binding: the topic as each owner provisions it at boot. */
function topicBinding(topic: TopicDeclaration): Record<string, unknown> {
  return {
    topic: topic.name,
    partitions: topic.partitions,
    topicConfiguration: {
      'cleanup.policy': topic.cleanupPolicy.split(','),
      'retention.ms': topic.retentionMs === 'infinite' ? -1 : topic.retentionMs,
    },
    bindingVersion: KAFKA_BINDING_VERSION,
  };
}

function messageOf(
  contract: AsyncApiContract,
  topic: TopicDeclaration,
  system: SystemManifest,
): AsyncApiMessage {
  const owner = system.services.find((s) => s.topics.includes(topic));
  const senders = topic.kind === 'commands' ? [...(topic.sentBy ?? [])] : owner ? [owner.name] : [];
  const sources = senders.map(sourceOf);
  const keyFields = keyFieldsOf(contract);
  const key = {
    type: 'string',
    description:
      (keyFields.length > 0
        ? `Made of the payload’s ${keyFields.map((f) => `\`${f}\``).join(' and ')}; also the \`ce_subject\`. `
        : 'Also the `ce_subject`. ') + 'The records of one key keep their order on the topic.',
  };
  return {
    name: contract.type,
    title: contract.schema.name,
    summary: `${contract.schema.name} on ${topic.name}`,
    ...(contract.tombstone
      ? {
          description: [
            contract.schema.doc,
            "A tombstone: the record's value is null, and a compacted topic forgets its key; the key says which.",
          ]
            .filter(Boolean)
            .join(' '),
        }
      : contract.schema.doc
        ? { description: contract.schema.doc }
        : {}),
    ...(contract.tombstone ? {} : { contentType: AVRO_CONTENT_TYPE }),
    headers: {
      type: 'object',
      allOf: [{ $ref: `#/components/schemas/${ENVELOPE_HEADERS}` }],
      ...(contract.tombstone ? {} : { required: ['content-type'] }),
      properties: {
        ce_type: { type: 'string', const: contract.type },
        ce_source:
          sources.length === 1 ? { type: 'string', const: sources[0] } : { type: 'string', enum: sources },
      },
    },
    payload: {
      schemaFormat: AVRO_SCHEMA_FORMAT,
      // A copy: the document is data that parsers and serializers may hold on to, not the contract itself.
      schema: contract.tombstone ? 'null' : structuredClone(contract.schema),
    },
    correlationId: {
      description: 'Shared by every message of one business flow (an order’s saga).',
      location: '$message.header#/correlation-id',
    },
    bindings: {
      kafka: {
        key,
        ...(contract.tombstone
          ? {}
          : {
              // The Confluent wire format: a magic byte and the schema id before the Avro bytes; the registry
              // subject is the record's full name.
              schemaIdLocation: 'payload',
              schemaIdPayloadEncoding: 'confluent',
              schemaLookupStrategy: 'RecordNameStrategy',
            }),
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

/** `ce_source` of what a service sends, as the platform sets it (serviceMessagingOptions). */
const sourceOf = (service: string): string => `/orderstream/${service}`;

/**
 * The payload fields a contract's key is made of, found by asking its own key function: it gets a payload
 * that records which fields are read (with a sample value of each field's type), so the description follows
 * the contract instead of repeating it. A key function that fails on sample values gets no field names.
 */
function keyFieldsOf(contract: AsyncApiContract): string[] {
  const fields = new Map(contract.schema.fields.map((f) => [f.name, f.type]));
  const read: string[] = [];
  const payload = new Proxy(
    {},
    {
      get: (_target, property) => {
        if (typeof property !== 'string' || !fields.has(property)) return undefined;
        if (!read.includes(property)) read.push(property);
        return sampleOf(fields.get(property));
      },
    },
  );
  try {
    (contract.key as (data: unknown) => string)(payload);
  } catch {
    return [];
  }
  return read;
}

function sampleOf(type: unknown): unknown {
  const name = typeof type === 'object' && type !== null ? (type as { type?: unknown }).type : type;
  if (name === 'string') return 'key';
  if (name === 'int' || name === 'long' || name === 'float' || name === 'double') return 0;
  if (name === 'boolean') return false;
  return undefined;
}

/**
 * The envelope every message travels in (libs/messaging's envelope codec; docs/contracts.md): CloudEvents 1.0
 * in the Kafka protocol binding's binary mode, plus trace and correlation context. A test in
 * tools/architecture keeps these names equal to the codec's.
 */
const ENVELOPE_HEADERS_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    'CloudEvents 1.0 attributes as ce_* headers (Kafka protocol binding, binary mode), the content type, ' +
    'and trace and correlation context.',
  required: ['ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'ce_specversion', 'correlation-id'],
  properties: {
    ce_id: {
      type: 'string',
      description:
        'Unique per message (a UUIDv7). Consumers deduplicate on it (the inbox); a command sent again keeps it.',
    },
    ce_type: {
      type: 'string',
      description:
        'The CloudEvents type: which contract the value is, and so the reader schema that decodes it.',
    },
    ce_source: { type: 'string', description: 'The service that wrote the message, /orderstream/<service>.' },
    ce_subject: { type: 'string', description: 'Equal to the record key.' },
    ce_time: { type: 'string', format: 'date-time', description: 'When the message was created (RFC 3339).' },
    ce_specversion: { type: 'string', const: '1.0' },
    'content-type': {
      type: 'string',
      const: AVRO_CONTENT_TYPE,
      description:
        'The CloudEvents datacontenttype: Avro in the Confluent wire format (a schema id, then the Avro ' +
        'binary). Absent on a tombstone.',
    },
    'correlation-id': {
      type: 'string',
      description: 'Shared by every message of one business flow; the ce_id of the message that started it.',
    },
    'causation-id': {
      type: 'string',
      description:
        'The ce_id of the message whose handling produced this one; absent when it started a flow.',
    },
    traceparent: {
      type: 'string',
      pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      description: 'W3C Trace Context of the operation that produced the message, when it was traced.',
    },
  },
};
