/**
 * RFC 9457 problem details: the body of every error response. Kept apart from the Nest filter so the
 * mapping from exceptions to problems is a pure function.
 *
 * The application errors of `@orderstream/messaging` are mapped here, once, for every service: a use case
 * throws `NotFoundError` and the client gets a 404 whose `type` is derived from the error's code, the same
 * code a Kafka consumer of that use case puts in `x-dlt-error-code`. The table:
 *
 * | error                              | status | type (from the code)                        |
 * | ---------------------------------- | ------ | ------------------------------------------- |
 * | `ValidationError`                  | 422    | `urn:orderstream:problem:validation-failed` |
 * | `NotFoundError`                    | 404    | `urn:orderstream:problem:not-found`         |
 * | `IllegalStateError`                | 409    | `urn:orderstream:problem:illegal-state`     |
 * | `IllegalTransitionError`           | 409    | `urn:orderstream:problem:illegal-transition`|
 * | `ConflictError`                    | 409    | `urn:orderstream:problem:conflict`          |
 * | `InvariantViolatedError`, others   | 500    | `urn:orderstream:problem:internal-server-error`, nothing of the error shown |
 *
 * The HTTP layer's own problems use the same scheme, so a client switches on `type` alone: a request that
 * breaks its route's schema is `invalid-request` (400, see `invalidRequest`), a body that is not JSON
 * `malformed-json` (400), and any other HttpException (Nest's 404 for an unknown route, 405, 413, 415) gets
 * its status phrase: `urn:orderstream:problem:method-not-allowed`. A text PostgreSQL cannot store (a NUL
 * character: SQLSTATE 22021) that got past validation is the client's `invalid-request`, not a 500.
 *
 * A refined code gives its own type (`ORDER_NOT_FOUND` → `urn:orderstream:problem:order-not-found`). The
 * error's message is the `detail` and its `details` become extension members, so both must be fit for the
 * client. 422, not 400, for a ValidationError: the request was well-formed and broke a rule; a malformed one
 * (wrong JSON types, a missing header) is rejected before any use case runs, as a 400 of the HTTP layer
 * (`invalidRequest`).
 */
