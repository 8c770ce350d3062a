/**
 * The HTTP server span of every request: it continues the caller's W3C `traceparent` (through the global
 * propagator, which startTracing sets) or starts a trace, and stays active while the route runs, so the
 * outbox rows a request writes carry it and the rest of the flow continues it. Named `<METHOD> <route>`
 * (the route template, e.g. `POST /orders`, once routing found one) with the HTTP semantic conventions'
 * attributes. Health and metrics scrapes are not traced: they would bury the traces worth reading.
 *
 * Registered after the body parser (configureHttp), so the route runs inside `context.with` and the span
 * follows it across awaits; parsing the body is not part of the span.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of Express's request this reads (the platform has no Express types of its own). */
type Request = IncomingMessage & { method: string; path: string; baseUrl: string; route?: unknown };

const UNTRACED = /^\/(health|metrics)(\/|$)/;

const tracer = trace.getTracer('@orderstream/platform');

export function httpTracingMiddleware(): (
  request: Request,
  response: ServerResponse,
  next: () => void,
) => void {
  return (request, response, next) => {
    if (UNTRACED.test(request.path)) {
      next();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = request.method;
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: request.path },
      },
      parent,
    );
    response.once('close', () => {
      const route = routeOf(request);
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
      // HTTP semantic conventions: a 4xx is the client's error, not the server span's.
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** The matched route's template (`/orders/:orderId`), once Express routed the request. */
function routeOf(request: Request): string | undefined {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : undefined;
}
