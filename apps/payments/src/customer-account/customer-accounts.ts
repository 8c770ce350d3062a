/**
 * Customer accounts, event-sourced. Everything runs in the caller's transaction (the message handler's,
 * under effectively-once): the account's events, the `customer_accounts` projection, the payment row and
 * the outbox rows commit together with the inbox row, or not at all.
 *
 * - The stream `CustomerAccount-<customerId>` is the account. Its events are appended with the version it
 *   was loaded at; when another authorization of the same customer came first, the command is decided
 *   again against the newer balance (EventSourcedRepository), so concurrent authorizations never overspend
 *   and none is lost.
 * - `customer_accounts` is a projection: written from the new state in the appending transaction, and
 *   rebuildable from the streams (`rebuildProjection`).
 * - A row of `customer_accounts` with no stream is an account from before event sourcing (the import
 *   migration opened a stream for every row there was; a row written into the table directly since, by a
 *   test or a seed script, has none). It is imported on first use: `AccountOpened` with its limit and its
 *   reserved balance, then the command.
 */
import { Injectable } from '@nestjs/common';
import { WrongExpectedVersionError, type EventMetadata } from '@orderstream/event-store';
import { EventSourcedRepository, PostgresEventStore, type Loaded } from '@orderstream/event-store/postgres';
import type { PaymentRefundReason } from '@orderstream/contracts';
import type { EntityManager } from 'typeorm';
import {
  CUSTOMER_ACCOUNT_STREAM,
  customerAccount,
  customerAccountSnapshots,
  customerAccountStream,
  type CustomerAccountCommand,
  type CustomerAccountEvent,
  type CustomerAccountState,
} from './customer-account.decider';

export type ReservationOutcome =
  | { kind: 'reserved'; state: CustomerAccountState }
  | { kind: 'declined'; availableCents: number }
  | { kind: 'unknown-customer' };

/** Where in its history to read an account: a version of its stream, or an instant. */
export type AccountAt = { toVersion: number } | { asOf: Date };

@Injectable()
export class CustomerAccounts {
  readonly store = new PostgresEventStore();
  private readonly repository = new EventSourcedRepository({
    store: this.store,
    decider: customerAccount,
    streamType: CUSTOMER_ACCOUNT_STREAM,
    snapshots: customerAccountSnapshots,
    // Every authorization of one customer can meet every other one in flight: up to one per partition.
    maxConflictRetries: 20,
  });

  /** Reserves `amountCents` for the order if the customer's available credit covers it. */
  async reserve(
    manager: EntityManager,
    customerId: string,
    orderId: string,
    amountCents: number,
    metadata: EventMetadata,
  ): Promise<ReservationOutcome> {
    const handled = await this.handle(
      manager,
      customerId,
      { type: 'ReserveCredit', orderId, amountCents },
      metadata,
    );
    if (!handled) return { kind: 'unknown-customer' };
    // A reservation decides exactly one event: CreditReserved, or CreditDeclined with what was available.
    const [decided] = handled.events;
    if (decided?.type === 'CreditDeclined') {
      const { availableCents } = decided.data as Extract<
        CustomerAccountEvent,
        { type: 'CreditDeclined' }
      >['data'];
      return { kind: 'declined', availableCents };
    }
    return { kind: 'reserved', state: handled.state };
  }

  /**
   * Gives `amountCents` of the order back. The account must exist and hold at least that much reserved:
   * anything else is a data bug (InvariantViolatedError), never retried.
   */
  async release(
    manager: EntityManager,
    customerId: string,
    orderId: string,
    amountCents: number,
    reason: PaymentRefundReason,
    metadata: EventMetadata,
  ): Promise<CustomerAccountState | undefined> {
    const handled = await this.handle(
      manager,
      customerId,
      { type: 'ReleaseCredit', customerId, orderId, amountCents, reason },
      metadata,
    );
    return handled?.state;
  }

