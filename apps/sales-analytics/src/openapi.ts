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
      'Exactly-once stream processor: per-SKU confirmed units and revenue, totals and per-minute windows, from orders.events to the compacted analytics.sku-sales topic in Kafka transactions. Errors are application/problem+json.',
    version: '1',
  });
}
