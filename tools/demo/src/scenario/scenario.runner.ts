/**
 * The demo scenario: a few hundred orders through the running services, with every outcome the saga has
 * (confirmed, declined, out of stock with refund, cancelled by the customer with release and refund) and
 * one poison message, then the facts for the summary. It talks to the system only the way a client and
 * an operator would: the services' HTTP APIs, the Kafka admin API, and a read-only look at the topics.
 *
 * Nothing here fails the demo: an order that does not settle in time or a service that answers
 * unexpectedly is counted and shown, because the point of the demo is to show what happened.
 */
import { randomUUID } from 'node:crypto';
import {
  paymentAuthorizedEvent,
  paymentRefundedEvent,
  stockReleasedEvent,
  stockReservedEvent,
  Topics,
} from '@orderstream/contracts';
import type { SagaMode } from '@orderstream/system';
import { type AdminPort } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { mapConcurrently, waitUntil } from './concurrency';
import { EventRecorder, typeOf, type RecordedEvent } from './event.recorder';
import {
  deadLetterTopics,
  fetchEndOffsets,
  measureLag,
  totalOf,
  type GroupTopicLag,
} from './kafka-state.report';
import { producePoisonMessage, POISON_GROUP, type PoisonMessage } from './poison.message';
import { ProgressBar, type ProgressOutput } from './progress-bar';
import { awaitNotifications, type NotificationsReport } from './notifications.report';
import { awaitReadModel, type ReadModelReport } from './read-model.report';
import {
  SagaApiClient,
  UnexpectedResponseError,
  type CustomerCredit,
  type OrderStatus,
  type OrderView,
  type PaymentView,
  type SagaApiUrls,
  type StockLevel,
} from './saga-api.client';
import { LIMITED_SKU, planScenario, type PlannedOrder } from './scenario-plan';

/** The saga's three topics, and the services' consumer groups (each named after its service). */
export const SAGA_TOPICS: readonly string[] = [Topics.orders, Topics.payments, Topics.inventory];

/** The saga's topics in a mode: orchestrated, the participants' command topics too. */
export function sagaTopics(mode: SagaMode): readonly string[] {
  return mode === 'orchestration'
    ? [...SAGA_TOPICS, Topics.paymentCommands, Topics.inventoryCommands]
    : SAGA_TOPICS;
}
export const SAGA_GROUPS: readonly string[] = ['orders', 'payments', 'inventory'];
/** The groups whose lag the summary shows (besides the read model's generations): the saga's and the rest. */
const LAG_GROUPS: readonly string[] = [...SAGA_GROUPS, 'notifications', 'orders-stock-replica'];
export const SAGA_DEAD_LETTER_TOPICS: readonly string[] = SAGA_GROUPS.map((group) => `${group}.dlt`);

/**
 * Whether a dead-letter topic belongs to a group of the system (the saga's, notifications', orders' stock
 * replica's, a read-model generation's), rather than to a test sharing the broker.
 */
export function isSystemDeadLetterTopic(topic: string): boolean {
  return LAG_GROUPS.some((group) => topic === `${group}.dlt`) || /^order-history\.g\d+\.dlt$/.test(topic);
}
export const DEMO_CUSTOMERS: readonly string[] = [
  'customer-1',
  'customer-2',
  'customer-3',
  'customer-4',
  'customer-5',
];

export interface ScenarioOptions {
  orders: number;
  /** How the services run the order saga; the default choreography. */
  sagaMode?: SagaMode;
  urls: SagaApiUrls;
  kafkaBrokers: string[];
  /** Where the progress bars go (process.stdout). */
  out: ProgressOutput;
  /** One line of narration. */
  say(line: string): void;
  /** Orders in flight at once. Default 25. */
  concurrency?: number;
  /**
   * How long one order may stay PENDING before the scenario stops waiting for it. Default 60 s: twice the
   * orders service's default saga deadline, after which the service cancels the order itself.
   */
  settleTimeoutMs?: number;
  /** order-history's URL: the summary then shows the read model's views of the run's orders. */
  readModelUrl?: string;
  /** notifications' URL: the summary then shows the notifications of the run's orders, per instance. */
  notificationsUrl?: string;
}

