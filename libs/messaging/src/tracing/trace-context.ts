/**
 * Trace context on Kafka records: the W3C `traceparent` header, read and written here, and the spans the
 * messaging layers open (see docs/tracing.md for the chain they form).
 *
 * Only the OpenTelemetry API is used. Without an SDK registered its tracer is a no-op whose "spans" carry
 * their parent's context unchanged, so a record's traceparent is passed on as it came: tracing off costs
 * next to nothing and still keeps a flow in one trace. With the SDK (libs/platform installs it in every
 * service) each step gets a span of its own and the headers carry the new span's context.
 *
 * Why the header is parsed here rather than through the API's global propagator: `traceparent` is part of
 * the envelope (the codec validates it, docs/messaging.md lists it), so it must be carried even where no
 * propagator is registered, and it is one fixed format. tracestate is not carried (nothing here sets it).
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { HEADERS } from '../core/envelope';
import { isValidTraceparent } from '../envelope/envelope.codec';

/** The instrumentation scope of every span the messaging library opens. */
export const TRACER_NAME = '@orderstream/messaging';

/**
 * The OpenTelemetry messaging semantic conventions' attribute names (semconv 1.x, messaging spans), spelled
 * out because the library depends on the API only.
 */
export const MESSAGING_ATTRIBUTES = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  key: 'messaging.kafka.message.key',
  offset: 'messaging.kafka.offset',
} as const;

/** The operations the messaging layers trace: `<operation> <destination>` is the span name. */
export type MessagingOperation = 'create' | 'send' | 'process';

const SPAN_KIND: Record<MessagingOperation, SpanKind> = {
  create: SpanKind.PRODUCER,
  send: SpanKind.PRODUCER,
  process: SpanKind.CONSUMER,
};

// A ProxyTracer: it finds the provider the service registers later, so taking it at load time is fine.
const tracer = trace.getTracer(TRACER_NAME);

/** The `traceparent` of a span context, or undefined for an invalid one (no SDK and no parent). */
export function formatTraceparent(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The remote span context a valid `traceparent` names; undefined for anything else (W3C: ignore it). */
export function parseTraceparent(value: string | Buffer | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.toString('utf8');
  if (!isValidTraceparent(text)) return undefined;
  return {
    traceId: text.slice(3, 35),
    spanId: text.slice(36, 52),
    // Only the sampled bit is defined; the others are kept as they came.
    traceFlags: Number.parseInt(text.slice(53, 55), 16),
    isRemote: true,
  };
}

/** A context whose parent is the span a `traceparent` names; the root context for none or a bad one. */
export function contextOfTraceparent(value: string | Buffer | undefined): Context {
  const spanContext = parseTraceparent(value);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** The context a record's `traceparent` header continues. */
export function contextOfHeaders(headers: Readonly<Record<string, string | Buffer | undefined>>): Context {
  return contextOfTraceparent(headers[HEADERS.traceparent]);
}

/** The traceparent of the span active right now (a handler's, a request's), if there is one. */
export function activeTraceparent(): string | undefined {
  return formatTraceparent(trace.getSpanContext(context.active()));
}

/** True when some span is active: work that writes a message is already inside a trace. */
export function hasActiveSpan(): boolean {
  const active = trace.getSpanContext(context.active());
  return active !== undefined && trace.isSpanContextValid(active);
}

/**
 * The parent of a message being produced: an explicit traceparent, else the active span (a request's, a
 * handler's), else the traceparent of the message that caused it, else none (a new trace).
 */
export function producerParent(explicit?: string, cause?: string): Context {
  if (explicit !== undefined) return contextOfTraceparent(explicit);
  if (hasActiveSpan()) return context.active();
  return contextOfTraceparent(cause);
}

export interface MessagingSpanOptions {
  operation: MessagingOperation;
  destination: string;
  /** The parent; the active context by default. */
  parent?: Context;
  attributes?: Attributes;
  links?: { context: SpanContext }[];
}

/**
 * Starts a messaging span named `<operation> <destination>`, producer or consumer by operation, with the
 * conventions' `messaging.system` (kafka) and operation attributes. The caller ends it.
 */
export function startMessagingSpan(options: MessagingSpanOptions): Span {
  const { operation, destination } = options;
  return tracer.startSpan(
    `${operation} ${destination}`,
    {
      kind: SPAN_KIND[operation],
      attributes: {
        [MESSAGING_ATTRIBUTES.system]: 'kafka',
        [MESSAGING_ATTRIBUTES.operationType]: operation,
        [MESSAGING_ATTRIBUTES.operationName]: operation,
        [MESSAGING_ATTRIBUTES.destination]: destination,
        ...options.attributes,
      },
      ...(options.links ? { links: options.links } : {}),
    },
    options.parent ?? context.active(),
  );
}

/** Marks a span failed with the error (an exception event and an ERROR status). */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The text of a header value, for span attributes. */
export function headerText(value: string | Buffer | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** Runs `fn` with `span` active (so what it writes carries the span's context). */
export function withSpan<R>(span: Span, parent: Context, fn: () => R): R {
  return context.with(trace.setSpan(parent, span), fn);
}
