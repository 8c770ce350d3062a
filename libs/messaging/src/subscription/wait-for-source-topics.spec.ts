import { NonRetriableError, TransportError } from '../errors/messaging.error';
import { plainLogger, type Logger } from '../logging/logger';
import { SourceTopicsMissingError } from './source-topics-missing.error';
import { waitForSourceTopics, type SourceTopicsWait } from './wait-for-source-topics';

/** An admin whose topic list is scripted: each look takes the next answer, the last one repeats. */
function scriptedAdmin(answers: (string[] | Error)[]) {
  let looks = 0;
  return {
    looks: () => looks,
    async listTopics(): Promise<string[]> {
      const answer = answers[Math.min(looks, answers.length - 1)] as string[] | Error;
      looks += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

function recordingLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, message, fields });
    };
  const logger: Logger = plainLogger({
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  });
  return { logger, lines, messages: () => lines.filter((l) => l.level !== 'debug').map((l) => l.message) };
}

/** Tiny pauses: these tests count looks, they do not measure time. */
const wait = (logger: Logger, overrides: Partial<SourceTopicsWait> = {}): SourceTopicsWait => ({
  groupId: 'payments',
  timeoutMs: 60_000,
  logger,
  initialDelayMs: 1,
  maxDelayMs: 2,
  ...overrides,
});

/** A kafkajs-like error: the client's own verdict sits inside the adapter's TransportError. */
const clientError = (message: string, retriable: boolean) =>
  new TransportError(`Kafka listTopics failed: ${message}`, {
    cause: Object.assign(new Error(message), { retriable }),
  });

describe('waitForSourceTopics', () => {
  it('resolves at the first look, without a word, when every topic exists', async () => {
    const admin = scriptedAdmin([['orders.events', 'payments.events', 'other']]);
    const log = recordingLogger();
    await waitForSourceTopics(admin, ['orders.events', 'payments.events'], wait(log.logger));
    expect(admin.looks()).toBe(1);
    expect(log.lines).toEqual([]);
  });

  it('waits until the admin lists every topic, logging once which ones it waits for', async () => {
    const admin = scriptedAdmin([
      [],
      ['orders.events'],
      ['orders.events'],
      ['orders.events', 'payments.events'],
    ]);
    const log = recordingLogger();
    await waitForSourceTopics(admin, ['orders.events', 'payments.events'], wait(log.logger));
    expect(admin.looks()).toBe(4);
    expect(log.messages()).toEqual(['waiting for source topics to be created', 'source topics exist now']);
    expect(log.lines[0]?.fields).toEqual({
      groupId: 'payments',
      missingTopics: ['orders.events', 'payments.events'],
      timeoutMs: 60_000,
    });
  });

  it('throws SourceTopicsMissingError naming the group and the topics still missing at the deadline', async () => {
    const admin = scriptedAdmin([['orders.events']]);
    const log = recordingLogger();
    const attempt = waitForSourceTopics(
      admin,
      ['orders.events', 'payments.events', 'inventory.events'],
      wait(log.logger, { timeoutMs: 5 }),
    );
    await expect(attempt).rejects.toBeInstanceOf(SourceTopicsMissingError);
    await expect(attempt).rejects.toMatchObject({
      code: 'MESSAGING_SOURCE_TOPICS_MISSING',
      retriable: true,
      groupId: 'payments',
      missingTopics: ['payments.events', 'inventory.events'],
      timeoutMs: 5,
      message: expect.stringContaining(
        'Consumer group "payments" gave up after 5 ms waiting for its source topics to exist: payments.events, inventory.events',
      ),
    });
    expect(log.messages()).toEqual(['waiting for source topics to be created']);
  });

  it('with a timeout of 0 looks once and fails at once', async () => {
    const admin = scriptedAdmin([[]]);
    const attempt = waitForSourceTopics(
      admin,
      ['orders.events'],
      wait(recordingLogger().logger, { timeoutMs: 0 }),
    );
    await expect(attempt).rejects.toBeInstanceOf(SourceTopicsMissingError);
    expect(admin.looks()).toBe(1);
  });

  it('looks again after a transient error of the client, including retries exhausted over one', async () => {
    const exhausted = new TransportError('Kafka listTopics failed: retries exceeded', {
      cause: Object.assign(new Error('retries exceeded'), {
        retriable: false,
        cause: Object.assign(new Error('connection refused'), { retriable: true }),
      }),
    });
    const admin = scriptedAdmin([clientError('leader moved', true), exhausted, ['orders.events']]);
    await waitForSourceTopics(admin, ['orders.events'], wait(recordingLogger().logger));
    expect(admin.looks()).toBe(3);
  });

  it('throws a non-retriable error of the client as it is, without waiting further', async () => {
    const denied = clientError('TOPIC_AUTHORIZATION_FAILED', false);
    const admin = scriptedAdmin([[], denied, ['orders.events']]);
    await expect(waitForSourceTopics(admin, ['orders.events'], wait(recordingLogger().logger))).rejects.toBe(
      denied,
    );
    expect(admin.looks()).toBe(2);

    const refused = new NonRetriableError('refused');
    await expect(
      waitForSourceTopics(scriptedAdmin([refused]), ['orders.events'], wait(recordingLogger().logger)),
    ).rejects.toBe(refused);
  });

  it('names the last transient error when the topics could not even be listed before the deadline', async () => {
    const admin = scriptedAdmin([clientError('connection refused', true)]);
    const attempt = waitForSourceTopics(
      admin,
      ['orders.events'],
      wait(recordingLogger().logger, { timeoutMs: 5 }),
    );
    await expect(attempt).rejects.toMatchObject({
      missingTopics: ['orders.events'],
      message: expect.stringContaining('last error: Kafka listTopics failed: connection refused'),
      cause: expect.any(TransportError),
    });
  });
});
