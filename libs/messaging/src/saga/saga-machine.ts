/**
 * The orchestrator's decisions, as pure functions of a saga instance and what happened: started, a reply
 * arrived, a deadline passed. Each returns the instance as it is now and the commands to send, which the
 * caller persists in one transaction with the commands' outbox rows (so a crash loses neither, and a
 * restarted orchestrator carries on from the persisted instance).
 *
 * A step's command id stays the same across its retries: the participant handles a command id once, and a
 * late reply to an earlier attempt completes the step like the reply to the last. A reply whose command id
 * is not the one the instance awaits (a duplicate, a reply to a finished step) changes nothing.
 *
 * A failure reply means the participant decided and did nothing, so the steps before it are undone. A
 * timeout means nobody knows: the participant may still act on the command. So a timed-out step is undone
 * too (its compensation first, then the earlier ones'): the compensation goes to the same participant as the
 * action, after it, and a participant that receives a command's compensation after the command (one key, one
 * partition, in order) undoes what the command did, or answers that there was nothing to undo.
 */
import type { SagaCommandSpec, SagaDefinition, SagaFailure, SagaStep } from './saga-definition';

export type SagaStatus =
  /** Running its steps forward. */
  | 'running'
  /** A step failed; undoing the completed ones, last first. */
  | 'compensating'
  /** Every step completed. */
  | 'completed'
  /** A step failed and every completed step was undone. */
  | 'compensated'
  /** A compensation ran out of retries: the saga needs an operator. */
  | 'stuck';

export const TERMINAL_SAGA_STATUSES: readonly SagaStatus[] = ['completed', 'compensated', 'stuck'];

export interface SagaInstance<D> {
  id: string;
  saga: string;
  status: SagaStatus;
  data: D;
  /** Index of the step running (or, compensating, of the step being undone). */
  step: number;
  /** The command id the instance awaits a reply to. */
  commandId: string;
  /** Sends of the current command so far (1 for the first). */
  attempt: number;
  /** When the current command times out, epoch ms; null once the saga ended. */
  deadline: number | null;
  /** Why it is compensating (or compensated, or stuck). */
  failure?: SagaFailure;
}

/** A command to send, with what the reply will be correlated by. */
export interface SagaCommand extends SagaCommandSpec {
  sagaId: string;
  commandId: string;
  step: string;
  participant: string;
  kind: 'action' | 'compensation';
  attempt: number;
}

/** What a transition did, for the caller to act on (the orders service confirms or cancels its order). */
export type SagaOutcome =
  | 'started'
  /** A step completed and the next one started. */
  | 'advanced'
  /** The last step completed. */
  | 'completed'
  /** A step failed (a failure reply, or its retries timed out): compensating, or compensated at once. */
  | 'failed'
  /** A command was sent again after its timeout. */
  | 'retried'
  /** A compensation was done and the next one started. */
  | 'compensating'
  /** The last compensation was done. */
  | 'compensated'
  /** A compensation ran out of retries. */
  | 'stuck'
  /** Nothing changed. */
  | 'unchanged';

export interface SagaTransition<D> {
  instance: SagaInstance<D>;
  commands: SagaCommand[];
  /** False when nothing changed (a duplicate or late reply, a deadline not yet due): nothing to persist. */
  changed: boolean;
  outcome: SagaOutcome;
}

export interface SagaReply {
  commandId: string;
  type: string;
  payload: unknown;
  /** The reply's own message id, if it has one: handed to `send`, so the next commands can name their cause. */
  messageId?: string;
}

/** Ids for new commands; a UUID generator in production, a counter in tests. */
export type NewId = () => string;

function actionOf<D>(instance: SagaInstance<D>, step: SagaStep<D>, attempt: number): SagaCommand {
  return {
    ...step.action(instance.data),
    sagaId: instance.id,
    commandId: instance.commandId,
    step: step.name,
    participant: step.participant,
    kind: 'action',
    attempt,
  };
}

function compensationOf<D>(instance: SagaInstance<D>, step: SagaStep<D>, attempt: number): SagaCommand {
  return {
    ...step.compensation!.command(instance.data, instance.failure),
    sagaId: instance.id,
    commandId: instance.commandId,
    step: step.name,
    participant: step.participant,
    kind: 'compensation',
    attempt,
  };
}

const unchanged = <D>(instance: SagaInstance<D>): SagaTransition<D> => ({
  instance,
  commands: [],
  changed: false,
  outcome: 'unchanged',
});

/** Starts the first step. */
export function startSaga<D>(
  definition: SagaDefinition<D>,
  id: string,
  data: D,
  now: number,
  newId: NewId,
): SagaTransition<D> {
  const first = definition.steps[0]!;
  const instance: SagaInstance<D> = {
    id,
    saga: definition.name,
    status: 'running',
    data,
    step: 0,
    commandId: newId(),
    attempt: 1,
    deadline: now + first.timeoutMs,
  };
  return { instance, commands: [actionOf(instance, first, 1)], changed: true, outcome: 'started' };
}

