/**
 * A route's contract, declared once next to its controller: method, path, the zod schemas of every request
 * part (path parameters, query, headers, body) and of every response. The same object
 *  - registers the Nest route (`@Route(contract)`),
 *  - validates the request (`@ValidRequest()` hands the handler the parsed parts), and
 *  - becomes the route's operation in the OpenAPI document (`openApiDocument`),
 * so the document can never be looser than the server: there is no second description to drift.
 */
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A request part whose members are named: path parameters, query parameters, headers. */
export type ParameterSchema = z.ZodObject;

export interface RouteRequest {
  /** `{id}` in the path; every placeholder of the path needs a member. */
  path?: ParameterSchema;
  query?: ParameterSchema;
  /**
   * Header names as documented (`Idempotency-Key`); looked up case-insensitively. Members the schema does
   * not name are not validated: every request carries headers we do not care about.
   */
  headers?: ParameterSchema;
  /** The `application/json` body; a route with a body answers another media type with 415. */
  body?: z.ZodType;
}

export interface RouteResponse {
  description: string;
  /** The body's schema; omitted for a response without a body. */
  schema?: z.ZodType;
  /** Defaults to `application/json`. */
  contentType?: string;
  /** Response headers, e.g. `Location`, documented from zod schemas. */
  headers?: Record<string, z.ZodType>;
  /**
   * OpenAPI links to other operations fed from this response (`{ operationId: 'getOrder', parameters:
   * { id: '$response.body#/id' } }`): clients and schemathesis's stateful phase follow them.
   */
  links?: Record<string, { operationId: string; parameters: Record<string, string> }>;
}

export interface RouteContract {
  method: HttpMethod;
  /** The full path as OpenAPI writes it: `/orders/{id}/cancel`. */
  path: string;
  /** Unique per service; Swagger UI and client generators name the operation after it. */
  operationId: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  request?: RouteRequest;
  /** The successful responses by status; the lowest is the status the route answers with. */
  responses: Readonly<Record<number, RouteResponse>>;
  /**
   * The problem statuses the handler itself can answer with (404, 409, 422, …). The platform adds the ones
   * its HTTP layer answers for the route: 400 when the request has parts to validate, 413 and 415 when it
   * has a body, and 500 for every route.
   */
  problems?: readonly number[];
  /** Extra members of the OpenAPI operation (`links`, `x-…` extensions). */
  extensions?: Readonly<Record<string, unknown>>;
}

/** Declares a contract and keeps its literal types, so `ValidatedRequest<typeof contract>` is exact. */
export function defineRoute<const C extends RouteContract>(contract: C): C {
  const placeholders = [...contract.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
  const declared = Object.keys(contract.request?.path?.shape ?? {});
  const missing = placeholders.filter((name) => !declared.includes(name));
  const extra = declared.filter((name) => !placeholders.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `Route ${contract.operationId}: the path ${contract.path} and its schema disagree ` +
        `(undeclared: ${missing.join(', ') || 'none'}; not in the path: ${extra.join(', ') || 'none'})`,
    );
  }
  return contract;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What `@ValidRequest()` hands a handler: every request part of the contract, parsed by its schema. */
export interface ValidatedRequest<C extends RouteContract> {
  path: Parsed<NonNullable<C['request']>['path']>;
  query: Parsed<NonNullable<C['request']>['query']>;
  headers: Parsed<NonNullable<C['request']>['headers']>;
  body: Parsed<NonNullable<C['request']>['body']>;
}

/** The status a route answers with when it succeeds: the lowest of its responses. */
export function successStatusOf(contract: RouteContract): number {
  const [first] = Object.keys(contract.responses)
    .map(Number)
    .sort((a, b) => a - b);
  if (first === undefined) throw new Error(`Route ${contract.operationId} declares no response`);
  return first;
}

/** `/orders/{id}/cancel` → `/orders/:id/cancel`, the path syntax of Nest and Express. */
export function routerPathOf(path: string): string {
  return path.replaceAll(/\{([^}]+)\}/g, ':$1');
}