  /** The account now (from its snapshot and the events after it), or as it was at a version or instant. */
  async load(
    manager: EntityManager,
    customerId: string,
    at?: AccountAt,
  ): Promise<Loaded<CustomerAccountState>> {
    return this.repository.load(manager, customerAccountStream(customerId), at ?? {});
  }

  /**
   * Empties `customer_accounts` and writes it again from the streams: the projection is a function of the
   * events. A row with no stream (written into the table directly) is imported first, so nothing is lost.
   * Returns how many accounts it wrote.
   */
  async rebuildProjection(manager: EntityManager): Promise<number> {
    const unimported = (await manager.query(
      `SELECT customer_id FROM customer_accounts a
        WHERE NOT EXISTS (SELECT 1 FROM event_store_streams s WHERE s.stream_id = $1 || '-' || a.customer_id)`,
      [CUSTOMER_ACCOUNT_STREAM],
    )) as { customer_id: string }[];
    for (const { customer_id: customerId } of unimported) {
      await this.importLegacyRow(manager, customerId, { importedBy: 'rebuildProjection' });
    }
    await manager.query('DELETE FROM customer_accounts');
    const streams = (await manager.query(
      'SELECT stream_id FROM event_store_streams WHERE stream_type = $1 ORDER BY stream_id',
      [CUSTOMER_ACCOUNT_STREAM],
    )) as { stream_id: string }[];
    for (const { stream_id: streamId } of streams) {
      const { state } = await this.repository.load(manager, streamId);
      if (state.open) await project(manager, state);
    }
    return streams.length;
  }

  /**
   * The command against the account's stream, the projection updated after it; undefined for a customer
   * with neither a stream nor a row of before event sourcing.
   */
  private async handle(
    manager: EntityManager,
    customerId: string,
    command: CustomerAccountCommand,
    metadata: EventMetadata,
  ) {
    const stream = customerAccountStream(customerId);
    let handled = await this.repository.handle(manager, stream, command, { metadata });
    if (handled.version === 0) {
      if (!(await this.importLegacyRow(manager, customerId, metadata))) return undefined;
      handled = await this.repository.handle(manager, stream, command, { metadata });
    }
    if (handled.events.some((e) => changesBalance(e.type))) await project(manager, handled.state);
    return handled;
  }

  /** Opens the stream of an account that exists only as a row of `customer_accounts`; false if none. */
  private async importLegacyRow(
    manager: EntityManager,
    customerId: string,
    metadata: EventMetadata,
  ): Promise<boolean> {
    const rows = (await manager.query(
      `SELECT credit_limit_cents::text AS "limit", reserved_cents::text AS reserved
         FROM customer_accounts WHERE customer_id = $1`,
      [customerId],
    )) as { limit: string; reserved: string }[];
    const row = rows[0];
    if (!row) return false;
    try {
      await this.repository.handle(
        manager,
        customerAccountStream(customerId),
        {
          type: 'OpenAccount',
          customerId,
          creditLimitCents: Number(row.limit),
          reservedCents: Number(row.reserved),
        },
        { metadata: { ...metadata, importedFrom: 'customer_accounts' } },
      );
    } catch (error) {
      // Another transaction imported it first: its stream is what the command goes against.
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    return true;
  }
}

const changesBalance = (type: CustomerAccountEvent['type']): boolean => type !== 'CreditDeclined';

/** The projection's row of an account: written from the state the events led to. */
async function project(manager: EntityManager, state: CustomerAccountState): Promise<void> {
  await manager.query(
    `INSERT INTO customer_accounts (customer_id, credit_limit_cents, reserved_cents, updated_at)
     VALUES ($1, $2, $3, now())
     ON CONFLICT (customer_id) DO UPDATE
        SET credit_limit_cents = EXCLUDED.credit_limit_cents, reserved_cents = EXCLUDED.reserved_cents,
            updated_at = now()`,
    [state.customerId, state.creditLimitCents, state.reservedCents],
  );
}
