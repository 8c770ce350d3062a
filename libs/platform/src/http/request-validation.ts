/**
 * Validation of one request against its route's contract, in the order a client would fix things: a body
 * in a media type the route does not take is a 415 before anything is parsed; then every part (path,
 * query, headers, body) is checked and all their errors come back together in one 400.
 * Pure, so every rule has a unit test.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { z } from 'zod';
import { invalidRequest, type FieldError } from './invalid-request';
import type { RouteContract, ValidatedRequest } from './route-contract';

/** The parts of an incoming request, as Express has parsed them. */
export interface IncomingRequestParts {
  params: Record<string, string>;
  query: unknown;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`null` is a valid JSON body), or `undefined` when none was parsed. */
  body: unknown;
}

/** The one media type of every request body: JSON, with any parameters (`; charset=utf-8`). */
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

export function validateRequest<C extends RouteContract>(
  contract: C,
  request: IncomingRequestParts,
): ValidatedRequest<C> {
  const parts = contract.request ?? {};
  const bodySent = hasBody(request.headers);
  if (parts.body && bodySent && !JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new UnsupportedMediaTypeException(
      `${contract.method.toUpperCase()} ${contract.path} takes an application/json body, ` +
        `not ${request.headers['content-type'] ?? 'one without a Content-Type'}`,
    );
  }

  const errors: FieldError[] = [];
  const parse = <S extends z.ZodType>(
    schema: S | undefined,
    value: unknown,
    field: (path: readonly PropertyKey[]) => string,
  ): z.output<S> | undefined => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    errors.push(...result.error.issues.flatMap((issue) => fieldErrorsOf(issue, field)));
    return undefined;
  };

  const validated = {
    path: parse(parts.path, request.params, (path) => `path:${pathOf(path)}`),
    query: parse(parts.query, request.query ?? {}, (path) => `query:${pathOf(path)}`),
    headers: parse(
      parts.headers,
      headersNamedIn(parts.headers, request.headers),
      (path) => `header:${pathOf(path)}`,
    ),
    body: undefined as unknown,
  };
  if (parts.body) {
    if (!bodySent) errors.push({ field: '(body)', message: 'required: an application/json body' });
    else validated.body = parse(parts.body, request.body, (path) => pathOf(path) || '(body)');
  }
  if (errors.length > 0) throw invalidRequest(errors);
  return validated as ValidatedRequest<C>;
}

/** RFC 9112: a request has a body when it says how long it is (and that is not 0) or that it is chunked. */
function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * The headers the schema names, under the names it documents them by (`Idempotency-Key`); Node has
 * lower-cased them. Repeated headers arrive joined with ", " (or as an array), which a schema can refuse.
 */
function headersNamedIn(
  schema: z.ZodObject | undefined,
  headers: IncomingHttpHeaders,
): Record<string, unknown> {
  if (!schema) return {};
  return Object.fromEntries(Object.keys(schema.shape).map((name) => [name, headers[name.toLowerCase()]]));
}

/** `['items', 1, 'quantity']` → `items[1].quantity`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (at, segment) =>
      typeof segment === 'number' ? `${at}[${segment}]` : at ? `${at}.${String(segment)}` : String(segment),
    '',
  );
}

function fieldErrorsOf(
  issue: z.core.$ZodIssue,
  field: (path: readonly PropertyKey[]) => string,
): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return [{ field: field(issue.path), message: `unknown member(s): ${issue.keys.join(', ')}` }];
  }
  return [{ field: field(issue.path), message: issue.message }];
}
