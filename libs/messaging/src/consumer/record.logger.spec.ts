import { plainLogger, type Logger } from '../logging/logger';
import type { ConsumedRecord } from '../ports/kafka-client.port';
import { RecordLogger, recordFields } from './record.logger';

function recordingLogger(): { logger: Logger; lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  return {
    logger: plainLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }),
    lines,
  };
}

function record(headers: ConsumedRecord['headers']): ConsumedRecord {
  return {
    topic: 'orders.events',
    partition: 2,
    offset: '41',
    key: null,
    value: null,
    headers,
    timestamp: '0',
  };
}

describe('RecordLogger', () => {
  it('adds the record fields to every line, and the line fields win', () => {
    const { logger, lines } = recordingLogger();
    const log = new RecordLogger(
      logger,
      record({ ce_id: Buffer.from('id-1'), 'correlation-id': Buffer.from('corr-1') }),
    );
    log.info({ attempt: 2 }, 'one');
    log.error({ offset: 'overridden' }, 'two');
    log.debug({}, 'three');
    log.warn({}, 'four');
    const fields = {
      topic: 'orders.events',
      partition: 2,
      offset: '41',
      messageId: 'id-1',
      correlationId: 'corr-1',
    };
    expect(lines).toEqual([
      { level: 'info', fields: { ...fields, attempt: 2 }, message: 'one' },
      { level: 'error', fields: { ...fields, offset: 'overridden' }, message: 'two' },
      { level: 'debug', fields, message: 'three' },
      { level: 'warn', fields, message: 'four' },
    ]);
  });

  it("gives children that carry the record fields, their own and the line's, in that order of precedence", () => {
    const { logger, lines } = recordingLogger();
    const log = new RecordLogger(logger, record({ ce_id: Buffer.from('id-1') }));
    log.child({ step: 'reserve', offset: 'child' }).warn({ step: 'line' }, 'one');
    expect(lines).toEqual([
      {
        level: 'warn',
        fields: {
          topic: 'orders.events',
          partition: 2,
          offset: 'child',
          messageId: 'id-1',
          correlationId: undefined,
          step: 'line',
        },
        message: 'one',
      },
    ]);
  });

  it('reads no header until something is logged, and each only once', () => {
    let reads = 0;
    const headers = new Proxy<ConsumedRecord['headers']>(
      { ce_id: Buffer.from('id-1') },
      {
        get: (target, name) => {
          reads += 1;
          return Reflect.get(target, name);
        },
      },
    );
    const log = new RecordLogger(recordingLogger().logger, record(headers));
    expect(reads).toBe(0);
    log.info({}, 'first');
    const afterFirst = reads;
    expect(afterFirst).toBeGreaterThan(0);
    log.info({}, 'second');
    expect(reads).toBe(afterFirst);
  });

  it('leaves the ids undefined when the record has no such headers', () => {
    expect(recordFields(record({}))).toEqual({
      topic: 'orders.events',
      partition: 2,
      offset: '41',
      messageId: undefined,
      correlationId: undefined,
    });
  });
});
