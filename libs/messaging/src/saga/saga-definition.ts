/**
 * An orchestrated saga as data: ordered steps, each an action (a command to one participant), the reply
 * events that complete or fail it, a compensation that undoes it when a later step fails, a timeout and a
 * retry budget. Pure types and a validator; the state machine is saga-machine.ts, the diagram
 * saga-diagram.ts, persistence the PostgreSQL entry.
 */
import { MessagingError } from '../errors/messaging.error';

/** A command as the orchestrator decides it: its type and payload; the service maps it to a contract. */
export interface SagaCommandSpec {
  /** The command's type, e.g. `orderstream.payments.AuthorizePayment`. */
  type: string;
  payload: unknown;
}

/** Why a saga compensates: the step that failed and the failure reply's type, or `timeout`. */
export interface SagaFailure {
  step: string;
  reason: string;
}

export interface SagaCompensation<D> {
  /** The command that undoes the step; `failure` is why the saga compensates (a refund's reason, say). */
  command(data: D, failure: SagaFailure | undefined): SagaCommandSpec;
  /** Reply event types that say it is undone. */
  doneOn: readonly string[];
  timeoutMs: number;
  /** How many times the compensation is sent again after a timeout. A compensation must succeed in the end. */
  retries: number;
}

export interface SagaStep<D> {
  /** Unique within the saga, PascalCase (`AuthorizePayment`): the diagram's state names. */
  name: string;
  /** The service that handles the step's commands (and owns their command topic). */
  participant: string;
  /** The command that asks the participant to act. */
  action(data: D): SagaCommandSpec;
  /** Reply event types that complete the step. */
  successOn: readonly string[];
  /** Reply event types that fail it: the participant decided, so no retry; compensation starts. */
  failureOn: readonly string[];
  /** Folds a success reply's payload into the saga's data (e.g. a payment id the compensation needs). */
  onSuccess?(data: D, reply: { type: string; payload: unknown }): D;
  /** Undoes the step once it succeeded, when a later step fails. Absent: nothing to undo. */
  compensation?: SagaCompensation<D>;
  /** How long the step waits for a reply before it sends the action again (or fails). */
  timeoutMs: number;
  /** How many times the action is sent again after a timeout; then the step fails with reason `timeout`. */
  retries: number;
}

export interface SagaDefinition<D> {
  /** The saga type, e.g. `order-fulfilment`: persisted with each instance. */
  name: string;
  steps: readonly SagaStep<D>[];
}

export class InvalidSagaDefinitionError extends MessagingError {
  readonly code = 'MESSAGING_SAGA_DEFINITION';
  readonly retriable = false;
}

/** Checks a definition once, at startup; throws `InvalidSagaDefinitionError` naming every problem. */
export function defineSaga<D>(definition: SagaDefinition<D>): SagaDefinition<D> {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name))
    problems.push(`saga name "${definition.name}" is not kebab-case`);
  if (definition.steps.length === 0) problems.push('a saga needs at least one step');
  const names = new Set<string>();
  for (const step of definition.steps) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(step.name)) problems.push(`step name "${step.name}" is not PascalCase`);
    if (names.has(step.name)) problems.push(`step name "${step.name}" is used twice`);
    names.add(step.name);
    if (step.successOn.length === 0) problems.push(`${step.name} has no success reply`);
    const overlap = step.successOn.filter((t) => step.failureOn.includes(t));
    if (overlap.length > 0) problems.push(`${step.name}: ${overlap.join(', ')} both completes and fails it`);
    for (const [what, ms, retries] of [
      ['timeout', step.timeoutMs, step.retries],
      ['compensation timeout', step.compensation?.timeoutMs ?? 1, step.compensation?.retries ?? 0],
    ] as const) {
      if (!Number.isInteger(ms) || ms <= 0)
        problems.push(`${step.name}'s ${what} must be a positive integer of ms`);
      if (!Number.isInteger(retries) || retries < 0)
        problems.push(`${step.name}'s retries must be 0 or more`);
    }
    if (step.compensation && step.compensation.doneOn.length === 0)
      problems.push(`${step.name}'s compensation has no reply that ends it`);
  }
  if (problems.length > 0)
    throw new InvalidSagaDefinitionError(`Saga ${definition.name}: ${problems.join('; ')}`);
  return definition;
}
