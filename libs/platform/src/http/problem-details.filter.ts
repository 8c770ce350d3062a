import type { IncomingMessage, ServerResponse } from 'node:http';
import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServiceLogger } from '../logging/service-logger';
import { SERVICE_LOGGER } from '../platform.tokens';
import { PROBLEM_JSON, problemDetailsFor } from './problem-details';

/** What pino-http adds to a request: its id and a logger bound to it. Absent if the error precedes it. */
type LoggedRequest = IncomingMessage & { id?: unknown; log?: ServiceLogger };

/**
 * Renders every error of an HTTP request as `application/problem+json` (RFC 9457), unknown routes (404)
 * included. Server errors are logged with their stack, which never reaches the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<LoggedRequest>();
    const response = http.getResponse<ServerResponse>();
    const { httpAdapter } = this.adapterHost;

    // The path only: a query string may carry tokens or personal data.
    const path = String(httpAdapter.getRequestUrl(request) ?? '').split('?')[0];
    const problem = problemDetailsFor(exception, {
      instance: path,
      ...(typeof request.id === 'string' ? { requestId: request.id } : {}),
    });
    if (problem.status >= 500) {
      // The request's own logger (pino-http) carries its request id.
      (request.log ?? this.logger).error({ err: exception }, 'request failed');
    }

    if (httpAdapter.isHeadersSent(response)) {
      // Part of a response is already on the wire: all we can do is cut it short.
      response.destroy();
      return;
    }
    httpAdapter.setHeader(response, 'Content-Type', PROBLEM_JSON);
    httpAdapter.reply(response, problem, problem.status);
  }
}
