/**
 * The conformance suite's isolation and waiting helpers. They have the names, signatures and behaviour of
 * `@orderstream/testing`'s, so the suite reads like the workspace's other integration tests, but they are
 * not imported from it: this entry ships with the library, so that an adapter living in another package can
 * run the suite, and libs/testing is never built or shipped. The lint rules keep it that way (the messaging
 * library's own code depends on no other workspace library).
 */
import { randomBytes } from 'node:crypto';
import type { AdminPort } from '../ports/kafka-client.port';

/** `<prefix>-<8 hex chars>`: a topic or group name no other test or earlier run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates a topic only this test uses (`createTopics` waits for its leaders) and returns its name. */
export async function createTestTopic(
  admin: Pick<AdminPort, 'createTopics'>,
  prefix: string,
  spec: { partitions?: number } = {},
): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.createTopics([{ ...spec, topic }]);
  return topic;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Polls `probe` until it returns something other than `undefined`, `null` or `false`, and returns that. A
 * probe that throws counts as "not yet"; on timeout the error names what was awaited and what was last seen.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { description: string; timeoutMs?: number },
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${options.description}; last observed: ${describeValue(last)}`,
      );
    }
    await pause(50);
  }
}