export interface OrderResult {
  planned: PlannedOrder;
  orderId?: string;
  /**
   * `PENDING` if it did not settle in time; `REFUSED` if orders answered 422 `stock-unavailable` (its
   * replica of the stock levels shows the SKU sold out: no saga started); `NOT PLACED` if the POST failed
   * otherwise.
   */
  status: OrderStatus | 'REFUSED' | 'NOT PLACED';
  /** The reason of the last status change (`customer`, `out-of-stock`, `insufficient-credit`, …). */
  reason: string | null;
  error?: string;
}

export interface StackState {
  credit: CustomerCredit[];
  stock: StockLevel[];
}

export interface ScenarioResult {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  before: StackState;
  after: StackState;
  /** True when this stack ran the scenario (or anything else) before: outcomes shift then. */
  rerun: boolean;
  orders: OrderResult[];
  /** Compensation events of this run's orders, by ce_type, and refund reasons from payments' API. */
  compensations: { refunds: Map<string, number>; releases: number; settled: boolean };
  poison: { message: PoisonMessage; deadLetter: RecordedEvent | undefined };
  deadLetters: { topic: string; before: number; after: number }[];
  lag: GroupTopicLag[];
  lagSettled: boolean;
  /** The read model's views of the run's orders, when `readModelUrl` was given. */
  readModel: ReadModelReport | undefined;
  /** The notifications of the run's ended orders, when `notificationsUrl` was given. */
  notifications: NotificationsReport | undefined;
  timeline: { order: OrderResult; events: RecordedEvent[] } | undefined;
  /**
   * The records this run wrote to the watched topics and how many carry a valid W3C `traceparent`, with
   * where the first few that do not are (docs/tracing.md: every one should).
   */
  tracing?: { records: number; traced: number; untraced: string[] };
}

const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

function tracingOf(events: readonly RecordedEvent[]): NonNullable<ScenarioResult['tracing']> {
  const untraced = events.filter((e) => !TRACEPARENT.test(e.headers['traceparent'] ?? ''));
  return {
    records: events.length,
    traced: events.length - untraced.length,
    untraced: untraced.slice(0, 5).map((e) => `${e.topic}[${e.partition}]@${e.offset}`),
  };
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const runId = randomUUID().slice(0, 8);
  const api = new SagaApiClient(options.urls);
  const client = createKafkaJsClient({
    brokers: options.kafkaBrokers,
    clientId: `orderstream-demo-${runId}`,
  });
  const admin = client.admin();
  await admin.connect();
  let recorder: EventRecorder | undefined;
  try {
    const startedAt = new Date();
    const before = await stackState(api);
    const rerun = isRerun(before);
    const dlts = await deadLetterTopics(admin);
    const since = await fetchEndOffsets(admin, dlts);
    const topics = sagaTopics(options.sagaMode ?? 'choreography');
    for (const [topic, offsets] of await fetchEndOffsets(admin, topics)) since.set(topic, offsets);
    // The saga topics and the saga groups' dead-letter topics; a shared broker may hold many more (tests).
    const watched = [...topics, ...dlts.filter((topic) => SAGA_DEAD_LETTER_TOPICS.includes(topic))];
    recorder = await EventRecorder.start({
      client,
      topics: watched,
      since,
      groupId: `orderstream-demo-recorder-${runId}`,
    });

    const plan = planScenario(options.orders);
    options.say(describeStart(plan.length, before, rerun));

    const poison = await producePoisonMessage(client, options.sagaMode);
    options.say(
      `Produced one poison message (${options.sagaMode === 'orchestration' ? 'AuthorizePayment' : 'OrderPlaced'} headers, bytes that are not Avro) to ${poison.topic}[${poison.metadata.partition}]@${poison.metadata.offset}.`,
    );

    await awaitStockReplica(api, options);
    const orders = await placeAll(api, plan, runId, options);

    const compensations = await awaitCompensations(api, recorder, orders, options);
    const deadLetter = await awaitDeadLetter(recorder, poison, options);

    const { lag, settled: lagSettled } = await awaitLag(admin, options);
    const readModel = options.readModelUrl ? await awaitReadModel(options.readModelUrl, orders) : undefined;
    const notifications = options.notificationsUrl
      ? await awaitNotifications(options.notificationsUrl, orders)
      : undefined;
    const after = await stackState(api);
    const afterDlts = await fetchEndOffsets(admin, await deadLetterTopics(admin));
    const deadLetters = [...afterDlts].map(([topic, offsets]) => ({
      topic,
      before: totalOf(since.get(topic)),
      after: totalOf(offsets),
    }));
    const timeline = pickTimeline(orders, recorder);
    const tracing = tracingOf(recorder.events());
    return {
      runId,
      startedAt,
      finishedAt: new Date(),
      before,
      after,
      rerun,
      orders,
      compensations,
      poison: { message: poison, deadLetter },
      deadLetters,
      lag,
      lagSettled,
      readModel,
      notifications,
      timeline,
      tracing,
    };
  } finally {
    await recorder?.stop().catch(() => undefined);
    await admin.disconnect();
  }
}

