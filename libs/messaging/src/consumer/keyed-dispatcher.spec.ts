import { KeyedDispatcher } from './keyed-dispatcher';

/** A task the test finishes by hand, so no timing is involved. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyedDispatcher', () => {
  it('runs tasks of one key strictly one after another, in order', async () => {
    const dispatcher = new KeyedDispatcher(10);
    const started: string[] = [];
    const gates = [gate(), gate(), gate()];
    gates.forEach((g, i) =>
      dispatcher.submit('a', async () => {
        started.push(`a${i}`);
        await g.promise;
      }),
    );
    await tick();
    expect(started).toEqual(['a0']);
    gates[0]?.open();
    await tick();
    expect(started).toEqual(['a0', 'a1']);
    gates[1]?.open();
    gates[2]?.open();
    await dispatcher.drain();
    expect(started).toEqual(['a0', 'a1', 'a2']);
  });

  it('runs tasks of different keys at the same time', async () => {
    const dispatcher = new KeyedDispatcher(10);
    const started: string[] = [];
    const a = gate();
    const b = gate();
    dispatcher.submit('a', async () => {
      started.push('a');
      await a.promise;
    });
    dispatcher.submit('b', async () => {
      started.push('b');
      await b.promise;
    });
    await tick();
    expect(started).toEqual(['a', 'b']);
    expect(dispatcher.size).toBe(2);
    b.open();
    a.open();
    await dispatcher.drain();
    expect(dispatcher.size).toBe(0);
  });

  it('holds the submitter back while maxInFlight tasks are unfinished', async () => {
    const dispatcher = new KeyedDispatcher(2);
    const a = gate();
    const b = gate();
    dispatcher.submit('a', () => a.promise);
    dispatcher.submit('b', () => b.promise);
    let ready = false;
    const waiting = dispatcher.ready().then(() => (ready = true));
    await tick();
    expect(ready).toBe(false);
    b.open();
    await waiting;
    expect(ready).toBe(true);
    expect(dispatcher.size).toBe(1);
    a.open();
    await dispatcher.drain();
  });

  it('counts tasks waiting behind their key towards the bound', async () => {
    const dispatcher = new KeyedDispatcher(2);
    const first = gate();
    dispatcher.submit('a', () => first.promise);
    dispatcher.submit('a', async () => undefined);
    let ready = false;
    const waiting = dispatcher.ready().then(() => (ready = true));
    await tick();
    expect(ready).toBe(false);
    first.open();
    await waiting;
    await dispatcher.drain();
    expect(dispatcher.size).toBe(0);
  });

  it('keeps per-key order over many interleaved keys', async () => {
    const dispatcher = new KeyedDispatcher(16);
    const seen = new Map<string, number[]>();
    for (let i = 0; i < 500; i += 1) {
      await dispatcher.ready();
      const key = `k${i % 7}`;
      dispatcher.submit(key, async () => {
        // Yield a varying number of times so tasks of different keys really interleave.
        for (let y = 0; y < i % 3; y += 1) await tick();
        seen.set(key, [...(seen.get(key) ?? []), i]);
      });
    }
    await dispatcher.drain();
    for (const [key, values] of seen) {
      expect(values).toEqual([...values].sort((x, y) => x - y));
      expect(values.every((v) => `k${v % 7}` === key)).toBe(true);
    }
    expect([...seen.values()].reduce((n, v) => n + v.length, 0)).toBe(500);
  });

  it('rejects a bound below one', () => {
    expect(() => new KeyedDispatcher(0)).toThrow(RangeError);
  });
});
