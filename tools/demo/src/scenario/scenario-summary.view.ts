/**
 * Turns a scenario's facts into the text the demo prints: the summary tables and one order's timeline.
 * Pure (a result in, text out), so the format is unit-tested without a running stack.
 */
import { DEAD_LETTER_HEADERS, HEADERS } from '@orderstream/messaging';
import { shortType, type RecordedEvent } from './event.recorder';
import {
  euros,
  isSystemDeadLetterTopic,
  type OrderResult,
  type ScenarioResult,
  type StackState,
} from './scenario.runner';
import type { NotificationsReport } from './notifications.report';
import type { ReadModelReport } from './read-model.report';
import { renderTable, type Cell } from './text-table';

/** Rows of the outcome table in the order a reader follows the saga. */
const OUTCOME_ORDER = [
  'CONFIRMED',
  'CANCELLED customer',
  'CANCELLED out-of-stock',
  'CANCELLED deadline',
  'REJECTED insufficient-credit',
  'REJECTED unknown-customer',
  'REFUSED stock-unavailable',
  'PENDING',
  'NOT PLACED',
];

export function renderSummary(result: ScenarioResult): string {
  const seconds = ((result.finishedAt.getTime() - result.startedAt.getTime()) / 1000).toFixed(1);
  return [
    `\nScenario ${result.runId}: ${result.orders.length} orders in ${seconds} s${result.rerun ? ' (on a stack that had run orders before)' : ''}.`,
    '\nOrders by final state',
    renderOutcomes(result.orders),
    "\nCompensations (events of this run's orders, as published)",
    renderCompensations(result),
    '\nDead letters',
    renderDeadLetters(result),
    `\nConsumer lag (end offset − committed offset; — = the group does not read the topic)${result.lagSettled ? '' : ' — still settling after 30 s'}`,
    renderLag(result),
    ...(result.readModel
      ? [
          "\nRead model (order-history, GET /order-views/{id}: the CQRS side, not orders' tables)",
          renderReadModel(result.readModel),
        ]
      : []),
    ...(result.notifications
      ? [
          '\nNotifications (notifications, GET /orders/{id}/notifications: one per order and final state, by the instance that sent it)',
          renderNotifications(result.notifications),
        ]
      : []),
    ...(result.tracing
      ? [
          '\nTrace context (the W3C traceparent header on the records this run wrote; docs/tracing.md)',
          renderTracing(result.tracing, result.poison.message.traceId),
        ]
      : []),
    '\nCredit and stock available (GET /customers/{id} on payments, GET /stock on inventory)',
    renderStackState(result.before, result.after),
  ].join('\n');
}

export function renderTracing(
  tracing: NonNullable<ScenarioResult['tracing']>,
  poisonTraceId: string | undefined,
): string {
  const line = `  ${tracing.traced} of ${tracing.records} records carry a traceparent.`;
  const missing =
    tracing.untraced.length > 0
      ? `\n  Without one: ${tracing.untraced.join(', ')}${tracing.records - tracing.traced > tracing.untraced.length ? ', …' : ''}`
      : '';
  const poison = poisonTraceId
    ? `\n  The poison message's trace (its failed attempts and dead letters): ${poisonTraceId}`
    : '';
  return `${line}${missing}${poison}`;
}