async function stackState(api: SagaApiClient): Promise<StackState> {
  const credit = await Promise.all(DEMO_CUSTOMERS.map((id) => api.getCustomer(id)));
  return {
    credit: credit.filter((c): c is CustomerCredit => c !== undefined),
    stock: await api.listStock(),
  };
}

/** Seeded data already used: credit reserved by earlier orders, or SKU-LIMITED below its 10 units. */
export function isRerun(state: StackState): boolean {
  const limited = state.stock.find((s) => s.sku === LIMITED_SKU);
  return state.credit.some((c) => c.reservedCents > 0) || (limited !== undefined && limited.available < 10);
}

function describeStart(count: number, before: StackState, rerun: boolean): string {
  const lines = [`\nRunning the scenario: ${count} orders, up to 25 in flight.`];
  if (rerun) {
    const limited = before.stock.find((s) => s.sku === LIMITED_SKU);
    const reserved = before.credit.reduce((sum, c) => sum + c.reservedCents, 0);
    lines.push(
      `  This stack has run orders before (its data lives until \`npm run infra:down\`): ${LIMITED_SKU} has ` +
        `${limited?.available ?? 0} of 10 units left and ${euros(reserved)} of the customers' credit is still ` +
        'reserved by confirmed orders. Outcomes shift accordingly: more out-of-stock refunds and, after a few ' +
        'runs, more insufficient-credit declines than on a fresh stack.',
    );
  }
  return lines.join('\n');
}

export function euros(cents: number): string {
  return `${(cents / 100).toFixed(2)} EUR`;
}

async function placeAll(
  api: SagaApiClient,
  plan: readonly PlannedOrder[],
  runId: string,
  options: ScenarioOptions,
): Promise<OrderResult[]> {
  const bar = new ProgressBar(options.out, 'Orders        ', plan.length);
  const tally = new Map<string, number>();
  const results = await mapConcurrently(plan, options.concurrency ?? 25, async (planned) => {
    const result = await runOrder(api, planned, runId, options.settleTimeoutMs ?? 60_000);
    const label = progressLabel(result);
    tally.set(label, (tally.get(label) ?? 0) + 1);
    bar.tick(1, [...tally].map(([status, n]) => `${status} ${n}`).join(', '));
    return result;
  });
  bar.finish();
  return results;
}

/**
 * Waits until orders' stock replica matches inventory's levels: inventory announces its stock when it
 * starts and the relay publishes it a moment later, and until orders has read it, it would refuse every
 * order for a SKU it does not know yet.
 */
async function awaitStockReplica(api: SagaApiClient, options: ScenarioOptions): Promise<void> {
  const levels = (rows: readonly { sku: string; available: number; version: number }[]) =>
    JSON.stringify(rows.map(({ sku, available, version }) => [sku, available, version]));
  const matched = await waitUntil(
    async () => {
      const stock = (await api.listStock()).filter((s) => !s.withdrawn);
      return levels(await api.listStockReplica()) === levels(stock);
    },
    { timeoutMs: 30_000 },
  );
  if (!matched)
    options.say("orders' stock replica still differs from inventory after 30 s; ordering anyway.");
}

