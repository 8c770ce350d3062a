/**
 * Waiting on conditions, never on time: tests poll a probe until it yields a value, and fail with a message
 * that says what was awaited and what was last seen.
 */
export interface WaitOptions {
  /** What is being awaited, in words; it starts the failure message. */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
}

export class WaitTimeoutError extends Error {
  readonly code = 'TEST_WAIT_TIMEOUT';

  constructor(description: string, timeoutMs: number, last: string) {
    super(`Timed out after ${timeoutMs} ms waiting for ${description}; last observed: ${last}`);
    this.name = 'WaitTimeoutError';
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than `undefined`, `null` or `false`, and returns that.
 * A probe that throws counts as "not yet"; its last error is reported on timeout.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
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
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.description, timeoutMs, describe(last));
    await pause(intervalMs);
  }
}
