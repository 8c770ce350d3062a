/**
 * The orchestrator on PostgreSQL: each decision of the saga state machine (saga-machine.ts) is applied in
 * the caller's transaction: the instance row changes and the commands go to the outbox through `send`,
 * together or not at all. A crashed orchestrator loses nothing: a reply it had not handled is redelivered
 * and handled against the persisted row; a command whose reply never comes times out from the persisted
 * deadline, whichever process polls next.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../errors/application.error';
import type { SagaDefinition } from '../../saga/saga-definition';
import {
  onSagaDeadline,
  onSagaReply,
  startSaga,
  type NewId,
  type SagaCommand,
  type SagaInstance,
  type SagaReply,
  type SagaStatus,
  type SagaTransition,
} from '../../saga/saga-machine';

export interface SagaOrchestratorOptions<D> {
  definition: SagaDefinition<D>;
  /**
   * Writes one command in the caller's transaction (an outbox row, normally); `reply` is the reply that
   * led to it, if any (none for a start or a deadline).
   */
  send(manager: EntityManager, command: SagaCommand, reply?: SagaReply): Promise<void>;
  /**
   * Called in the same transaction after each change of an instance by a reply or a deadline (not by
   * `start`, whose caller acts itself): where the service acts on the saga's outcome (the orders service
   * confirms or cancels its order on `completed` and `failed`). `reply` is the reply that caused it, if any.
   */
  onTransition?(manager: EntityManager, transition: SagaTransition<D>, reply?: SagaReply): Promise<void>;
  /** Command ids; UUIDs by default. */
  newId?: NewId;
  /** The clock; `Date.now` by default. */
  now?: () => number;
}

interface Row {
  id: string;
  saga: string;
  status: SagaStatus;
  data: unknown;
  step: number;
  command_id: string;
  attempt: number;
  deadline: Date | null;
  failure: { step: string; reason: string } | null;
}

const COLUMNS = 'id, saga, status, data, step, command_id, attempt, deadline, failure';

function toInstance<D>(row: Row): SagaInstance<D> {
  return {
    id: row.id,
    saga: row.saga,
    status: row.status,
    data: row.data as D,
    step: row.step,
    commandId: row.command_id,
    attempt: row.attempt,
    deadline: row.deadline === null ? null : row.deadline.getTime(),
    ...(row.failure ? { failure: row.failure } : {}),
  };
}

export class PostgresSagaOrchestrator<D> {
  private readonly newId: NewId;
  private readonly now: () => number;

  constructor(private readonly options: SagaOrchestratorOptions<D>) {
    this.newId = options.newId ?? randomUUID;
    this.now = options.now ?? Date.now;
  }

  /** Starts an instance in the caller's transaction; a second start with the same id is a unique violation. */
  async start(manager: EntityManager, id: string, data: D): Promise<SagaInstance<D>> {
    const transition = startSaga(this.options.definition, id, data, this.now(), this.newId);
    const i = transition.instance;
    await manager.query(
      `INSERT INTO saga_instances (${COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9::jsonb)`,
      [i.id, i.saga, i.status, JSON.stringify(i.data), i.step, i.commandId, i.attempt, deadlineOf(i), null],
    );
    await this.sendAll(manager, transition);
    return i;
  }

  /**
   * Applies a participant's reply, correlated by its command id, in the caller's transaction. Resolves with
   * the transition, or undefined when no instance awaits that command (a duplicate or late reply).
   */
  async handleReply(manager: EntityManager, reply: SagaReply): Promise<SagaTransition<D> | undefined> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM saga_instances WHERE command_id = $1 AND saga = $2 FOR UPDATE`,
      [reply.commandId, this.options.definition.name],
    )) as Row[];
    const row = rows[0];
    if (!row) return undefined;
    const transition = onSagaReply(
      this.options.definition,
      toInstance<D>(row),
      reply,
      this.now(),
      this.newId,
    );
    await this.apply(manager, transition, reply);
    return transition;
  }

  /**
   * Handles up to `limit` instances whose deadline has passed, each in a transaction of its own; instances
   * another process is handling are skipped (SKIP LOCKED). Returns how many changed.
   */
  async processDeadlines(dataSource: DataSource, limit = 100): Promise<number> {
    let changed = 0;
    for (let i = 0; i < limit; i++) {
      const done = await dataSource.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT ${COLUMNS} FROM saga_instances
            WHERE saga = $1 AND deadline IS NOT NULL AND deadline <= $2
            ORDER BY deadline LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [this.options.definition.name, new Date(this.now())],
        )) as Row[];
        const row = rows[0];
        if (!row) return false;
        const transition = onSagaDeadline(
          this.options.definition,
          toInstance<D>(row),
          this.now(),
          this.newId,
        );
        await this.apply(manager, transition);
        if (transition.changed) changed++;
        return true;
      });
      if (!done) break;
    }
    return changed;
  }

  async load(manager: EntityManager, id: string): Promise<SagaInstance<D>> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM saga_instances WHERE id = $1`, [id])) as Row[];
    if (!rows[0]) throw new NotFoundError(`No saga instance ${id}`, { code: 'SAGA_NOT_FOUND' });
    return toInstance<D>(rows[0]);
  }

  private async apply(
    manager: EntityManager,
    transition: SagaTransition<D>,
    reply?: SagaReply,
  ): Promise<void> {
    if (!transition.changed) return;
    const i = transition.instance;
    await manager.query(
      `UPDATE saga_instances
          SET status = $2, data = $3::jsonb, step = $4, command_id = $5, attempt = $6, deadline = $7,
              failure = $8::jsonb, updated_at = now()
        WHERE id = $1`,
      [
        i.id,
        i.status,
        JSON.stringify(i.data),
        i.step,
        i.commandId,
        i.attempt,
        deadlineOf(i),
        i.failure ? JSON.stringify(i.failure) : null,
      ],
    );
    await this.sendAll(manager, transition, reply);
    await this.options.onTransition?.(manager, transition, reply);
  }

  private async sendAll(
    manager: EntityManager,
    transition: SagaTransition<D>,
    reply?: SagaReply,
  ): Promise<void> {
    for (const command of transition.commands) await this.options.send(manager, command, reply);
  }
}

function deadlineOf(instance: SagaInstance<unknown>): Date | null {
  return instance.deadline === null ? null : new Date(instance.deadline);
}
