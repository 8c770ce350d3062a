import type { INestApplication } from '@nestjs/common';
import { serveOpenApi } from '@orderstream/platform';
import { SERVICE_NAME } from './config';

/** The service port's OpenAPI document at `/docs-json` and Swagger UI at `/docs`. */
export function setupOpenApi(app: INestApplication): void {
  serveOpenApi(app, {
    title: `orderstream ${SERVICE_NAME}`,
    description:
      'The ops service: health and metrics here; the admin API and the failed-message console on OPS_ADMIN_PORT, with a bearer token (docs/operations.md). Errors are application/problem+json.',
    version: '1',
  });
}
