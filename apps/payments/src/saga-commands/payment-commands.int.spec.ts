/**
 * payments as a participant of the orchestrated saga (SAGA_MODE=orchestration), in-process against real
 * Kafka, registry and PostgreSQL: the orchestrator's commands arrive on payments.commands, and each reply
 * is the event payments publishes anyway, caused by the command (its causation id is the command id).
 */
import { randomUUID } from 'node:crypto';
import {
  authorizePaymentCommand,
  paymentAuthorizedEvent,
  paymentDeclinedEvent,
  paymentRefundedEvent,
  refundPaymentCommand,
} from '@orderstream/contracts';
import type { ServiceUnderTest } from '@orderstream/platform/testing';
import { uniqueName, waitFor } from '@orderstream/testing';
import { startPayments } from '../test/service-under-test';

describe('payments, orchestrated: commands and replies', () => {
  let service: ServiceUnderTest;

  beforeAll(async () => {
    service = await startPayments({ sagaMode: 'orchestration' });
  });
  afterAll(() => service?.close());

  async function customer(creditLimitCents: number): Promise<string> {
    const customerId = uniqueName('customer');
    await service.dataSource.query(
      'INSERT INTO customer_accounts (customer_id, credit_limit_cents) VALUES ($1, $2)',
      [customerId, creditLimitCents],
    );
    return customerId;
  }

  async function handled(ids: string[]): Promise<void> {
    await waitFor(async () => (await service.handledCount(ids)) === ids.length, {
      description: `payments to handle ${ids.length} command(s)`,
      timeoutMs: 60_000,
    });
  }

  /** Each outbox row of the order as [type, causation id, payload]. */
  async function replies(orderId: string) {
    return (await service.outboxEntriesOf(orderId)).map((row) => [
      row.type,
      row.headers['causation-id'],
      row.data,
    ]);
  }

  const authorize = (orderId: string, customerId: string, amountCents: number) => ({
    orderId,
    customerId,
    amountCents,
    currency: 'EUR',
    items: [{ sku: 'SKU-RED-MUG', quantity: 1 }],
  });

  it('authorizes, then refunds, each reply caused by its command', async () => {
    const customerId = await customer(10_000);
    const orderId = randomUUID();
    const authorized = await service.publisher.publish(
      authorizePaymentCommand,
      authorize(orderId, customerId, 1_200),
    );
    await handled([authorized.envelope.id]);
    const refund = await service.publisher.publish(refundPaymentCommand, {
      orderId,
      customerId,
      currency: 'EUR',
      reason: 'out-of-stock',
    });
    await handled([refund.envelope.id]);

    expect(await replies(orderId)).toEqual([
      [
        paymentAuthorizedEvent.type,
        authorized.envelope.id,
        { ...authorize(orderId, customerId, 1_200), items: [{ sku: 'SKU-RED-MUG', quantity: 1 }] },
      ],
      [
        paymentRefundedEvent.type,
        refund.envelope.id,
        { orderId, customerId, amountCents: 1_200, currency: 'EUR', reason: 'out-of-stock' },
      ],
    ]);
    const [account] = (await service.dataSource.query(
      'SELECT reserved_cents::int AS reserved FROM customer_accounts WHERE customer_id = $1',
      [customerId],
    )) as { reserved: number }[];
    expect(account).toEqual({ reserved: 0 });
  });

  it('answers a refund that finds nothing reserved with a refund of 0, and a second refund not at all', async () => {
    const customerId = await customer(500);
    const orderId = randomUUID();
    // Over the limit: declined. The orchestrator may still send the refund (the authorization timed out).
    const declined = await service.publisher.publish(
      authorizePaymentCommand,
      authorize(orderId, customerId, 1_200),
    );
    const refund = await service.publisher.publish(refundPaymentCommand, {
      orderId,
      customerId,
      currency: 'EUR',
      reason: 'order-cancelled',
    });
    await handled([declined.envelope.id, refund.envelope.id]);
    expect(await replies(orderId)).toEqual([
      [
        paymentDeclinedEvent.type,
        declined.envelope.id,
        { orderId, customerId, reason: 'insufficient-credit' },
      ],
      [
        paymentRefundedEvent.type,
        refund.envelope.id,
        { orderId, customerId, amountCents: 0, currency: 'EUR', reason: 'order-cancelled' },
      ],
    ]);

    // The same command again (same ce_id, a resend after a timeout): the inbox takes it once.
    await service.publisher.publish(
      refundPaymentCommand,
      { orderId, customerId, currency: 'EUR', reason: 'order-cancelled' },
      { id: refund.envelope.id },
    );
    // A refund of a payment that is REFUNDED already, under a new id: refused, no reply.
    const paid = randomUUID();
    const rich = await customer(10_000);
    const first = await service.publisher.publish(authorizePaymentCommand, authorize(paid, rich, 900));
    // One after the other: same key, same partition, so payments sees them in this order.
    const refunds = [];
    for (let n = 0; n < 2; n++) {
      refunds.push(
        await service.publisher.publish(refundPaymentCommand, {
          orderId: paid,
          customerId: rich,
          currency: 'EUR',
          reason: 'order-cancelled',
        }),
      );
    }
    await handled([first.envelope.id, ...refunds.map((r) => r.envelope.id)]);
    expect((await replies(paid)).map(([type, cause]) => [type, cause])).toEqual([
      [paymentAuthorizedEvent.type, first.envelope.id],
      [paymentRefundedEvent.type, refunds[0]?.envelope.id],
    ]);
    expect(await replies(orderId)).toHaveLength(2);
  });
});
