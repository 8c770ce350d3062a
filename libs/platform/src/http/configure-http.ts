import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { httpTracingMiddleware } from '../tracing/http-tracing.middleware';

/** The largest JSON body a service reads; a bigger one is a 413 problem. body-parser's default, stated. */
export const JSON_BODY_LIMIT = '100kb';

/**
 * The HTTP settings every service shares, applied before the application initializes (bootstrapService
 * and the tests' startTestApp both call it), so the parser below replaces Nest's default JSON parser:
 * - not strict: `null` or `42` is valid JSON, and the route's schema says precisely what is wrong with it
 *   (`(body): expected object, received null`) instead of body-parser calling it "not valid JSON";
 * - no `X-Powered-By`: the framework is nobody's business;
 * - the HTTP server span (tracing/http-tracing.middleware.ts), after the parser: it continues the caller's
 *   `traceparent` and stays active while the route runs.
 */
export function configureHttp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { strict: false, limit: JSON_BODY_LIMIT });
  express.disable('x-powered-by');
  express.use(httpTracingMiddleware());
}
