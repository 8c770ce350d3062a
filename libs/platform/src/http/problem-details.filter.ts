import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Catch,
  HttpStatus,
  Inject,
  MethodNotAllowedException,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { REQUEST_ID_HEADER, requestIdFrom } from '../logging/request-id';
import type { ServiceLogger } from '../logging/service-logger';
import { SERVICE_LOGGER } from '../platform.tokens';
import { allowedMethodsAt, httpRoutesOf, type HttpRoute } from './http-routes';
import { PROBLEM_JSON, problemDetailsFor } from './problem-details';

/**
 * What pino-http adds to a request: its id and a logger bound to it. Absent when the error precedes
 * pino-http: body-parser's run before it.
 */
type HandledRequest = IncomingMessage & { id?: unknown; log?: ServiceLogger };

/**
 * Renders every error of an HTTP request as `application/problem+json` (RFC 9457), unknown routes (404)
 * and known paths asked with a method they do not serve (405 with `Allow`; OPTIONS gets 204 with it)
 * included. Server errors are logged with their stack, which never reaches the client. Every problem
 * carries the request id, also for errors raised before the request logger ran (a body that is not JSON
 * or too large), which are logged here instead.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private routes: HttpRoute[] | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
    private readonly modules: ModulesContainer,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HandledRequest>();
    const response = http.getResponse<ServerResponse>();
    const { httpAdapter } = this.adapterHost;

    // The path only: a query string may carry tokens or personal data.
    const path = String(httpAdapter.getRequestUrl(request) ?? '').split('?')[0] ?? '';
    const logged = typeof request.id === 'string';
    const requestId = logged ? (request.id as string) : this.assignRequestId(request, response);

    let error = exception;
    if (exception instanceof NotFoundException) {
      // Nest's fallback handler answers any method and path no route has. When the path is known and the
      // method is not served there, no handler ran: it is a 405 (or the answer to OPTIONS), not a 404.
      const allowed = allowedMethodsAt(this.knownRoutes(), path);
      const method = request.method ?? '';
      if (allowed.length > 0 && (method === 'OPTIONS' || !allowed.includes(method))) {
        httpAdapter.setHeader(response, 'Allow', allowed.join(', '));
        if (method === 'OPTIONS') {
          httpAdapter.reply(response, undefined, HttpStatus.NO_CONTENT);
          return;
        }
        error = new MethodNotAllowedException(`${method} is not served at ${path}`);
      }
    }

    const problem = problemDetailsFor(error, { instance: path, requestId });
    const log = request.log ?? this.logger;
    if (problem.status >= 500) {
      // The request's own logger (pino-http) carries its request id.
      log.error({ err: exception, ...(logged ? {} : { reqId: requestId }) }, 'request failed');
    } else if (!logged) {
      // pino-http never saw this request, so this is its only line.
      log.warn(
        { reqId: requestId, req: { method: request.method, url: path }, res: { statusCode: problem.status } },
        'request rejected',
      );
    }

    if (httpAdapter.isHeadersSent(response)) {
      // Part of a response is already on the wire: all we can do is cut it short.
      response.destroy();
      return;
    }
    httpAdapter.setHeader(response, 'Content-Type', PROBLEM_JSON);
    httpAdapter.reply(response, problem, problem.status);
  }

  /** The id pino-http would have given the request, echoed the same way. */
  private assignRequestId(request: HandledRequest, response: ServerResponse): string {
    const id = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    request.id = id;
    if (!response.headersSent) response.setHeader(REQUEST_ID_HEADER, id);
    return id;
  }

  /** Read once, on the first unknown route: every module is registered by then. */
  private knownRoutes(): HttpRoute[] {
    this.routes ??= httpRoutesOf(this.modules);
    return this.routes;
  }
}
