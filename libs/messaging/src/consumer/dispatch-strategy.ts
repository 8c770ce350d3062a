/**
 * How a partition worker's one dispatch loop starts the records of a batch: one after another
 * (`SequentialDispatch`, the default) or keys in parallel, each key in order (`PerKeyDispatch`). The loop
 * around them (when to stop, when to commit, the offset tracking) is the same for both; only "may the
 * next record start yet, and does the loop wait for it" differs.
 */
import type { ConsumedRecord } from '../ports/kafka-client.port';
import { KeyedDispatcher } from './keyed-dispatcher';

/** What a strategy runs: the worker's pipeline call for one begun record. Never rejects. */
export interface RecordRunner<B> {
  runRecord(record: ConsumedRecord, offset: bigint, batch: B): Promise<void>;
  /** Whether the batch stopped (a record failed or was deferred): records still queued must not start. */
  halted(batch: B): boolean;
}

export interface DispatchStrategy<B> {
  /** Whether another record may start now; when false, wait for `room()` first. */
  hasRoom(): boolean;
  /** Resolves once another record may start. */
  room(): Promise<void>;
  /**
   * Starts a begun record. Returns the promise the loop awaits before it looks at the next record, or
   * `undefined` when the loop goes on at once (the record runs concurrently).
   */
  dispatch(
    runner: RecordRunner<B>,
    record: ConsumedRecord,
    offset: bigint,
    batch: B,
  ): Promise<void> | undefined;
  /** Resolves when every dispatched record has settled. */
  drain(): Promise<void>;
}

const SETTLED = Promise.resolve();

/**
 * One record after the other. The loop awaits each record's own promise, rather than going through a
 * dispatcher with a bound of one: that saves a promise chain and its microtask turns per record, and it
 * is stateless, so every partition shares one instance.
 */
export class SequentialDispatch<B> implements DispatchStrategy<B> {
  hasRoom(): boolean {
    return true;
  }

  room(): Promise<void> {
    return SETTLED;
  }

  dispatch(runner: RecordRunner<B>, record: ConsumedRecord, offset: bigint, batch: B): Promise<void> {
    return runner.runRecord(record, offset, batch);
  }

  drain(): Promise<void> {
    return SETTLED;
  }
}

/**
 * Different keys in parallel, each key in order, at most `maxInFlight` records started and not finished
 * (those waiting behind their key included). Records without a key share one lane. One per batch.
 */
export class PerKeyDispatch<B> implements DispatchStrategy<B> {
  private readonly dispatcher: KeyedDispatcher;

  constructor(maxInFlight: number) {
    this.dispatcher = new KeyedDispatcher(maxInFlight);
  }

  hasRoom(): boolean {
    return this.dispatcher.hasRoom();
  }

  room(): Promise<void> {
    return this.dispatcher.ready();
  }

  dispatch(runner: RecordRunner<B>, record: ConsumedRecord, offset: bigint, batch: B): undefined {
    this.dispatcher.submit(record.key?.toString('latin1') ?? '', async () => {
      // A record queued behind its key when the batch halted stays unfinished: it is fetched again.
      if (runner.halted(batch)) return;
      await runner.runRecord(record, offset, batch);
    });
    return undefined;
  }

  drain(): Promise<void> {
    return this.dispatcher.drain();
  }
}
