/**
 * The OpenTelemetry SDK of a service process, set up from the standard `OTEL_*` variables so that compose
 * files and users need no names of ours (see docs/tracing.md):
 * - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`)
 *   turns export on: spans go in batches to that OTLP/HTTP receiver as JSON (Jaeger, a Collector);
 * - `OTEL_SERVICE_NAME` names the service (default: the service's own name);
 * - `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`: the standard samplers, parent-based always-on by default.
 *
 * Off (no endpoint) still installs the SDK, with no span processor: spans get real ids and their context is
 * propagated (every record carries a `traceparent`, an incoming one is continued), and each span is dropped
 * when it ends. That costs an object and a few attributes per span, a couple of microseconds, and no I/O;
 * with no SDK at all the API's no-op tracer would pass an incoming traceparent through unchanged, but a
 * request that arrives without one would start no trace, and the issue asks that every record carry one.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** The standard values of `OTEL_TRACES_SAMPLER` this platform understands. */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

/** The tracing part of the service configuration (validated by `serviceConfigSchema`). */
export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME: string;
  OTEL_TRACES_SAMPLER: TraceSamplerName;
  /** The ratio of the `traceidratio` samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG?: number | undefined;
}

export interface TracingOptions {
  config: TracingConfig;
  /** Overrides the OTLP exporter (tests export to memory). */
  exporter?: SpanExporter;
}

/** The installed SDK: where spans go, and how to flush them at shutdown. */
export interface Tracing {
  /** The OTLP traces URL spans are exported to; undefined when export is off. */
  exportsTo: string | undefined;
  /** Exports what is buffered and stops; call once, after the application closed. */
  shutdown(): Promise<void>;
}

/** The OTLP traces URL the configuration names, if any. */
export function tracesEndpointOf(config: TracingConfig): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export function samplerOf(
  config: Pick<TracingConfig, 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>,
): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG ?? 1);
  switch (config.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Installs the SDK as the process's global tracer provider, context manager (AsyncLocalStorage, so a span
 * stays active across awaits) and propagator (W3C trace context). Call once per process, before the
 * application is built; a second call in the same process is refused by the API and changes nothing.
 */
export function startTracing({ config, exporter }: TracingOptions): Tracing {
  const endpoint = tracesEndpointOf(config);
  const spanExporter = exporter ?? (endpoint ? new OTLPTraceExporter({ url: endpoint }) : undefined);
  const spanProcessors: SpanProcessor[] = spanExporter
    ? [new BatchSpanProcessor({ exporter: spanExporter })]
    : [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }),
    sampler: samplerOf(config),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    exportsTo: spanExporter ? (endpoint ?? 'custom exporter') : undefined,
    shutdown: () => provider.shutdown(),
  };
}
