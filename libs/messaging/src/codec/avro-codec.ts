/**
 * Avro payloads in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), through any
 * Confluent-compatible schema registry (Confluent, Apicurio's /apis/ccompat/v7, Redpanda) by URL alone.
 *
 * Subjects follow the record-name strategy (subject = the record's full name), so one topic can carry
 * several event types. Everything is cached after first use: a registered schema's id and parsed type,
 * writer schemas fetched by id (by the registry client), and the resolver from each writer schema into
 * each reader schema.
 *
 * Contract validation: the logical types of contract-logical-types.ts (uuid) are checked on encode and on
 * decode against the reader schema, so a value that fits the Avro type but not its declared logical type
 * is a `SchemaError` both ways: never produced, and rejected (non-retriable) when someone else produced it.
 *
 * Compatibility: this codec never reads or writes a subject's compatibility level. Registration is a plain
 * `POST /subjects/{subject}/versions`, so the registry applies whatever level is configured for the subject
 * (or its global default) and a violation comes back as a `SchemaError` that says so. We deliberately do not
 * use `SchemaRegistry.register` from @kafkajs/confluent-schema-registry: by default it PUTs BACKWARD onto
 * every subject it registers first (silently weakening a stricter global default such as FULL_TRANSITIVE)
 * and refuses to register at all when a subject's level is not exactly the one it was given (so a subject
 * an operator made stricter would break publishing). Setting levels is an operator or contracts-CI decision.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Type, type Schema } from 'avsc';
import { DecodeError, SchemaError, TransportError } from '../errors/messaging.error';
import {
  CONTRACT_LOGICAL_TYPES,
  isContractLogicalType,
  LogicalTypeViolation,
} from './contract-logical-types';
import type { PayloadCodec } from './payload-codec';

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: readonly unknown[];
}

export interface AvroCodecConfig {
  /** Base URL of the Confluent-compatible API, e.g. http://localhost:8081/apis/ccompat/v7. */
  registryUrl: string;
  auth?: { username: string; password: string };
}

/** The subject a record schema is registered under (record-name strategy). */
export function subjectFor(schema: AvroRecordSchema): string {
  return schema.namespace ? `${schema.namespace}.${schema.name}` : schema.name;
}

const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;
const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Attempts for a registration that fails transiently (network error, 5xx, 429). */
const REGISTER_ATTEMPTS = 3;

type Resolver = ReturnType<Type['createResolver']>;

interface ReaderEntry {
  type: Type;
  /** Per writer schema id: the resolver into this reader, or `null` when the writer is the same schema. */
  resolvers: Map<number, Resolver | null>;
}

interface Registration {
  id: number;
  type: Type;
}

function registryStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseType(schema: AvroRecordSchema): Type {
  try {
    return Type.forSchema(schema as unknown as Schema, { logicalTypes: CONTRACT_LOGICAL_TYPES });
  } catch (error) {
    throw new SchemaError(`Schema ${subjectFor(schema)} is not a valid Avro schema: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

export class AvroCodec implements PayloadCodec {
  /** Used only to fetch writer schemas by id (it caches them); registration goes through `post` below. */
  private readonly registry: SchemaRegistry;
  private readonly registryUrl: string;
  private readonly authorization: string | undefined;
  private readonly registrations = new Map<string, Promise<Registration>>();
  /** Reader schemas by object identity (definitions are long-lived constants), then by content. */
  private readonly readersByObject = new WeakMap<AvroRecordSchema, ReaderEntry>();
  private readonly readersByContent = new Map<string, ReaderEntry>();

  constructor(config: AvroCodecConfig) {
    this.registryUrl = config.registryUrl.replace(/\/+$/, '');
    this.authorization = config.auth
      ? `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`
      : undefined;
    this.registry = new SchemaRegistry({
      host: this.registryUrl,
      ...(config.auth ? { auth: config.auth } : {}),
      retry: { retries: 3 },
    });
  }

  /**
   * Registers the schema under its record-name subject (a no-op returning the existing id when the same
   * schema is already registered). The registry enforces the subject's compatibility level; an
   * incompatible schema fails with a SchemaError naming the subject. Successful ids are cached; failures
   * are not, so a later call tries again.
   */
  async register(schema: AvroRecordSchema): Promise<number> {
    return (await this.registration(schema)).id;
  }

  async encode(schema: AvroRecordSchema, value: unknown): Promise<Buffer> {
    const { id, type } = await this.registration(schema);
    let body: Buffer;
    try {
      body = type.toBuffer(value);
    } catch (error) {
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(root)') });
      const where = paths.length > 0 ? ` (invalid: ${paths.join(', ')})` : '';
      throw new SchemaError(
        `Value does not match schema ${subjectFor(schema)}${where}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, body]);
  }

  /**
   * Decodes Confluent-framed Avro. With `readerSchema`, the writer schema (fetched by id) is resolved into
   * it, so a consumer built against one version reads any version the registry's compatibility rule let
   * in; without it, the value comes back exactly as written.
   */
  async decode<T>(bytes: Buffer | null, readerSchema?: AvroRecordSchema): Promise<T> {
    if (!bytes || bytes.length < HEADER_LENGTH || bytes[0] !== MAGIC_BYTE) {
      throw new DecodeError('Payload is not in the Confluent wire format (magic byte 0 and a schema id)');
    }
    const id = bytes.readInt32BE(1);
    const writer = await this.writerType(id);
    const body = bytes.subarray(HEADER_LENGTH);
    try {
      if (!readerSchema) return writer.fromBuffer(body) as T;
      const reader = this.reader(readerSchema);
      const resolver = this.resolver(reader, id, writer, readerSchema);
      return (resolver ? reader.type.fromBuffer(body, resolver) : reader.type.fromBuffer(body)) as T;
    } catch (error) {
      if (error instanceof DecodeError) throw error;
      if (error instanceof LogicalTypeViolation && readerSchema) {
        // Valid Avro, so the writer's own type reads it; checking that value against the reader names the
        // fields that broke their logical type. Only on this failure path: decoding twice is not free.
        const fields = contractViolations(this.reader(readerSchema).type, writer.fromBuffer(body));
        const where = fields.length > 0 ? ` (${fields.join(', ')})` : '';
        throw new SchemaError(
          `Payload written with schema id ${id} breaks the contract of ${subjectFor(readerSchema)}${where}: ${error.message}`,
          { cause: error },
        );
      }
      throw new DecodeError(`Cannot decode Avro payload written with schema id ${id}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  private registration(schema: AvroRecordSchema): Promise<Registration> {
    const cacheKey = JSON.stringify(schema);
    let registration = this.registrations.get(cacheKey);
    if (!registration) {
      registration = this.registerUncached(schema);
      registration.catch(() => this.registrations.delete(cacheKey));
      this.registrations.set(cacheKey, registration);
    }
    return registration;
  }

  private async registerUncached(schema: AvroRecordSchema): Promise<Registration> {
    // Parse locally first: a malformed schema is a programming error and should not cost a round trip.
    const type = parseType(schema);
    const subject = subjectFor(schema);
    const { id } = (await this.post(subject, `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: JSON.stringify(schema),
    })) as { id: number };
    return { id, type };
  }

  private async post(subject: string, path: string, body: unknown): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.registryUrl}${path}`, {
          method: 'POST',
          headers: {
            'content-type': REGISTRY_CONTENT_TYPE,
            accept: REGISTRY_CONTENT_TYPE,
            ...(this.authorization ? { authorization: this.authorization } : {}),
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        if (attempt < REGISTER_ATTEMPTS) {
          await backoff(attempt);
          continue;
        }
        throw new TransportError(`Cannot register ${subject}: registry unreachable: ${messageOf(error)}`, {
          cause: error,
        });
      }
      if (response.ok) return response.json();
      const detail = await registryMessage(response);
      const transient = response.status >= 500 || response.status === 429 || response.status === 408;
      if (transient && attempt < REGISTER_ATTEMPTS) {
        await backoff(attempt);
        continue;
      }
      if (transient) {
        throw new TransportError(
          `Cannot register ${subject}: registry answered ${response.status}: ${detail}`,
        );
      }
      if (response.status === 409) {
        throw new SchemaError(
          `Schema for subject ${subject} is incompatible with its registered versions ` +
            `under the subject's compatibility level: ${detail}`,
        );
      }
      if (response.status === 422) {
        throw new SchemaError(`Schema for subject ${subject} is invalid: ${detail}`);
      }
      throw new SchemaError(`Schema registry refused ${subject} (${response.status}): ${detail}`);
    }
  }

  private async writerType(id: number): Promise<Type> {
    try {
      // The registry client caches schemas by id and returns an avsc Type (typed loosely as its `Schema`).
      return (await this.registry.getSchema(id)) as unknown as Type;
    } catch (error) {
      const status = registryStatus(error);
      if (status === undefined || status >= 500) {
        throw new TransportError(
          `Schema registry unavailable fetching schema id ${id}: ${messageOf(error)}`,
          {
            cause: error,
          },
        );
      }
      throw new DecodeError(`Unknown schema id ${id} (registry answered ${status}): ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  private reader(schema: AvroRecordSchema): ReaderEntry {
    let entry = this.readersByObject.get(schema);
    if (entry) return entry;
    const contentKey = JSON.stringify(schema);
    entry = this.readersByContent.get(contentKey);
    if (!entry) {
      entry = { type: parseType(schema), resolvers: new Map() };
      this.readersByContent.set(contentKey, entry);
    }
    this.readersByObject.set(schema, entry);
    return entry;
  }

  private resolver(
    reader: ReaderEntry,
    writerId: number,
    writer: Type,
    readerSchema: AvroRecordSchema,
  ): Resolver | null {
    let resolver = reader.resolvers.get(writerId);
    if (resolver === undefined) {
      try {
        resolver = reader.type.equals(writer) ? null : reader.type.createResolver(writer);
      } catch (error) {
        throw new DecodeError(
          `Schema id ${writerId} cannot be read as ${subjectFor(readerSchema)}: ${messageOf(error)}`,
          { cause: error },
        );
      }
      reader.resolvers.set(writerId, resolver);
    }
    return resolver;
  }
}

/** The paths (`lines.0.sku`) of the fields of `value` whose logical type `type` checks and refuses. */
function contractViolations(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path, _value, failed) => {
      if (isContractLogicalType(failed)) paths.push(path.join('.') || '(root)');
    },
  });
  return paths;
}

async function registryMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error_code?: unknown };
    if (typeof parsed.message === 'string') {
      return parsed.error_code === undefined
        ? parsed.message
        : `${parsed.message} (error ${parsed.error_code})`;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text || response.statusText;
}

/** A short, growing pause between registration attempts (registration happens at startup, not per message). */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1)));
}