import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import {
  ApplicationError,
  ConflictError,
  IllegalStateError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '@orderstream/messaging';
import { postgresErrorFieldsOf } from '@orderstream/messaging/postgres';

export const PROBLEM_JSON = 'application/problem+json';

export interface ProblemDetails {
  /** A URI identifying the problem type: `urn:orderstream:problem:<kebab-case code or status phrase>`. */
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

/** Where the `type` of an application error's problem starts; the rest is its code in kebab case. */
export const PROBLEM_TYPE_PREFIX = 'urn:orderstream:problem:';

/** The problem type of an application error code: `ORDER_NOT_FOUND` → `urn:orderstream:problem:order-not-found`. */
export function problemTypeFor(code: string): string {
  return `${PROBLEM_TYPE_PREFIX}${code.toLowerCase().replaceAll('_', '-')}`;
}

/** The problem type of a status with nothing more to say: 405 → `urn:orderstream:problem:method-not-allowed`. */
export function statusProblemType(status: number): string {
  return problemTypeFor(titleFor(status).replaceAll(/[^A-Za-z0-9]+/g, '_'));
}

/** SQLSTATE 22021, character_not_in_repertoire: PostgreSQL cannot store a NUL in text. */
const CHARACTER_NOT_IN_REPERTOIRE = '22021';

/**
 * Status and title per application error class, most specific first. Classes not listed (an
 * `InvariantViolatedError`, a bare `NonRetriableError`) are the server's fault: a 500 that shows nothing.
 */
const APPLICATION_PROBLEMS: readonly {
  errorClass: abstract new (...args: never[]) => ApplicationError;
  status: number;
  title: string;
}[] = [
  { errorClass: ValidationError, status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Validation failed' },
  { errorClass: NotFoundError, status: HttpStatus.NOT_FOUND, title: 'Not found' },
  { errorClass: IllegalTransitionError, status: HttpStatus.CONFLICT, title: 'Illegal transition' },
  { errorClass: IllegalStateError, status: HttpStatus.CONFLICT, title: 'Illegal state' },
  { errorClass: ConflictError, status: HttpStatus.CONFLICT, title: 'Conflict' },
];

/** Members a problem defines itself; an error's `details` cannot overwrite them. */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);

/** Members of Nest's default error body (`{ statusCode, message, error }`) that a problem renames. */
const NEST_ERROR_MEMBERS = new Set(['statusCode', 'message', 'error', 'status']);

/**
 * The problem for anything thrown while handling a request. An HttpException or an application error of a
 * mapped class was thrown on purpose, so its message is meant for the client; anything else is a bug or an
 * outage and gets a 500 whose detail says nothing about the internals (the log line has the stack).
 *
 * To send a specific problem type, throw an HttpException whose body has `type`, `title` and/or `detail`,
 * e.g. `new ConflictException({ type: 'https://example.com/problems/out-of-stock', detail: '…', sku })`;
 * other members of that body become extension members.
 */
export function problemDetailsFor(exception: unknown, context: ProblemContext = {}): ProblemDetails {
  const problem =
    exception instanceof HttpException
      ? fromHttpException(exception)
      : exception instanceof ApplicationError
        ? fromApplicationError(exception)
        : postgresErrorFieldsOf(exception)?.sqlState === CHARACTER_NOT_IN_REPERTOIRE
          ? unstorableText()
          : internalError();
  return {
    ...problem,
    ...(context.instance !== undefined ? { instance: context.instance } : {}),
    ...(context.requestId !== undefined ? { requestId: context.requestId } : {}),
  };
}

function fromHttpException(exception: HttpException): ProblemDetails {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (isBodyParseFailure(exception.cause)) return malformedJson(exception.cause);
  const problem: ProblemDetails = { type: statusProblemType(status), title: titleFor(status), status };
  if (typeof body === 'string') {
    return { ...problem, detail: body };
  }
  const members = body as Record<string, unknown>;
  for (const [name, value] of Object.entries(members)) {
    if (!NEST_ERROR_MEMBERS.has(name)) problem[name] = value;
  }
  if (typeof members.type !== 'string') problem.type = statusProblemType(status);
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

function fromApplicationError(error: ApplicationError): ProblemDetails {
  const mapped = APPLICATION_PROBLEMS.find(({ errorClass }) => error instanceof errorClass);
  if (!mapped) return internalError();
  const problem: ProblemDetails = {
    type: problemTypeFor(error.code),
    title: mapped.title,
    status: mapped.status,
    detail: error.message,
  };
  for (const [name, value] of Object.entries(error.details ?? {})) {
    if (!PROBLEM_MEMBERS.has(name)) problem[name] = value;
  }
  return problem;
}

/**
 * body-parser's error for a body that is not JSON (`entity.parse.failed`), which Nest wraps in a
 * BadRequestException. `null` is JSON, and parsed as such: the route's schema answers it.
 */
function isBodyParseFailure(cause: unknown): cause is SyntaxError {
  return cause instanceof SyntaxError && (cause as { type?: unknown }).type === 'entity.parse.failed';
}

function malformedJson(cause: SyntaxError): ProblemDetails {
  return {
    type: problemTypeFor('MALFORMED_JSON'),
    title: 'Malformed JSON',
    status: HttpStatus.BAD_REQUEST,
    detail: `The body is not valid JSON: ${cause.message}`,
  };
}

function unstorableText(): ProblemDetails {
  return {
    type: problemTypeFor('INVALID_REQUEST'),
    title: 'Invalid request',
    status: HttpStatus.BAD_REQUEST,
    detail: 'The request contains text that cannot be stored (a NUL character).',
  };
}

function internalError(): ProblemDetails {
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    type: statusProblemType(status),
    title: titleFor(status),
    status,
    detail: 'The server failed to handle the request. Quote the request id when reporting it.',
  };
}

function titleFor(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
