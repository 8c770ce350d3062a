/**
 * What the demo shows of notifications (a thin-event consumer and a work queue): whether every order of
 * the run that ended got exactly one notification for its final state, and which instance of the group
 * sent how many — read from notifications' own API (`GET /orders/{id}/notifications`).
 */
import { waitUntil } from './concurrency';
import type { OrderResult } from './scenario.runner';

export interface NotificationsReport {
  url: string;
  /** Orders of the run in a final state (CONFIRMED, REJECTED, CANCELLED): each is owed one notification. */
  owed: number;
  /** Of those, how many have a notification for their final state. */
  notified: number;
  /** Notifications beyond one per (order, state): must stay 0. */
  duplicates: number;
  /** Notifications sent, by the instance of the group that sent them. */
  byInstance: Map<string, number>;
  /** False when not every owed notification had been sent after the wait. */
  settled: boolean;
}

interface NotificationBody {
  orderState: string;
  instanceId: string;
}

async function notificationsOf(url: string, orderId: string): Promise<NotificationBody[] | undefined> {
  try {
    const response = await fetch(`${url}/orders/${orderId}/notifications`, {
      signal: AbortSignal.timeout(5_000),
    });
    return response.status === 200
      ? ((await response.json()) as { items: NotificationBody[] }).items
      : undefined;
  } catch {
    return undefined;
  }
}

const FINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED'];

/** Waits (up to `timeoutMs`) for one notification per ended order of the run, then counts them. */
export async function awaitNotifications(
  url: string,
  orders: readonly OrderResult[],
  timeoutMs = 30_000,
): Promise<NotificationsReport> {
  const ended = orders.filter(
    (o): o is OrderResult & { orderId: string } => o.orderId !== undefined && FINAL.includes(o.status),
  );
  let report: NotificationsReport = {
    url,
    owed: ended.length,
    notified: 0,
    duplicates: 0,
    byInstance: new Map(),
    settled: false,
  };
  const settled = await waitUntil(
    async () => {
      const sent = await Promise.all(ended.map((o) => notificationsOf(url, o.orderId)));
      const byInstance = new Map<string, number>();
      let notified = 0;
      let duplicates = 0;
      sent.forEach((items = [], i) => {
        for (const item of items) byInstance.set(item.instanceId, (byInstance.get(item.instanceId) ?? 0) + 1);
        // A customer-cancelled order was notified CONFIRMED first, then CANCELLED: one per state.
        const states = items.map((item) => item.orderState);
        duplicates += states.length - new Set(states).size;
        if (states.includes(ended[i]?.status ?? '')) notified += 1;
      });
      report = { url, owed: ended.length, notified, duplicates, byInstance, settled: false };
      return notified === ended.length;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return { ...report, settled };
}