export function renderOutcomes(orders: readonly OrderResult[]): string {
  const rows = new Map<string, { count: number; planned: Map<string, number> }>();
  for (const order of orders) {
    const key =
      order.reason && order.status !== 'CONFIRMED' ? `${order.status} ${order.reason}` : order.status;
    const row = rows.get(key) ?? { count: 0, planned: new Map<string, number>() };
    row.count++;
    row.planned.set(order.planned.path, (row.planned.get(order.planned.path) ?? 0) + 1);
    rows.set(key, row);
  }
  const rank = (key: string) =>
    OUTCOME_ORDER.includes(key) ? OUTCOME_ORDER.indexOf(key) : OUTCOME_ORDER.length;
  const body: Cell[][] = [...rows]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([key, row]) => {
      const [status = key, ...reason] = key.split(' ');
      const planned = [...row.planned].map(([path, n]) => `${path} ×${n}`).join(', ');
      return [status, reason.join(' ') || '—', row.count, planned];
    });
  body.push(['total', '', orders.length, '']);
  const failed = orders.filter((o) => o.error !== undefined);
  const table = renderTable(['state', 'reason', 'orders', 'planned as'], body, {
    align: ['left', 'left', 'right', 'left'],
  });
  if (failed.length === 0) return table;
  const examples = [...new Set(failed.map((o) => o.error))].slice(0, 3).join('; ');
  return `${table}\n  ${failed.length} order(s) hit an unexpected answer: ${examples}`;
}

function renderCompensations(result: ScenarioResult): string {
  const { refunds, releases, settled } = result.compensations;
  const rows: Cell[][] = [...refunds].sort().map(([reason, n]) => [`PaymentRefunded, reason ${reason}`, n]);
  rows.push(['StockReleased', releases]);
  const table = renderTable(['compensation', 'count'], rows, { align: ['left', 'right'] });
  // An order cancelled out of stock is refunded once, but two events ask for it (StockRejected, then the
  // OrderCancelled it causes); the first to reach payments names the reason, so the split varies by run.
  const why =
    refunds.size > 1
      ? '\n  (one refund per order; its reason is whichever request reached payments first: an order cancelled out of stock asks twice)'
      : '';
  return settled
    ? `${table}${why}`
    : `${table}${why}\n  (some compensations were still in flight after 60 s)`;
}

function renderDeadLetters(result: ScenarioResult): string {
  const system = result.deadLetters.filter((d) => isSystemDeadLetterTopic(d.topic));
  const others = result.deadLetters.filter((d) => !isSystemDeadLetterTopic(d.topic));
  const rows: Cell[][] = system.map((d) => [d.topic, d.before, d.after, d.after - d.before]);
  if (others.length > 0) {
    const before = others.reduce((sum, d) => sum + d.before, 0);
    const after = others.reduce((sum, d) => sum + d.after, 0);
    rows.push([`${others.length} other groups' *.dlt (tests?)`, before, after, after - before]);
  }
  const table = renderTable(['topic', 'records before', 'after', 'new this run'], rows, {
    align: ['left', 'right', 'right', 'right'],
  });
  const { message, deadLetter } = result.poison;
  const origin = `${message.topic}[${message.metadata.partition}]@${message.metadata.offset}`;
  if (!deadLetter) return `${table}\n  The poison message ${origin} was not seen on a dead-letter topic.`;
  const h = deadLetter.headers;
  return (
    `${table}\n  The poison message ${origin} → ${deadLetter.topic}[${deadLetter.partition}]@${deadLetter.offset}: ` +
    `group ${h[DEAD_LETTER_HEADERS.consumerGroup] ?? '?'}, ${h[DEAD_LETTER_HEADERS.reason] ?? '?'}, ` +
    `${h[DEAD_LETTER_HEADERS.errorCode] ?? '?'} after ${h[DEAD_LETTER_HEADERS.attempts] ?? '?'} attempt(s)\n` +
    `    ${h[DEAD_LETTER_HEADERS.errorMessage] ?? ''}\n` +
    `    Look at it: npm run ops -- dlt show ${deadLetter.topic}:${deadLetter.partition}:${deadLetter.offset} ` +
    `(or in the ops console; docs/operations.md)`
  );
}

export function renderReadModel(report: ReadModelReport): string {
  const table = renderTable(
    ['orders placed', 'views', 'state as orders says', 'timeline events'],
    [[report.orders, report.views, report.agreeing, report.events]],
    { align: ['right', 'right', 'right', 'right'] },
  );
  return report.settled ? table : `${table}\n  (some views had not caught up after 30 s)`;
}

