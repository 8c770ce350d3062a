/**
 * A consumer may start before its source topics exist: services start in parallel (`npm run demo`,
 * docker compose) and the topics belong to another service or to the infrastructure. Instead of failing
 * its first admin request, a subscription waits until every source topic is listed, within a time bound.
 * It never creates them: a source topic is someone else's decision (partitions, retention).
 *
 * The loop is `exponential-backoff`, as in the immediate retries: a look at once, then after 100 ms,
 * 200 ms, … up to 2 s between looks. The deadline is checked between looks, so the wait ends at most one
 * pause after it.
 */
import { backOff } from 'exponential-backoff';
import { errorCode } from '../errors/messaging.error';
import { innermostRetriable } from '../errors/innermost-retriable';
import type { Logger } from '../logging/logger';
import type { AdminPort } from '../ports/kafka-client.port';
import { SourceTopicsMissingError } from './source-topics-missing.error';

/**
 * Long enough for the other services of a deployment that starts all at once to boot and create their
 * topics (each takes seconds: Kafka connection, migrations, topic creation), short enough that a topic
 * nobody will create fails the boot within a minute instead of leaving a service that never gets ready.
 */
export const DEFAULT_TOPIC_WAIT_TIMEOUT_MS = 60_000;

export interface SourceTopicsWait {
  /** Named in the log line and the error. */
  groupId: string;
  /** 0 looks once and fails at once when a topic is missing. */
  timeoutMs: number;
  logger: Logger;
  /** Pause before the second look, doubled for each further one. Default 100 ms. */
  initialDelayMs?: number;
  /** Longest pause between two looks. Default 2000 ms. */
  maxDelayMs?: number;
}

/** Not a failure: the signal to look again. */
class TopicsNotListedYet extends Error {}

/**
 * Resolves once every topic of `topics` exists. Retriable errors of the admin client (a broker restarting,
 * a connection lost) count as "not yet"; a non-retriable one (an authorization failure) is thrown as it
 * is. Rejects with `SourceTopicsMissingError` when the topics are still missing at the deadline.
 */
export async function waitForSourceTopics(
  admin: Pick<AdminPort, 'listTopics'>,
  topics: readonly string[],
  wait: SourceTopicsWait,
): Promise<void> {
  const { groupId, timeoutMs, logger } = wait;
  const deadline = Date.now() + timeoutMs;
  let missing: readonly string[] = topics;
  let lastError: unknown;
  let waiting = false;

  const look = async (): Promise<void> => {
    const listed = new Set(await admin.listTopics());
    lastError = undefined;
    missing = topics.filter((topic) => !listed.has(topic));
    if (missing.length === 0) return;
    if (!waiting) {
      waiting = true;
      logger.info({ groupId, missingTopics: missing, timeoutMs }, 'waiting for source topics to be created');
    }
    throw new TopicsNotListedYet();
  };

  try {
    await backOff(look, {
      numOfAttempts: Number.POSITIVE_INFINITY,
      startingDelay: wait.initialDelayMs ?? 100,
      timeMultiple: 2,
      maxDelay: wait.maxDelayMs ?? 2_000,
      retry: (error: unknown) => {
        if (!(error instanceof TopicsNotListedYet)) {
          if (!isTransient(error)) return false;
          lastError = error;
          logger.debug(
            { groupId, errorCode: errorCode(error), err: error },
            'listing topics failed; looking again',
          );
        }
        return Date.now() < deadline;
      },
    });
  } catch (error) {
    if (error instanceof TopicsNotListedYet || isTransient(error)) {
      throw new SourceTopicsMissingError(groupId, missing, timeoutMs, { cause: lastError });
    }
    throw error;
  }
  if (waiting) logger.info({ groupId, topics }, 'source topics exist now');
}

/**
 * The adapter wraps every client error in a retriable `TransportError`; the client's own verdict inside
 * it decides (a cause that says nothing counts as transient, as everywhere in the library).
 */
function isTransient(error: unknown): boolean {
  return innermostRetriable(error) ?? true;
}