/** orders' 422 for a SKU its stock replica shows withdrawn or sold out: an expected answer, not a failure. */
function isStockUnavailable(error: unknown): boolean {
  return (
    error instanceof UnexpectedResponseError &&
    error.status === 422 &&
    (error.body as { type?: unknown } | undefined)?.type === 'urn:orderstream:problem:stock-unavailable'
  );
}

function progressLabel(result: OrderResult): string {
  if (result.status === 'REFUSED') return 'refused (sold out)';
  if (result.status === 'CANCELLED')
    return result.reason === 'customer' ? 'cancelled by customer' : (result.reason ?? 'cancelled');
  if (result.status === 'REJECTED') return 'declined';
  return result.status.toLowerCase();
}

/** Places one order, waits for the saga to decide it, and cancels it if the plan says so. */
async function runOrder(
  api: SagaApiClient,
  planned: PlannedOrder,
  runId: string,
  settleTimeoutMs: number,
): Promise<OrderResult> {
  let order: OrderView;
  try {
    // One key per run and order: a retried POST within the run would get the same order back.
    order = await api.placeOrder(`demo-${runId}-${planned.index}`, {
      customerId: planned.customerId,
      items: planned.items,
    });
  } catch (error) {
    if (isStockUnavailable(error)) return { planned, status: 'REFUSED', reason: 'stock-unavailable' };
    return { planned, status: 'NOT PLACED', reason: null, error: describeError(error) };
  }
  try {
    const id = order.id;
    await waitUntil(
      async () => {
        order = await api.getOrder(id);
        return order.status !== 'PENDING';
      },
      { timeoutMs: settleTimeoutMs, intervalMs: 150 },
    );
    if (planned.cancelWhenConfirmed && order.status === 'CONFIRMED') {
      const cancelled = await api.cancelOrder(id);
      order = cancelled.cancelled ? cancelled.order : await api.getOrder(id);
    }
    return { planned, orderId: id, status: order.status, reason: lastReason(order) };
  } catch (error) {
    return {
      planned,
      orderId: order.id,
      status: order.status,
      reason: lastReason(order),
      error: describeError(error),
    };
  }
}

function lastReason(order: OrderView): string | null {
  return order.history[order.history.length - 1]?.reason ?? null;
}

function describeError(error: unknown): string {
  if (error instanceof UnexpectedResponseError) return `${error.request}: ${error.status}`;
  return (error as Error).message;
}

const PAYMENT_AUTHORIZED = paymentAuthorizedEvent.type;
const PAYMENT_REFUNDED = paymentRefundedEvent.type;
const STOCK_RESERVED = stockReservedEvent.type;
const STOCK_RELEASED = stockReleasedEvent.type;

function has(events: readonly RecordedEvent[], type: string): boolean {
  return events.some((e) => typeOf(e) === type);
}

/**
 * Waits until every cancelled order is compensated on the wire: a PaymentRefunded wherever a
 * PaymentAuthorized was published, a StockReleased wherever a StockReserved was. Counting published
 * events (not database rows) also proves the compensations made it through the outbox and the relay.
 */
