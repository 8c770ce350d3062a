import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { HandlerContext, InboundMessage } from '../core/handler';
import { deadLetterRecord, retryRecord, type Failure } from '../failure/failure-record';
import type { ConsumedRecord, OutgoingRecord, ProducerPort } from '../ports/kafka-client.port';
import { OutboxPublisher, type OutboxRow } from '../postgres/relay/outbox-publisher';
import { KeyValueStore } from '../streams/key-value-store';
import { activeTraceparent, formatTraceparent, parseTraceparent } from './trace-context';
import { tracingMiddleware } from './tracing.middleware';

// The SDK as a service installs it (libs/platform), exporting to memory.
const exporter = new InMemorySpanExporter();
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
  );
});
afterEach(() => exporter.reset());

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

function consumed(headers: Record<string, string>): ConsumedRecord {
  return {
    topic: 'orders.events',
    partition: 2,
    offset: '41',
    key: Buffer.from('order-1'),
    value: Buffer.from('x'),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    timestamp: '0',
  };
}

describe('tracingMiddleware', () => {
  const run = (record: ConsumedRecord, handler: () => Promise<void>) =>
    tracingMiddleware()(handler)(
      { record, groupId: 'payments', attempt: 1 } as InboundMessage,
      {} as HandlerContext,
    );

  it('runs the handler in a consumer span that continues the record’s traceparent', async () => {
    let seen: string | undefined;
    await run(consumed({ traceparent: TRACEPARENT, ce_id: 'event-1' }), async () => {
      await Promise.resolve();
      seen = activeTraceparent();
    });
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({
      name: 'process orders.events',
      kind: SpanKind.CONSUMER,
      parentSpanContext: { traceId: TRACE_ID, spanId: 'b7ad6b7169203331' },
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'orders.events',
        'messaging.destination.partition.id': '2',
        'messaging.kafka.offset': 41,
        'messaging.kafka.message.key': 'order-1',
        'messaging.consumer.group.name': 'payments',
        'messaging.message.id': 'event-1',
      },
    });
    expect(seen).toBe(formatTraceparent(span!.spanContext()));
  });

  it('starts a trace for a record without one, and records the handler’s error', async () => {
    await expect(run(consumed({}), () => Promise.reject(new Error('card declined')))).rejects.toThrow(
      'card declined',
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.status).toEqual({ code: 2, message: 'card declined' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('gives a failed record without trace context the failed attempt’s span, for its retry or dead letter', async () => {
    const traceless = consumed({});
    await expect(run(traceless, () => Promise.reject(new Error('not Avro')))).rejects.toThrow('not Avro');
    const [span] = exporter.getFinishedSpans();
    expect(traceless.headers['traceparent']?.toString()).toBe(formatTraceparent(span!.spanContext()));

    // A record with its own context keeps it: a retry is a sibling under the same send span.
    const traced = consumed({ traceparent: TRACEPARENT });
    await expect(run(traced, () => Promise.reject(new Error('again')))).rejects.toThrow('again');
    expect(traced.headers['traceparent']?.toString()).toBe(TRACEPARENT);
  });
});

describe('the relay’s send span', () => {
  it('is a child of the context stored with the row and goes out as the record’s traceparent', async () => {
    const sent: OutgoingRecord[] = [];
    const producer = {
      send: (_topic: string, records: OutgoingRecord[]) => {
        sent.push(...records);
        return Promise.resolve([]);
      },
    } as unknown as ProducerPort;
    const row: OutboxRow = {
      sequence: '1',
      topic: 'orders.events',
      key: 'order-1',
      headers: { ce_id: 'event-1', traceparent: TRACEPARENT },
      payload: Buffer.from('x'),
    };
    await new OutboxPublisher({ producer, batchSize: 10 }).send([
      row,
      { ...row, sequence: '2', headers: { ce_id: 'event-2' } },
    ]);

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.kind, s.attributes['messaging.message.id']])).toEqual([
      ['send orders.events', SpanKind.PRODUCER, 'event-1'],
      ['send orders.events', SpanKind.PRODUCER, 'event-2'],
    ]);
    expect(spans[0]?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    // A row written outside any trace (none today: the writer always stores one) starts its own.
    expect(spans[1]?.parentSpanContext).toBeUndefined();
    expect(sent.map((r) => r.headers?.traceparent)).toEqual(
      spans.map((s) => formatTraceparent(s.spanContext())),
    );
  });
});

describe('a stream store’s changelog', () => {
  it('carries the span each key was last written under', () => {
    const store = new KeyValueStore<number>('totals', 'app-totals-changelog', 0);
    const span = trace.getTracer('test').startSpan('process');
    context.with(trace.setSpan(context.active(), span), () => store.put('sku-1', 1));
    store.put('sku-2', 2);
    span.end();
    expect(
      store.changelogRecords().map((r) => [r.key, parseTraceparent(r.headers?.traceparent)?.spanId]),
    ).toEqual([
      ['sku-1', span.spanContext().spanId],
      ['sku-2', undefined],
    ]);
  });
});

describe('retry and dead-letter records', () => {
  it('keep the failed record’s traceparent, so each later attempt continues the same send span', () => {
    const record = consumed({ traceparent: TRACEPARENT, ce_id: 'event-1' });
    const failure: Failure = {
      record,
      origin: { topic: record.topic, partition: 2, offset: '41', timestamp: '0', firstFailureAt: 1 },
      error: { code: 'X', className: 'Error', message: 'x', stack: '' },
      attempt: 1,
      failedAt: 1,
    };
    expect(retryRecord(failure, 2).headers?.traceparent?.toString()).toBe(TRACEPARENT);
    expect(deadLetterRecord(failure, 'payments', 'non-retriable').headers?.traceparent?.toString()).toBe(
      TRACEPARENT,
    );
  });
});
