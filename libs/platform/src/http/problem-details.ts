/**
 * RFC 9457 problem details: the body of every error response. Kept apart from the Nest filter so the
 * mapping from exceptions to problems is a pure function.
 */
import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';

export const PROBLEM_JSON = 'application/problem+json';

export interface ProblemDetails {
  /** A URI identifying the problem type; `about:blank` when the HTTP status says it all. */
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The path of the request that failed. */
  instance?: string;
  /** The request id (also in the `x-request-id` header), so a client report leads to our log lines. */
  requestId?: string;
  /** Extension members, e.g. `errors` for a list of validation messages. */
  [extension: string]: unknown;
}

export interface ProblemContext {
  instance?: string;
  requestId?: string;
}

/** Members of Nest's default error body (`{ statusCode, message, error }`) that a problem renames. */
const NEST_ERROR_MEMBERS = new Set(['statusCode', 'message', 'error', 'status']);

/**
 * The problem for anything thrown while handling a request. An HttpException was thrown on purpose, so its
 * message is meant for the client; anything else is a bug or an outage and gets a 500 whose detail says
 * nothing about the internals (the log line has the stack).
 *
 * To send a specific problem type, throw an HttpException whose body has `type`, `title` and/or `detail`,
 * e.g. `new ConflictException({ type: 'https://example.com/problems/out-of-stock', detail: '…', sku })`;
 * other members of that body become extension members.
 */
export function problemDetailsFor(exception: unknown, context: ProblemContext = {}): ProblemDetails {
  const problem = exception instanceof HttpException ? fromHttpException(exception) : internalError();
  return {
    ...problem,
    ...(context.instance !== undefined ? { instance: context.instance } : {}),
    ...(context.requestId !== undefined ? { requestId: context.requestId } : {}),
  };
}

function fromHttpException(exception: HttpException): ProblemDetails {
  const status = exception.getStatus();
  const body = exception.getResponse();
  const problem: ProblemDetails = { type: 'about:blank', title: titleFor(status), status };
  if (typeof body === 'string') {
    return { ...problem, detail: body };
  }
  const members = body as Record<string, unknown>;
  for (const [name, value] of Object.entries(members)) {
    if (!NEST_ERROR_MEMBERS.has(name)) problem[name] = value;
  }
  if (typeof members.type !== 'string') problem.type = 'about:blank';
  if (typeof members.title !== 'string') problem.title = titleFor(status);
  if (typeof members.detail !== 'string') {
    const { message } = members;
    if (typeof message === 'string') {
      problem.detail = message;
    } else if (Array.isArray(message)) {
      // Nest's ValidationPipe reports one message per invalid field.
      problem.detail = message.join('; ');
      problem.errors = message;
    } else {
      delete problem.detail;
    }
  }
  return problem;
}

function internalError(): ProblemDetails {
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    type: 'about:blank',
    title: titleFor(status),
    status,
    detail: 'The server failed to handle the request. Quote the request id when reporting it.',
  };
}

function titleFor(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
