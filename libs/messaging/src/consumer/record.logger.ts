/**
 * The logger a handler gets in its context: every line carries the record's topic, partition, offset,
 * message id and correlation id.
 *
 * Built for each record, but most records are handled without a single log line, so the child logger
 * carrying those fields (two of them decoded from headers) is only made on the first line logged, and
 * once. A class rather than closures, so creating one per record costs one small object.
 */
import { HEADERS } from '../core/envelope';
import type { Logger } from '../logging/logger';
import type { ConsumedRecord } from '../ports/kafka-client.port';

/** The fields that identify a record in every log line about it. */
export function recordFields(record: ConsumedRecord): Record<string, unknown> {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    messageId: record.headers[HEADERS.id]?.toString(),
    correlationId: record.headers[HEADERS.correlationId]?.toString(),
  };
}

export class RecordLogger implements Logger {
  private bound: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly record: ConsumedRecord,
  ) {}

  debug(fields: Record<string, unknown>, message: string): void {
    this.logger().debug(fields, message);
  }

  info(fields: Record<string, unknown>, message: string): void {
    this.logger().info(fields, message);
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.logger().warn(fields, message);
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.logger().error(fields, message);
  }

  child(fields: Record<string, unknown>): Logger {
    return this.logger().child(fields);
  }

  private logger(): Logger {
    this.bound ??= this.parent.child(recordFields(this.record));
    return this.bound;
  }
}
