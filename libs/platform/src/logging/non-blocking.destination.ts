/**
 * Where a service's log lines go: its stdout, without ever blocking the process on it.
 *
 * pino's default destination (sonic-boom on fd 1) buffers without bound and, on exit, flushes that buffer
 * synchronously, retrying a full pipe every 100 ms until it drains. When whatever reads the service's
 * stdout stops reading (a launcher that hangs or a `| tee` that was suspended), the pipe fills, and the
 * process can no longer exit: the graceful-shutdown timeout calls `process.exit(1)`, and exit then waits
 * in that flush for as long as the reader does (orders once hung for minutes, far past its 10 s timeout).
 *
 * This destination writes through `process.stdout` instead. On a pipe or socket that is libuv's
 * non-blocking stream: a write goes out at once when the pipe has room and is queued otherwise, and
 * whatever is still queued when the process exits is discarded, never waited for. The queue is bounded:
 * past `maxBufferedBytes` a line is dropped and counted, and once the reader catches up (`drain`) one
 * warning says how many were lost, so a stalled reader costs log lines, never memory or a hung process. A
 * reader that went away for good (EPIPE) turns every later line into a counted drop; without a listener
 * that error would crash the service. On a file or a terminal Node writes synchronously, which is fine:
 * those always make progress.
 */
import type { Writable } from 'node:stream';
import type pino from 'pino';

/** About ten thousand typical lines: rides out a reader's hiccup; only a reader that stopped loses lines. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface NonBlockingDestinationOptions {
  /** Default `process.stdout`. Tests pass a stream they control. */
  stream?: Writable;
  /** Bytes the stream may hold unwritten before lines are dropped. Default 4 MiB. */
  maxBufferedBytes?: number;
  /**
   * Called once the stream has caught up after lines were dropped, with how many were dropped since the
   * last call. The service logger logs a warning from it.
   */
  onDropped?: (dropped: number) => void;
}

/** Marks a stream whose EPIPE is already handled, so several destinations on stdout add one listener. */
const BROKEN_PIPE_GUARD = Symbol.for('orderstream.platform.logging.brokenPipeGuard');

type GuardedStream = Writable & { [BROKEN_PIPE_GUARD]?: { broken: boolean } };

export class NonBlockingDestination implements pino.DestinationStream {
  private readonly stream: GuardedStream;
  private readonly maxBufferedBytes: number;
  private readonly onDropped: ((dropped: number) => void) | undefined;
  private readonly state: { broken: boolean };
  private droppedTotal = 0;
  private droppedUnreported = 0;
  private waitingForDrain = false;

  constructor(options: NonBlockingDestinationOptions = {}) {
    this.stream = (options.stream ?? process.stdout) as GuardedStream;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    if (!Number.isSafeInteger(this.maxBufferedBytes) || this.maxBufferedBytes <= 0) {
      throw new RangeError(`maxBufferedBytes must be a positive integer, got ${this.maxBufferedBytes}`);
    }
    this.onDropped = options.onDropped;
    this.state = guardAgainstBrokenPipe(this.stream);
  }

  /** Lines dropped since this destination was created (the reader was too slow or gone). */
  get dropped(): number {
    return this.droppedTotal;
  }

  write(line: string): void {
    if (this.state.broken || this.stream.destroyed || !this.stream.writable) {
      this.drop();
      return;
    }
    if (this.stream.writableLength >= this.maxBufferedBytes) {
      this.drop();
      this.reportOnDrain();
      return;
    }
    this.stream.write(line);
  }

  private drop(): void {
    this.droppedTotal++;
    this.droppedUnreported++;
  }

  private reportOnDrain(): void {
    if (this.waitingForDrain || !this.onDropped) return;
    this.waitingForDrain = true;
    this.stream.once('drain', () => {
      this.waitingForDrain = false;
      const dropped = this.droppedUnreported;
      this.droppedUnreported = 0;
      if (dropped > 0) this.onDropped?.(dropped);
    });
  }
}

function guardAgainstBrokenPipe(stream: GuardedStream): { broken: boolean } {
  const existing = stream[BROKEN_PIPE_GUARD];
  if (existing) return existing;
  const state = { broken: false };
  stream[BROKEN_PIPE_GUARD] = state;
  // Any write error means the reader is gone (EPIPE, ECONNRESET) or the stream was closed under us: no
  // later line can be written either, and a log line is not worth crashing the service for.
  stream.on('error', () => {
    state.broken = true;
  });
  return state;
}
