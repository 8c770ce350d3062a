import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_NAME } from './config';

/**
 * Serves the service's OpenAPI document at `/docs-json` and Swagger UI at `/docs`. Call it after the app
 * is created and before it listens (routes registered later would sit behind Nest's 404 handler).
 */
export function setupOpenApi(app: INestApplication): void {
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(`orderstream ${SERVICE_NAME}`)
        .setDescription(
          'Stock levels and the reservations of each order. Errors are application/problem+json.',
        )
        .setVersion('1')
        .build(),
    );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
