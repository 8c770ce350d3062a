import type { INestApplication } from '@nestjs/common';
import { serveOpenApi } from '@orderstream/platform';
import { SERVICE_NAME } from './config';

/**
 * Serves the service's OpenAPI document, generated from its routes' contracts, at `/docs-json` and
 * Swagger UI at `/docs`. Call it after the app is created and before it listens.
 */
export function setupOpenApi(app: INestApplication): void {
  serveOpenApi(app, {
    title: `orderstream ${SERVICE_NAME}`,
    description:
      "Tells customers how their order ended: reacts to orders' thin terminal events, calls orders back for the details, one notification per order and state; runs as several instances of one group (a work queue). Errors are application/problem+json.",
    version: '1',
  });
}
