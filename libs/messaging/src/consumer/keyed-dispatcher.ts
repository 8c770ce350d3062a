/**
 * Runs tasks so that tasks of the same key run one after another, in submission order, while tasks of
 * different keys run in parallel, with at most `maxInFlight` tasks submitted and not yet finished.
 *
 * The bound counts tasks waiting behind their key too: it is the window between the oldest unfinished
 * record and the newest one started, which is also how far a crash can make the partition go back.
 * With `maxInFlight` 1 this is plain sequential processing.
 */
export class KeyedDispatcher {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private readonly all = new Set<Promise<void>>();
  private inFlight = 0;

  constructor(private readonly maxInFlight: number) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
    }
  }

  /** Tasks submitted and not finished. */
  get size(): number {
    return this.inFlight;
  }

  /** Whether one more task may be submitted without waiting. */
  hasRoom(): boolean {
    return this.inFlight < this.maxInFlight;
  }

  /** Resolves once there is room for one more task. */
  async ready(): Promise<void> {
    while (this.inFlight >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Queues `task` behind the unfinished tasks of its key and returns at once (call `ready` first to
   * respect the bound). `task` must not reject: the caller handles its own errors.
   */
  submit(key: string, task: () => Promise<void>): void {
    this.inFlight += 1;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run: Promise<void> = previous.then(task).finally(() => {
      this.inFlight -= 1;
      this.all.delete(run);
      if (this.tails.get(key) === run) this.tails.delete(key);
      this.waiters.shift()?.();
    });
    this.tails.set(key, run);
    this.all.add(run);
  }

  /** Resolves when every submitted task has finished. */
  async drain(): Promise<void> {
    while (this.all.size > 0) await Promise.allSettled([...this.all]);
  }
}
