/**
 * kafkajs's own log lines, routed to the library logger, with the level they deserve.
 *
 * kafkajs logs every failed attempt at ERROR, also the ones it retries itself: while a topic is being
 * created or a group coordinator is loading, a clean start of the four services produced 20 to 50 lines
 * such as "There is no leader for this topic-partition as we are in the middle of a leadership election",
 * each followed by a successful retry. An error-level line must mean that something needs a look, so:
 *
 * - a line about a Kafka protocol error that Kafka itself calls retriable (the table kafkajs keeps, with
 *   its `retriable` flag per error code) is a WARN: kafkajs retries it, and if the retries run out the
 *   failure reaches the caller, which reports it as the error it then is;
 * - kafkajs's consumer "Crash: …" and "Restarting the consumer in …" lines are WARNs: kafkajs restarts
 *   the consumer on retriable crashes, and the consumer port's `crash` event (with `restart`) is how the
 *   runner reports a crash it does not recover from, at ERROR;
 * - everything else keeps kafkajs's level.
 */
import { createRequire } from 'node:module';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '../../logging/logger';

interface ProtocolErrorCode {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}

/**
 * The messages of the protocol errors Kafka marks retriable. kafkajs does not export its error table; it
 * lives in an internal module whose path is stable (2.2.4 is kafkajs's last release, see
 * request-queue.patch.ts for the other internal the adapter relies on). Empty if an upgrade moved it: the
 * lines then simply keep kafkajs's level.
 */
function retriableProtocolErrorMessages(): readonly string[] {
  try {
    const { errorCodes } = createRequire(__filename)('kafkajs/src/protocol/error') as {
      errorCodes: ProtocolErrorCode[];
    };
    return errorCodes.filter((e) => e.retriable).map((e) => e.message);
  } catch {
    return [];
  }
}

const RETRIABLE_MESSAGES = retriableProtocolErrorMessages();

/** kafkajs's consumer on a crash: the runner's `crash` handler reports it, at ERROR unless kafkajs restarts. */
const CONSUMER_CRASH = /^Crash: /;
/** kafkajs's consumer about to restart after a retriable crash. */
const CONSUMER_RESTART = /^Restarting the consumer in /;

/** Whether an ERROR line of kafkajs is about a protocol error Kafka calls retriable (kafkajs retries it). */
export function isRetriableKafkaError(message: string, fields: Record<string, unknown>): boolean {
  const error = typeof fields['error'] === 'string' ? fields['error'] : message;
  return RETRIABLE_MESSAGES.some((retriable) => error.includes(retriable));
}

/** The kafkajs `logCreator` writing to `logger`, every line tagged `component: 'kafkajs'`. */
export function kafkaJsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...fields } = log;
      const entry = { ...fields, component: 'kafkajs' };
      if (level === logLevel.ERROR) {
        if (CONSUMER_RESTART.test(message) || isRetriableKafkaError(message, fields))
          logger.warn({ ...entry, retried: true }, message);
        else if (CONSUMER_CRASH.test(message)) logger.warn(entry, message);
        else logger.error(entry, message);
      } else if (level === logLevel.WARN) logger.warn(entry, message);
      else if (level === logLevel.INFO) logger.info(entry, message);
      else logger.debug(entry, message);
    };
}
