/**
 * Given/when/then for deciders, with no database and no test framework (node:assert, so it works under
 * Jest, node:test or a script):
 *
 *   given(account, [opened('c-1', 100_00)])
 *     .when({ type: 'ReserveCredit', orderId: 'o-1', amountCents: 40_00 })
 *     .then([{ type: 'CreditReserved', data: { orderId: 'o-1', amountCents: 40_00 } }]);
 *
 *   given(account, []).when(reserve).thenThrows(NotFoundError);
 */
import { deepStrictEqual, fail } from 'node:assert/strict';
import { fold, type Decider } from './decider';
import type { EventData } from './stream';

export interface Given<Command, Event extends EventData, State> {
  /** The state the given events lead to. */
  readonly state: State;
  when(command: Command): When<Event, State>;
}

export interface When<Event extends EventData, State> {
  /** Asserts the command produced exactly these events, in order; returns the state after them. */
  then(expected: Event[]): State;
  /** Asserts the command was refused with an error of this class (and, if given, a message matching). */
  thenThrows(errorClass: abstract new (...args: never[]) => Error, message?: RegExp): Error;
}

export function given<Command, Event extends EventData, State>(
  decider: Decider<Command, Event, State>,
  events: Event[],
): Given<Command, Event, State> {
  const state = fold(decider, events);
  return {
    state,
    when(command) {
      let produced: Event[] | undefined;
      let thrown: unknown;
      try {
        produced = decider.decide(command, state);
      } catch (error) {
        thrown = error;
      }
      return {
        then(expected) {
          if (produced === undefined) fail(`expected events, but the command was refused: ${String(thrown)}`);
          deepStrictEqual(produced, expected);
          return fold(decider, produced, state);
        },
        thenThrows(errorClass, message) {
          if (produced !== undefined) {
            fail(`expected ${errorClass.name}, but the command produced ${JSON.stringify(produced)}`);
          }
          if (!(thrown instanceof errorClass)) {
            fail(`expected ${errorClass.name}, but the command threw ${String(thrown)}`);
          }
          if (message && !message.test(thrown.message)) {
            fail(`expected a message matching ${message}, got '${thrown.message}'`);
          }
          return thrown;
        },
      };
    },
  };
}
