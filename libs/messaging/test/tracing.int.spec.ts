/**
 * Trace context across the outbox, the relay and a consumer, against real PostgreSQL, Kafka and the
 * registry, with the OpenTelemetry SDK exporting to memory: an event written inside a span is published by
 * the relay in a send span that is its child, carrying that span's traceparent; the consumer's handler runs
 * in a process span that is the send span's child; and the event the handler writes carries the handler's
 * span, so the next hop continues the same trace.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import {
  createMigratedDatabase,
  createTestTopic,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import { on, subscribe, type ConsumedRecord, type EventDefinition, type RetryPolicy } from '../src';
import {
  entityManagerOf,
  messagingMigrations,
  OutboxWriter,
  PostgresInbox,
  SourceRelay,
} from '../src/postgres';
import { openMessagingKit, type MessagingKit } from './fixtures/messaging-kit';
import { orderNotedSchema, type OrderNoted } from './fixtures/order-noted.schema';

const exporter = new InMemorySpanExporter();
const retry: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [1_000] };

describe('tracing through outbox, relay and consumer', () => {
  const infra = testInfrastructure();
  let kit: MessagingKit;
  let db: MigratedDatabase;
  let databaseUrl: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
    );
    kit = await openMessagingKit('tracing-test');
    db = await createMigratedDatabase(infra.postgresUrl, 'tracing', (url) => {
      databaseUrl = url;
      return { type: 'postgres', url, migrations: messagingMigrations(), migrationsTransactionMode: 'all' };
    });
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await kit?.close();
    await db?.dispose();
  });

  it('forms one parent chain: request → send → process → (handler’s event) → send', async () => {
    const placedTopic = await createTestTopic(kit.admin, 'tracing.orders', { partitions: 2 });
    const paidTopic = await createTestTopic(kit.admin, 'tracing.payments', { partitions: 2 });
    const placed: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderNoted',
      topic: placedTopic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const paid: EventDefinition<OrderNoted> = {
      type: 'orderstream.test.OrderPaid',
      topic: paidTopic,
      schema: orderNotedSchema,
      key: (e) => e.orderId,
    };
    const outbox = new OutboxWriter({ encoder: kit.codec, source: '/orderstream/test' });
    const groupId = uniqueName('tracing-payments');

    // The consumer: writes the next event through the outbox in its own transaction.
    kit.subscriptions.push(
      await subscribe({
        client: kit.client,
        groupId,
        routes: [
          on(placed, async (event, handlerContext) => {
            await outbox.add(entityManagerOf(handlerContext), {
              definition: paid,
              data: event.data,
              aggregateType: 'Order',
              causedBy: event,
            });
          }),
        ],
        delivery: 'effectively-once',
        inbox: new PostgresInbox(db.dataSource),
        retry,
        codec: kit.codec,
        producer: kit.producer,
        admin: kit.admin,
        runner: { consumer: { fetchMaxWaitMs: 100 } },
      }),
    );
    const relayProducer = kit.client.producer();
    await relayProducer.connect();
    const relay = new SourceRelay({
      source: 'tracing',
      connection: databaseUrl,
      producer: relayProducer,
      pollIntervalMs: 200,
    });
    await relay.start();
    cleanups.push(async () => {
      await relay.stop();
      await relayProducer.disconnect();
    });

    // The request: a server span, active while the first event is written.
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER });
    await context.with(trace.setSpan(context.active(), request), () =>
      db.dataSource.transaction((manager) =>
        outbox.add(manager, {
          definition: placed,
          data: { orderId: 'order-1', amountCents: 100, note: 'traced' },
          aggregateType: 'Order',
        }),
      ),
    );
    request.end();

    const [paidRecord] = (await kit.readAll(paidTopic, 1)) as [ConsumedRecord];
    const [placedRecord] = (await kit.readAll(placedTopic, 1)) as [ConsumedRecord];
    await waitFor(
      () => exporter.getFinishedSpans().filter((s) => s.name === `send ${paidTopic}`).length === 1,
      {
        description: 'the send span of the handler’s event',
      },
    );

    const spans = exporter.getFinishedSpans();
    const one = (name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name);
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const sendPlaced = one(`send ${placedTopic}`);
    const process = one(`process ${placedTopic}`);
    const sendPaid = one(`send ${paidTopic}`);
    const traceId = request.spanContext().traceId;
    for (const span of [sendPlaced, process, sendPaid]) expect(span.spanContext().traceId).toBe(traceId);
    expect(sendPlaced.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(process.parentSpanContext?.spanId).toBe(sendPlaced.spanContext().spanId);
    expect(sendPaid.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect([sendPlaced.kind, process.kind, sendPaid.kind]).toEqual([
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
    ]);
    expect(process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': placedTopic,
      'messaging.consumer.group.name': groupId,
      'messaging.kafka.message.key': 'order-1',
      'messaging.message.id': placedRecord.headers['ce_id']?.toString(),
      'messaging.kafka.offset': Number(placedRecord.offset),
    });

    // On the wire: each record carries its send span; in the outbox: each row its writer's span.
    const traceparentOf = (span: ReadableSpan) => `00-${traceId}-${span.spanContext().spanId}-01`;
    expect(placedRecord.headers['traceparent']?.toString()).toBe(traceparentOf(sendPlaced));
    expect(paidRecord.headers['traceparent']?.toString()).toBe(traceparentOf(sendPaid));
    const rows = (await db.dataSource.query(
      `SELECT topic, headers->>'traceparent' AS traceparent FROM messaging_outbox ORDER BY sequence`,
    )) as { topic: string; traceparent: string }[];
    expect(rows).toEqual([
      { topic: placedTopic, traceparent: `00-${traceId}-${request.spanContext().spanId}-01` },
      { topic: paidTopic, traceparent: traceparentOf(process) },
    ]);
  });
});
