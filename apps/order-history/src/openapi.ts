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
      "The CQRS read model: an order view per order with its timeline and a summary per customer, built from the saga's events and rebuilt by replay. Errors are application/problem+json.",
    version: '1',
  });
}
