/**
 * Loads and changes one kind of event-sourced aggregate: a decider, the stream type, and optionally a
 * snapshot policy. Like the store, it works inside the caller's transaction.
 *
 * `handle` is the whole command cycle: load (snapshot, then the events after it), decide, append with the
 * loaded version as the expected one, snapshot if the append crossed a boundary, then `onAppended` in the
 * same transaction, where the service writes the events' outbox rows and updates its projections. When
 * another append came first, the cycle runs again against the newer state, up to `maxConflictRetries`
 * times: a conflict leaves the transaction usable, and under READ COMMITTED the reload sees the other
 * append once it committed (the append waits for it on the stream's row).
 */
import type { EntityManager } from 'typeorm';
import { fold, snapshotDue, stateFromSnapshot, type Decider, type SnapshotPolicy } from '../core/decider';
import { WrongExpectedVersionError } from '../core/errors';
import type { EventData, EventMetadata, ReadStreamOptions, RecordedEvent } from '../core/stream';
import type { PostgresEventStore } from './postgres-event-store';

export interface EventSourcedRepositoryOptions<Command, Event extends EventData, State> {
  store: PostgresEventStore;
  decider: Decider<Command, Event, State>;
  /** What kind of aggregate the streams are, e.g. `CustomerAccount`. */
  streamType: string;
  snapshots?: SnapshotPolicy<State>;
  /** How often a command is decided again after a conflict before the conflict is thrown (default 10). */
  maxConflictRetries?: number;
}

export interface Loaded<State> {
  state: State;
  /** The stream version the state was folded up to (0: no events). */
  version: number;
  /** Whether a snapshot was used. */
  fromSnapshot: boolean;
}

export interface Handled<Event extends EventData, State> extends Loaded<State> {
  /** The events the command appended (none if it decided nothing happened). */
  events: RecordedEvent<Event>[];
  /** How many times another append came first and the command was decided again. */
  conflicts: number;
}

export interface HandleOptions<Event extends EventData> {
  metadata?: EventMetadata;
  /** Runs in the transaction after a successful append of at least one event: outbox rows, projections. */
  onAppended?: (events: RecordedEvent<Event>[], manager: EntityManager) => Promise<void>;
}

export class EventSourcedRepository<Command, Event extends EventData, State> {
  private readonly maxConflictRetries: number;

  constructor(private readonly options: EventSourcedRepositoryOptions<Command, Event, State>) {
    this.maxConflictRetries = options.maxConflictRetries ?? 10;
  }

  /**
   * The aggregate's current state, from its snapshot (if the policy can read it) and the events after it.
   * With `toVersion` or `asOf`: the state as it was then (time travel); a snapshot is used only if it is
   * not newer than `toVersion`, and never with `asOf`.
   */
  async load(
    manager: EntityManager,
    streamId: string,
    at: Pick<ReadStreamOptions, 'toVersion' | 'asOf'> = {},
  ): Promise<Loaded<State>> {
    const { store, decider, snapshots } = this.options;
    let state = decider.initialState();
    let version = 0;
    let fromSnapshot = false;
    if (snapshots && at.asOf === undefined) {
      const stored = await store.loadSnapshot(manager, streamId);
      if (stored && (at.toVersion === undefined || stored.version <= at.toVersion)) {
        const restored = stateFromSnapshot(snapshots, stored.state, stored.schemaVersion);
        if (restored !== undefined) {
          state = restored;
          version = stored.version;
          fromSnapshot = true;
        }
      }
    }
    const events = await store.readStream<Event>(manager, streamId, { ...at, fromVersion: version + 1 });
    state = fold(
      decider,
      events.map((e) => ({ type: e.type, data: e.data }) as Event),
      state,
    );
    return { state, version: events.at(-1)?.version ?? version, fromSnapshot };
  }

  /** Decides `command` against the current state and appends what it decided; see the file comment. */
  async handle(
    manager: EntityManager,
    streamId: string,
    command: Command,
    options: HandleOptions<Event> = {},
  ): Promise<Handled<Event, State>> {
    const { store, decider, snapshots, streamType } = this.options;
    for (let conflicts = 0; ; conflicts += 1) {
      const loaded = await this.load(manager, streamId);
      const decided = decider.decide(command, loaded.state);
      if (decided.length === 0) return { ...loaded, events: [], conflicts };
      try {
        const appended = await store.append(manager, streamId, decided, {
          expectedVersion: loaded.version,
          streamType,
          metadata: options.metadata,
        });
        const state = fold(decider, decided, loaded.state);
        if (snapshots && snapshotDue(loaded.version, appended.version, snapshots.every)) {
          await store.saveSnapshot(manager, streamId, {
            version: appended.version,
            schemaVersion: snapshots.schemaVersion,
            state: snapshots.toJson ? snapshots.toJson(state) : state,
          });
        }
        await options.onAppended?.(appended.events, manager);
        return {
          state,
          version: appended.version,
          fromSnapshot: loaded.fromSnapshot,
          events: appended.events,
          conflicts,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || conflicts >= this.maxConflictRetries)
          throw error;
      }
    }
  }
}
