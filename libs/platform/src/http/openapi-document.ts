/**
 * The OpenAPI 3.1 document of a service, generated (zod-openapi) from the contracts of its routes: the
 * schemas in it are the schemas that validate requests and describe responses. A route without a contract
 * fails the build of the document, so no route is served undocumented.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import type { HttpRoute } from './http-routes';
import { PROBLEM_JSON } from './problem-details';
import { problemSchema } from './problem.schema';
import type { RouteContract } from './route-contract';

export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
}

export type OpenApiDocument = ReturnType<typeof createDocument>;

export function openApiDocument(info: OpenApiInfo, routes: readonly HttpRoute[]): OpenApiDocument {
  const undocumented = routes.filter((route) => !route.contract);
  if (undocumented.length > 0) {
    throw new Error(
      `Routes without a @Route contract (so missing from the OpenAPI document): ${undocumented
        .map((route) => `${route.method} ${route.path} (${route.handler})`)
        .join(', ')}`,
    );
  }
  const paths: ZodOpenApiPathsObject = {};
  for (const { contract } of routes) {
    if (!contract) continue;
    const item = (paths[contract.path] ??= {});
    if (item[contract.method]) {
      throw new Error(`Two routes for ${contract.method.toUpperCase()} ${contract.path}`);
    }
    item[contract.method] = operationOf(contract);
  }
  return createDocument({ openapi: '3.1.0', info: { ...info }, paths });
}

function operationOf(contract: RouteContract): ZodOpenApiOperationObject {
  const { request = {} } = contract;
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, response] of Object.entries(contract.responses)) {
    responses[status as `2${string}`] = {
      description: response.description,
      ...(response.schema
        ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
        : {}),
      ...(response.headers ? { headers: z.object(response.headers) } : {}),
      ...(response.links ? { links: response.links } : {}),
    };
  }
  for (const status of problemStatusesOf(contract)) {
    responses[String(status) as `4${string}`] = {
      description: STATUS_CODES[status] ?? 'Error',
      content: { [PROBLEM_JSON]: { schema: problemSchema } },
    };
  }
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    ...(contract.tags ? { tags: [...contract.tags] } : {}),
    requestParams: {
      ...(request.path ? { path: request.path } : {}),
      ...(request.query ? { query: request.query } : {}),
      ...(request.headers ? { header: request.headers } : {}),
    },
    ...(request.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: request.body } } } }
      : {}),
    responses,
    ...contract.extensions,
  };
}

/**
 * The route's own problem statuses and those the HTTP layer answers for it: 400 (a part breaks its schema,
 * or the JSON is malformed), 413 and 415 (a body too large or not JSON) and 500, which any route can answer.
 */
export function problemStatusesOf(contract: RouteContract): number[] {
  const { request = {} } = contract;
  const statuses = new Set(contract.problems ?? []);
  if (request.path || request.query || request.headers || request.body) statuses.add(400);
  if (request.body) {
    statuses.add(413);
    statuses.add(415);
  }
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}
