/**
 * The retriability of a failure that wraps others. A client's error usually sits inside our own (a
 * `TransportError` around a kafkajs error), and kafkajs wraps again when its own retries run out, so the
 * innermost error that says whether it is worth another try is the one that knows: a connection loss
 * under "retries exhausted" is still transient; a missing ACL under a transport error is not.
 */
export function innermostRetriable(error: unknown): boolean | undefined {
  let verdict: boolean | undefined;
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === 'object' && !seen.has(current);) {
    seen.add(current);
    const retriable = (current as { retriable?: unknown }).retriable;
    if (typeof retriable === 'boolean') verdict = retriable;
    current = (current as { cause?: unknown }).cause;
  }
  return verdict;
}
