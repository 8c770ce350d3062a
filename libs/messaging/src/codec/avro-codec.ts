/**
 * Avro payloads in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), through any
 * Confluent-compatible schema registry (Confluent, Apicurio's /apis/ccompat/v7, Redpanda) by URL alone.
 *
 * Subjects follow the record-name strategy (subject = the record's full name), so one topic can carry
 * several event types. Schema ids are cached after first use by the underlying client.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { DecodeError, SchemaError, TransportError } from '../errors/messaging.error';

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

function registryStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

export class AvroCodec {
  private readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, Promise<number>>();

  constructor(config: AvroCodecConfig) {
    this.registry = new SchemaRegistry({
      host: config.registryUrl,
      ...(config.auth ? { auth: config.auth } : {}),
      retry: { retries: 3 },
    });
  }

  /**
   * Registers the schema under its record-name subject (a no-op returning the existing id when the same
   * schema is already registered). The registry enforces the subject's compatibility level; an
   * incompatible schema fails with a SchemaError naming the subject.
   */
  register(schema: AvroRecordSchema): Promise<number> {
    const cacheKey = JSON.stringify(schema);
    let id = this.ids.get(cacheKey);
    if (!id) {
      id = this.registerUncached(schema);
      id.catch(() => this.ids.delete(cacheKey));
      this.ids.set(cacheKey, id);
    }
    return id;
  }

  async encode(schema: AvroRecordSchema, value: unknown): Promise<Buffer> {
    const id = await this.register(schema);
    try {
      return await this.registry.encode(id, value);
    } catch (error) {
      throw new SchemaError(
        `Value does not match schema ${subjectFor(schema)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async decode<T>(bytes: Buffer | null): Promise<T> {
    if (!bytes || bytes.length < 5 || bytes[0] !== 0) {
      throw new DecodeError('Payload is not in the Confluent wire format (magic byte 0 and a schema id)');
    }
    try {
      return (await this.registry.decode(bytes)) as T;
    } catch (error) {
      const status = registryStatus(error);
      if (status !== undefined && status >= 500) {
        throw new TransportError(`Schema registry unavailable: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw new DecodeError(`Cannot decode Avro payload: ${(error as Error).message}`, { cause: error });
    }
  }

  private async registerUncached(schema: AvroRecordSchema): Promise<number> {
    const subject = subjectFor(schema);
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject },
      );
      return id;
    } catch (error) {
      const status = registryStatus(error);
      if (status === 409 || status === 422) {
        throw new SchemaError(`Schema registry rejected ${subject}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw new TransportError(`Cannot register ${subject}: ${(error as Error).message}`, { cause: error });
    }
  }
}
