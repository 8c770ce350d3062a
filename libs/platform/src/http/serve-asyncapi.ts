import type { INestApplication } from '@nestjs/common';

/** Where a service serves its AsyncAPI document (JSON). */
export const ASYNCAPI_JSON_PATH = '/asyncapi.json';

/**
 * Serves the service's AsyncAPI 3.0 document, its Kafka API, at `/asyncapi.json`, next to the OpenAPI
 * document of its HTTP API. The document is @orderstream/system's `serviceAsyncApi`, generated from the
 * manifest and the contracts (the platform imports neither, hence a plain object here). Like
 * `serveOpenApi`: call it before the app listens, and the route is the HTTP adapter's own, not a
 * controller's, so it is not an operation of the OpenAPI document.
 */
export function serveAsyncApi(app: INestApplication, document: object): void {
  // Serialized once: the document is fixed for the life of the process.
  const body = JSON.stringify(document);
  const http = app.getHttpAdapter();
  http.get(ASYNCAPI_JSON_PATH, (_request: unknown, response: unknown) => {
    http.setHeader(response, 'content-type', 'application/json; charset=utf-8');
    http.reply(response, body, 200);
  });
}
