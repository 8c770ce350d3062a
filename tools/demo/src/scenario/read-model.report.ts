/**
 * What the demo shows of the read model (order-history): whether every order of the run has its view, and
 * whether the view's state is the one orders answered — read from `GET /order-views/{id}`, the CQRS side,
 * never from orders' tables.
 */
import { waitUntil } from './concurrency';
import type { OrderResult } from './scenario.runner';

export interface ReadModelReport {
  url: string;
  /** Orders of the run that were placed (they have an id). */
  orders: number;
  /** Of those, how many have a view. */
  views: number;
  /** Of those, how many views are in the state orders reported. */
  agreeing: number;
  /** Events in the timeline of every view, summed. */
  events: number;
  /** False when the views had not all agreed after the wait. */
  settled: boolean;
}

interface OrderViewBody {
  state: string | null;
  eventCount: number;
}

async function viewOf(url: string, orderId: string): Promise<OrderViewBody | undefined> {
  try {
    const response = await fetch(`${url}/order-views/${orderId}`, { signal: AbortSignal.timeout(5_000) });
    return response.status === 200 ? ((await response.json()) as OrderViewBody) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (up to `timeoutMs`) for the views of the run's orders to reach the states orders reported. */
export async function awaitReadModel(
  url: string,
  orders: readonly OrderResult[],
  timeoutMs = 30_000,
): Promise<ReadModelReport> {
  const placed = orders.filter((o): o is OrderResult & { orderId: string } => o.orderId !== undefined);
  let report: ReadModelReport = {
    url,
    orders: placed.length,
    views: 0,
    agreeing: 0,
    events: 0,
    settled: false,
  };
  const settled = await waitUntil(
    async () => {
      const views = await Promise.all(placed.map((o) => viewOf(url, o.orderId)));
      report = {
        url,
        orders: placed.length,
        views: views.filter((v) => v !== undefined).length,
        agreeing: views.filter((v, i) => v !== undefined && v.state === placed[i]?.status).length,
        events: views.reduce((sum, v) => sum + (v?.eventCount ?? 0), 0),
        settled: false,
      };
      return report.agreeing === report.orders;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return { ...report, settled };
}
