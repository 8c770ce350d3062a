/**
 * An aggregate in the decide/evolve style: pure functions, no store and no framework.
 *
 * - `decide(command, state)` says what happened: the events a command produces against the current state,
 *   or an error (the messaging library's application errors say why no retry would help).
 * - `evolve(state, event)` applies one event to the state. Replaying a stream is a fold of `evolve`
 *   over its events from `initialState()`.
 *
 * Because both are pure, an aggregate is tested without a database (see `given` in testing.ts), and the
 * state at any point in the past is the fold of the events up to that point (time travel).
 */
import type { EventData } from './stream';

export interface Decider<Command, Event extends EventData, State> {
  initialState(): State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** The state after `events`, starting from `state` (the initial state by default). */
export function fold<Event extends EventData, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
  state: State = decider.initialState(),
): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}

/**
 * How an aggregate's state is snapshotted. A snapshot is a cache of the fold up to a version: loading
 * with or without snapshots must give the same state. Its `schemaVersion` says which shape of the state
 * it holds, so code that changed the shape never misreads an old snapshot: it upcasts it, or ignores it
 * and replays the stream from the start.
 */
export interface SnapshotPolicy<State> {
  /** A snapshot is written when an append takes the stream's version to or past a multiple of this. */
  every: number;
  /** The version of the state's shape this code writes. Raise it whenever the shape changes. */
  schemaVersion: number;
  /** The state as JSON (default: the state itself, which must then survive JSON). */
  toJson?(state: State): unknown;
  /** The state from the JSON of a snapshot of this `schemaVersion` (default: the JSON itself). */
  fromJson?(json: unknown): State;
  /**
   * The state from a snapshot written with another schema version; undefined to ignore the snapshot
   * (the stream is then replayed from the start). Without it, every other schema version is ignored.
   */
  upcast?(json: unknown, schemaVersion: number): State | undefined;
}

/** Whether an append from `before` to `after` crosses a snapshot boundary of `every`. */
export function snapshotDue(before: number, after: number, every: number): boolean {
  if (!Number.isInteger(every) || every < 1)
    throw new RangeError(`Snapshot interval must be ≥ 1, got ${every}`);
  return Math.floor(after / every) > Math.floor(before / every);
}

/** The state a stored snapshot holds, read under `policy`; undefined if it must be ignored. */
export function stateFromSnapshot<State>(
  policy: SnapshotPolicy<State>,
  json: unknown,
  schemaVersion: number,
): State | undefined {
  if (schemaVersion === policy.schemaVersion)
    return policy.fromJson ? policy.fromJson(json) : (json as State);
  return policy.upcast?.(json, schemaVersion);
}
