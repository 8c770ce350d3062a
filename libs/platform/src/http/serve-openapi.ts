import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { httpRoutesOf } from './http-routes';
import { openApiDocument, type OpenApiDocument, type OpenApiInfo } from './openapi-document';

/** Where a service serves its document (JSON) and Swagger UI. */
export const OPENAPI_JSON_PATH = '/docs-json';
export const OPENAPI_UI_PATH = '/docs';

/** The application's OpenAPI document, from the contracts of all its routes (the platform's included). */
export function openApiDocumentOf(app: INestApplication, info: OpenApiInfo): OpenApiDocument {
  return openApiDocument(info, httpRoutesOf(app.get(ModulesContainer)));
}

/**
 * Serves the document at `/docs-json` and Swagger UI at `/docs`. Call it before the app listens (routes
 * added later would sit behind Nest's 404 handler); a route without a contract fails here, at boot.
 * @nestjs/swagger only serves: the document is zod-openapi's, whose types are OpenAPI 3.1's, wider than
 * the 3.0 typings of @nestjs/swagger, hence the cast.
 */
export function serveOpenApi(app: INestApplication, info: OpenApiInfo): OpenApiDocument {
  const document = openApiDocumentOf(app, info);
  SwaggerModule.setup(OPENAPI_UI_PATH.slice(1), app, document as unknown as OpenAPIObject, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    yamlDocumentUrl: undefined,
  });
  return document;
}
