import { logLevel, type LogEntry } from 'kafkajs';
import { plainLogger } from '../../logging/logger';
import { kafkaJsLogCreator } from './kafkajs-log';

type Line = { level: string; message: string; fields: Record<string, unknown> };

function capture(): { lines: Line[]; log: (level: logLevel, message: string, extra?: object) => void } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, message, fields });
  const logger = plainLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
  const write = kafkaJsLogCreator(logger)(logLevel.INFO);
  return {
    lines,
    log: (level, message, extra = {}) =>
      write({
        namespace: 'Connection',
        level,
        label: 'ERROR',
        log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message, ...extra },
      } as LogEntry),
  };
}

describe('kafkaJsLogCreator', () => {
  it('logs a retriable protocol error kafkajs retries as a warning (the leader election at topic creation)', () => {
    const { lines, log } = capture();
    log(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', {
      error: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
    });
    log(logLevel.ERROR, 'Failed to send messages: This server does not host this topic-partition');
    log(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', {
      error: "The coordinator is loading and hence can't process requests for this group",
    });
    expect(lines.map((l) => [l.level, l.fields['retried'], l.fields['component']])).toEqual([
      ['warn', true, 'kafkajs'],
      ['warn', true, 'kafkajs'],
      ['warn', true, 'kafkajs'],
    ]);
  });

  it("logs the consumer's crash and restart lines as warnings (the runner reports a crash it does not survive)", () => {
    const { lines, log } = capture();
    log(logLevel.ERROR, 'Crash: KafkaJSProtocolError: The group coordinator is not available', {
      groupId: 'g',
    });
    log(logLevel.ERROR, 'Restarting the consumer in 300ms', { groupId: 'g', retryTime: 300 });
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'Crash: KafkaJSProtocolError: The group coordinator is not available'],
      ['warn', 'Restarting the consumer in 300ms'],
    ]);
  });

  it('keeps an error that is not retriable an error, and every other level as kafkajs gave it', () => {
    const { lines, log } = capture();
    log(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', {
      error: 'Topic with this name already exists',
    });
    log(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
      error: 'Not authorized to access topics: [Topic authorization failed]',
    });
    log(logLevel.WARN, 'a warning');
    log(logLevel.INFO, 'an info');
    log(logLevel.DEBUG, 'a debug line');
    expect(lines.map((l) => [l.level, l.fields['retried']])).toEqual([
      ['error', undefined],
      ['error', undefined],
      ['warn', undefined],
      ['info', undefined],
      ['debug', undefined],
    ]);
  });
});
