import { waitFor, WaitTimeoutError } from './wait-for';

describe('waitFor', () => {
  it('returns the first value the probe yields', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls === 3 ? 'ready' : undefined), {
      description: 'third call',
      intervalMs: 1,
    });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('treats a throwing probe as not yet and reports its last error on timeout', async () => {
    const failing = waitFor(
      () => {
        throw new Error('broker not reachable');
      },
      { description: 'the broker', timeoutMs: 20, intervalMs: 1 },
    );
    await expect(failing).rejects.toThrow(WaitTimeoutError);
    await expect(failing).rejects.toThrow(
      /waiting for the broker; last observed: Error: broker not reachable/,
    );
  });
});