export function renderNotifications(report: NotificationsReport): string {
  const rows: Cell[][] = [...report.byInstance]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([instance, count]) => [instance, count]);
  rows.push(['total', [...report.byInstance.values()].reduce((sum, n) => sum + n, 0)]);
  const table = renderTable(['instance', 'notifications sent'], rows, { align: ['left', 'right'] });
  const summary = `  ${report.notified} of ${report.owed} ended orders notified of their final state; ${report.duplicates} duplicate(s)`;
  return `${table}\n${summary}${report.settled ? '' : ' (some had not been sent after 30 s)'}`;
}

function renderLag(result: ScenarioResult): string {
  const topics = [...new Set(result.lag.map((l) => l.topic))];
  const groups = [...new Set(result.lag.map((l) => l.group))];
  const rows: Cell[][] = groups.map((group) => [
    group,
    ...topics.map((topic) => {
      const lag = result.lag.find((l) => l.group === group && l.topic === topic)?.lag;
      return lag === undefined ? '—' : String(lag);
    }),
  ]);
  return renderTable(['group', ...topics], rows, { align: ['left', ...topics.map(() => 'right' as const)] });
}

function renderStackState(before: StackState, after: StackState): string {
  const rows: Cell[][] = [];
  for (const credit of before.credit) {
    const now = after.credit.find((c) => c.customerId === credit.customerId);
    rows.push([credit.customerId, euros(credit.availableCents), now ? euros(now.availableCents) : '?']);
  }
  for (const stock of before.stock) {
    const now = after.stock.find((s) => s.sku === stock.sku);
    rows.push([stock.sku, `${stock.available} units`, now ? `${now.available} units` : '?']);
  }
  return renderTable(['', 'before', 'after'], rows, { align: ['left', 'right', 'right'] });
}

/**
 * One order's events across the services in the order they happened (`ce_time`, stamped when the
 * service's transaction wrote the event to its outbox), with where each one landed and what caused it.
 * "on Kafka" is the record's timestamp: when the relay published it.
 */
export function renderTimeline(order: OrderResult, events: readonly RecordedEvent[]): string {
  const title = `\nTimeline of order ${order.orderId ?? '?'} (${order.planned.customerId}; ${order.status}${order.reason ? `, ${order.reason}` : ''})`;
  if (events.length === 0) return `${title}\n  (no events seen)`;
  const sorted = [...events].sort(
    (a, b) => timeOf(a) - timeOf(b) || a.timestamp - b.timestamp || a.topic.localeCompare(b.topic),
  );
  const start = timeOf(sorted[0] as RecordedEvent);
  const typeById = new Map(sorted.map((e) => [e.headers[HEADERS.id], shortType(e.headers[HEADERS.type])]));
  const rows: Cell[][] = sorted.map((e) => {
    const causation = e.headers[HEADERS.causationId];
    return [
      new Date(timeOf(e)).toISOString().slice(11, 23),
      `+${timeOf(e) - start} ms`,
      `+${e.timestamp - start} ms`,
      shortType(e.headers[HEADERS.type]),
      e.headers[HEADERS.source] ?? '?',
      `${e.topic}[${e.partition}]@${e.offset}`,
      causation ? (typeById.get(causation) ?? causation) : '— (HTTP or deadline)',
    ];
  });
  const table = renderTable(
    [
      'ce_time (UTC)',
      'since first',
      'on Kafka',
      'event (ce_type)',
      'service (ce_source)',
      'topic[partition]@offset',
      'caused by',
    ],
    rows,
    { align: ['left', 'right', 'right', 'left', 'left', 'left', 'left'] },
  );
  return `${title}\n${table}`;
}

function timeOf(event: RecordedEvent): number {
  const time = Date.parse(event.headers[HEADERS.time] ?? '');
  return Number.isNaN(time) ? event.timestamp : time;
}
