/**
 * How long each retry stage actually waits, against the real broker, with the runner settings a service
 * gets by default (nothing tuned for the test): a message that always fails is tried on its source topic,
 * then on retry topic 1 after `delaysMs[0]`, on retry topic 2 after `delaysMs[1]`, then dead-lettered.
 *
 * Each delay is measured from the moment the handler threw to the moment it was called again, and must
 * lie in [policy, policy + TOLERANCE_MS]. Before the fix the first stage of a 1 s policy took about 5 s:
 * the held retry partition was resumed on time, but kafkajs sends the fetch that can include it only when
 * the long-poll in flight on the other partitions returns, and that waited the client's 5 s.
 */
import { createTestTopic, uniqueName, waitFor } from '@orderstream/testing';
import { HandlerError, on, subscribe, type EventDefinition, type RetryPolicy } from '../src';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

/** The runner's fetch wait (250 ms) plus a fetch round trip and the pipeline, with room for a loaded CI machine. */
const TOLERANCE_MS = 500;

const policy: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [1_000, 2_000] };

describe('retry stage timing', () => {
  let kit: MessagingKit;

  beforeAll(async () => {
    kit = await openMessagingKit('retry-timing');
  });

  afterAll(() => kit?.close());

  it('runs each retry stage after its policy delay, within the tolerance', async () => {
    const topic = await createTestTopic(kit.admin, 'retry-timing.orders', { partitions: 2 });
    const noted: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const groupId = uniqueName('retry-timing');
    const attempts = new Map<string, { attempt: number; calledAt: number; failedAt: number }[]>();
    const subscription = await subscribe({
      client: kit.client,
      groupId,
      routes: [
        on(noted, async (event, context) => {
          const calledAt = Date.now();
          const seen = attempts.get(event.data.orderId) ?? [];
          attempts.set(event.data.orderId, seen);
          seen.push({ attempt: context.message.attempt, calledAt, failedAt: Date.now() });
          throw new HandlerError('the dependency is down', { code: 'TEST_DEPENDENCY_DOWN' });
        }),
      ],
      delivery: 'at-least-once',
      retry: policy,
      codec: kit.codec,
      producer: kit.producer,
      admin: kit.admin,
    });
    kit.subscriptions.push(subscription);

    const orderIds = ['o-1', 'o-2', 'o-3'];
    for (const orderId of orderIds) {
      await kit.publisher.publish(noted, { orderId, amountCents: 100, note: null });
    }
    const tried = () => orderIds.every((id) => attempts.get(id)?.length === policy.delaysMs.length + 1);
    await waitFor(tried, {
      description: 'every message tried on its source and both retry topics',
      timeoutMs: 30_000,
    });

    const delays = orderIds.map((id) => {
      const seen = attempts.get(id) ?? [];
      expect(seen.map((a) => a.attempt)).toEqual([1, 2, 3]);
      return policy.delaysMs.map((_, stage) => {
        const failed = seen[stage] as { failedAt: number };
        const next = seen[stage + 1] as { calledAt: number };
        return next.calledAt - failed.failedAt;
      });
    });
    // Printed so a run shows the measured delays, not only that they passed.
    process.stderr.write(`retry stage delays (ms), per message: ${JSON.stringify(delays)}\n`);
    for (const perStage of delays) {
      perStage.forEach((delay, stage) => {
        const wanted = policy.delaysMs[stage] as number;
        expect(delay).toBeGreaterThanOrEqual(wanted);
        expect(delay).toBeLessThanOrEqual(wanted + TOLERANCE_MS);
      });
    }
  });
});
