import type { ServerResponse } from 'node:http';
import { Controller, Inject, Res } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { Route } from '../http/route.decorator';
import { defineRoute } from '../http/route-contract';
import { METRICS_REGISTRY } from '../platform.tokens';

export const metricsRoute = defineRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  summary: 'Prometheus metrics (text exposition format)',
  tags: ['operations'],
  responses: { 200: { description: 'The metrics', contentType: 'text/plain', schema: z.string() } },
});

/** The Prometheus scrape endpoint. */
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Route(metricsRoute)
  scrape(@Res({ passthrough: true }) response: ServerResponse): Promise<string> {
    response.setHeader('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
