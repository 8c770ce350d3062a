import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Catch,
  Inject,
  ServiceUnavailableException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServiceLogger } from '../logging/service-logger';
import { SERVICE_LOGGER } from '../platform.tokens';

type LoggedRequest = IncomingMessage & { log?: ServiceLogger };

/**
 * A failed health check answers 503 with terminus's own body (`status`, `info`, `error`, `details`), the
 * format probes and dashboards expect, instead of problem+json. It is the one place that says which
 * dependency is down, so it logs that at warn; the request line of a probe is only debug.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFailedFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<LoggedRequest>();
    const body = exception.getResponse();
    (request.log ?? this.logger).warn({ health: body }, 'not ready');
    this.adapterHost.httpAdapter.reply(http.getResponse<ServerResponse>(), body, exception.getStatus());
  }
}
