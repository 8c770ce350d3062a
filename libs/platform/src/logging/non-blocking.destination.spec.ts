import { Writable } from 'node:stream';
import { NonBlockingDestination } from './non-blocking.destination';

/** A stream that holds what is written until `release()`, like a pipe whose reader has stopped. */
class StalledReader extends Writable {
  readonly received: string[] = [];
  private pending: (() => void)[] = [];

  constructor() {
    super({ decodeStrings: false, highWaterMark: 16 });
  }

  override _write(chunk: string, _encoding: BufferEncoding, done: () => void): void {
    this.received.push(chunk);
    this.pending.push(done);
  }

  /** The reader takes what it holds: the held writes complete (and the stream hands it the next one). */
  release(): void {
    const pending = this.pending;
    this.pending = [];
    for (const done of pending) done();
  }

  /** The reader reads until nothing is left, letting the stream's callbacks (and `drain`) run. */
  async catchUp(): Promise<void> {
    while (this.writableLength > 0 || this.pending.length > 0) {
      this.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const line = (n: number) => `${JSON.stringify({ n, msg: 'x'.repeat(20) })}\n`;

describe('NonBlockingDestination', () => {
  it('passes lines through while the reader keeps up', () => {
    const reader = new StalledReader();
    const destination = new NonBlockingDestination({ stream: reader, maxBufferedBytes: 1_000 });
    destination.write(line(1));
    reader.release();
    destination.write(line(2));
    reader.release();
    expect(reader.received).toEqual([line(1), line(2)]);
    expect(destination.dropped).toBe(0);
  });

  it('drops and counts lines past the bound, and reports them once the reader caught up', async () => {
    const reader = new StalledReader();
    const reports: number[] = [];
    const size = Buffer.byteLength(line(0));
    const destination = new NonBlockingDestination({
      stream: reader,
      maxBufferedBytes: 3 * size,
      onDropped: (dropped) => reports.push(dropped),
    });
    for (let n = 0; n < 10; n++) destination.write(line(n));

    // Three lines fill the bound (the first is handed to the reader, two wait in the stream's buffer).
    expect(destination.dropped).toBe(7);
    expect(reports).toEqual([]);

    await reader.catchUp();

    expect(reports).toEqual([7]);
    destination.write(line(10));
    await reader.catchUp();
    expect(reports).toEqual([7]);
    expect(reader.received).toEqual([line(0), line(1), line(2), line(10)]);
    expect(destination.dropped).toBe(7);
  });

  it('drops every line once the reader is gone (EPIPE) instead of throwing', () => {
    const reader = new StalledReader();
    const destination = new NonBlockingDestination({ stream: reader });
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    reader.emit('error', epipe);
    expect(() => destination.write(line(1))).not.toThrow();
    expect(reader.received).toEqual([]);
    expect(destination.dropped).toBe(1);
  });

  it('shares one EPIPE guard between the destinations on one stream', () => {
    const reader = new StalledReader();
    const first = new NonBlockingDestination({ stream: reader });
    const second = new NonBlockingDestination({ stream: reader });
    expect(reader.listenerCount('error')).toBe(1);
    reader.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    first.write(line(1));
    second.write(line(2));
    expect([first.dropped, second.dropped]).toEqual([1, 1]);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => new NonBlockingDestination({ stream: new StalledReader(), maxBufferedBytes: 0 })).toThrow(
      RangeError,
    );
  });
});