async function awaitCompensations(
  api: SagaApiClient,
  recorder: EventRecorder,
  orders: readonly OrderResult[],
  options: ScenarioOptions,
): Promise<ScenarioResult['compensations']> {
  const cancelled = orders.filter((o) => o.status === 'CANCELLED' && o.orderId !== undefined);
  const owed = (o: OrderResult) => {
    const events = recorder.eventsOf(o.orderId ?? '');
    return (
      Number(has(events, PAYMENT_AUTHORIZED) && !has(events, PAYMENT_REFUNDED)) +
      Number(has(events, STOCK_RESERVED) && !has(events, STOCK_RELEASED))
    );
  };
  const total = () =>
    cancelled.reduce((sum, o) => {
      const events = recorder.eventsOf(o.orderId ?? '');
      return sum + Number(has(events, PAYMENT_AUTHORIZED)) + Number(has(events, STOCK_RESERVED));
    }, 0);
  const bar = new ProgressBar(options.out, 'Compensations ', total());
  let done = 0;
  const settled = await waitUntil(
    () => {
      const open = cancelled.reduce((sum, o) => sum + owed(o), 0);
      const now = total() - open;
      if (now > done) bar.tick(now - done, 'refunds and stock releases published');
      done = now;
      return open === 0;
    },
    { timeoutMs: 60_000 },
  );
  bar.finish(settled ? 'refunds and stock releases published' : 'gave up waiting after 60 s');

  // The reasons live in the Avro payload; payments' API has them too, and it is the state of record.
  const refunded = cancelled.filter((o) => has(recorder.eventsOf(o.orderId ?? ''), PAYMENT_REFUNDED));
  const payments = await mapConcurrently(refunded, 10, (o) => api.getPayment(o.orderId ?? ''));
  const refunds = new Map<string, number>();
  for (const payment of payments.filter((p): p is PaymentView => p !== undefined)) {
    const reason =
      payment.status === 'REFUNDED' ? (payment.reason ?? 'unknown') : `not refunded (${payment.status})`;
    refunds.set(reason, (refunds.get(reason) ?? 0) + 1);
  }
  const releases = cancelled.filter((o) => has(recorder.eventsOf(o.orderId ?? ''), STOCK_RELEASED)).length;
  return { refunds, releases, settled };
}

async function awaitDeadLetter(
  recorder: EventRecorder,
  poison: PoisonMessage,
  options: ScenarioOptions,
): Promise<RecordedEvent | undefined> {
  const deadLetterTopic = `${POISON_GROUP}.dlt`;
  const find = () => recorder.eventsOf(poison.key).find((e) => e.topic === deadLetterTopic);
  if (!(await waitUntil(() => find() !== undefined, { timeoutMs: 30_000 }))) {
    options.say(`The poison message did not reach ${deadLetterTopic} within 30 s.`);
  }
  return find();
}

/** Lag settles to zero shortly after the last event: groups commit in the background, on a cadence. */
async function awaitLag(
  admin: AdminPort,
  options: ScenarioOptions,
): Promise<{ lag: GroupTopicLag[]; settled: boolean }> {
  let lag: GroupTopicLag[] = [];
  options.say('Waiting for the consumer groups to commit everything…');
  const settled = await waitUntil(
    async () => {
      // The read model's groups are one per generation (`order-history.g<n>`): whichever run now.
      const readModelGroups = (await admin.listGroups())
        .map((g) => g.groupId)
        .filter((id) => /^order-history\.g\d+$/.test(id))
        .sort();
      lag = await measureLag(
        admin,
        [...LAG_GROUPS, ...readModelGroups],
        [...sagaTopics(options.sagaMode ?? 'choreography'), Topics.stockLevels],
      );
      return lag.every((row) => (row.lag ?? 0) === 0);
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  return { lag, settled };
}

/**
 * The order whose timeline is shown: one cancelled by its customer if there is one (it has both
 * compensations: stock released and payment refunded), else one cancelled for lack of stock (refunded).
 */
function pickTimeline(orders: readonly OrderResult[], recorder: EventRecorder): ScenarioResult['timeline'] {
  const candidates = [
    ...orders.filter((o) => o.status === 'CANCELLED' && o.reason === 'customer'),
    ...orders.filter((o) => o.status === 'CANCELLED' && o.reason === 'out-of-stock'),
    ...orders.filter((o) => o.status === 'CANCELLED'),
  ];
  const order = candidates.find((o) => o.orderId !== undefined);
  if (!order?.orderId) return undefined;
  const events = recorder
    .eventsOf(order.orderId)
    .filter((e) => SAGA_TOPICS.includes(e.topic) || e.topic.endsWith('.commands'));
  return { order, events: [...events] };
}