/** Moves on from step `from` (completed): the next step's action, or the end. */
function forwardFrom<D>(
  definition: SagaDefinition<D>,
  instance: SagaInstance<D>,
  from: number,
  now: number,
  newId: NewId,
): SagaTransition<D> {
  const nextIndex = from + 1;
  const next = definition.steps[nextIndex];
  if (!next) {
    return {
      instance: { ...instance, status: 'completed', deadline: null, attempt: 0 },
      commands: [],
      changed: true,
      outcome: 'completed',
    };
  }
  const moved: SagaInstance<D> = {
    ...instance,
    step: nextIndex,
    commandId: newId(),
    attempt: 1,
    deadline: now + next.timeoutMs,
  };
  return { instance: moved, commands: [actionOf(moved, next, 1)], changed: true, outcome: 'advanced' };
}

/**
 * Undoes the steps before `below`, last first, skipping steps with nothing to undo. `outcome` says why:
 * `failed` when a step has just failed, `compensating` when a compensation has just been done.
 */
function compensateBelow<D>(
  definition: SagaDefinition<D>,
  instance: SagaInstance<D>,
  below: number,
  now: number,
  newId: NewId,
  outcome: 'failed' | 'compensating',
): SagaTransition<D> {
  for (let i = below - 1; i >= 0; i--) {
    const step = definition.steps[i]!;
    if (!step.compensation) continue;
    const moved: SagaInstance<D> = {
      ...instance,
      status: 'compensating',
      step: i,
      commandId: newId(),
      attempt: 1,
      deadline: now + step.compensation.timeoutMs,
    };
    return { instance: moved, commands: [compensationOf(moved, step, 1)], changed: true, outcome };
  }
  return {
    instance: { ...instance, status: 'compensated', deadline: null, attempt: 0 },
    commands: [],
    changed: true,
    outcome: outcome === 'failed' ? 'failed' : 'compensated',
  };
}

/** A reply from a participant. */
export function onSagaReply<D>(
  definition: SagaDefinition<D>,
  instance: SagaInstance<D>,
  reply: SagaReply,
  now: number,
  newId: NewId,
): SagaTransition<D> {
  if (TERMINAL_SAGA_STATUSES.includes(instance.status) || reply.commandId !== instance.commandId)
    return unchanged(instance);
  const step = definition.steps[instance.step]!;
  if (instance.status === 'running') {
    if (step.successOn.includes(reply.type)) {
      const data = step.onSuccess ? step.onSuccess(instance.data, reply) : instance.data;
      return forwardFrom(definition, { ...instance, data }, instance.step, now, newId);
    }
    if (step.failureOn.includes(reply.type)) {
      const failed = { ...instance, failure: { step: step.name, reason: reply.type } };
      return compensateBelow(definition, failed, instance.step, now, newId, 'failed');
    }
    return unchanged(instance);
  }
  // compensating
  if (step.compensation?.doneOn.includes(reply.type))
    return compensateBelow(definition, instance, instance.step, now, newId, 'compensating');
  return unchanged(instance);
}

/** The current command's deadline passed (or not yet: then nothing changes). */
export function onSagaDeadline<D>(
  definition: SagaDefinition<D>,
  instance: SagaInstance<D>,
  now: number,
  newId: NewId,
): SagaTransition<D> {
  if (instance.deadline === null || now < instance.deadline) return unchanged(instance);
  const step = definition.steps[instance.step]!;
  if (instance.status === 'running') {
    if (instance.attempt <= step.retries) {
      const retried = { ...instance, attempt: instance.attempt + 1, deadline: now + step.timeoutMs };
      return {
        instance: retried,
        commands: [actionOf(retried, step, retried.attempt)],
        changed: true,
        outcome: 'retried',
      };
    }
    // The participant may still act on the command: undo this step too, not only the ones before it.
    const failed = { ...instance, failure: { step: step.name, reason: 'timeout' } };
    return compensateBelow(definition, failed, instance.step + 1, now, newId, 'failed');
  }
  const compensation = step.compensation!;
  if (instance.attempt <= compensation.retries) {
    const retried = { ...instance, attempt: instance.attempt + 1, deadline: now + compensation.timeoutMs };
    return {
      instance: retried,
      commands: [compensationOf(retried, step, retried.attempt)],
      changed: true,
      outcome: 'retried',
    };
  }
  return {
    instance: {
      ...instance,
      status: 'stuck',
      deadline: null,
      failure: { step: step.name, reason: `compensation of ${step.name} timed out` },
    },
    commands: [],
    changed: true,
    outcome: 'stuck',
  };
}
