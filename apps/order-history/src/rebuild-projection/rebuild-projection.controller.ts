import { Controller, Inject, UseGuards } from '@nestjs/common';
import { Route, defineRoute } from '@orderstream/platform';
import { z } from 'zod';
import { ProjectionService } from '../projection/projection.provider';
import type { GenerationProgress, ProjectionStatus } from '../projection/projection-host';
import { AdminTokenGuard } from './admin-token.guard';

const generationSchema = z.object({
  generation: z.int().positive(),
  codeVersion: z.int(),
  status: z.enum(['building', 'serving', 'retired']),
  consumerGroup: z.string(),
  lag: z
    .int()
    .nonnegative()
    .describe('Building: records left below the high-water marks; served: behind the log end'),
  done: z.int().nonnegative().optional(),
  target: z.int().nonnegative().optional().describe('Records below the high-water marks'),
  resumes: z.int().nonnegative().describe('How often the build was resumed after a restart'),
  resumedFrom: z.record(z.string(), z.record(z.string(), z.int())).nullable(),
  consuming: z.boolean(),
});

export const projectionStatusSchema = z.object({
  projection: z.literal('order-history'),
  codeVersion: z.int(),
  serving: generationSchema.nullable(),
  building: generationSchema.nullable(),
});

export type ProjectionStatusDto = z.infer<typeof projectionStatusSchema>;

export const rebuildProjectionRoute = defineRoute({
  method: 'post',
  path: '/admin/projections/order-history/rebuild',
  operationId: 'rebuildProjection',
  summary: 'Rebuild the read model by replay, beside the served one (returns the rebuild under way, if any)',
  tags: ['admin'],
  responses: { 202: { description: 'The rebuild runs; poll the status', schema: projectionStatusSchema } },
  problems: [401, 404],
});

export const projectionStatusRoute = defineRoute({
  method: 'get',
  path: '/admin/projections/order-history',
  operationId: 'getProjectionStatus',
  summary: 'The served generation and the one being built, with their lag',
  tags: ['admin'],
  responses: { 200: { description: 'The projection', schema: projectionStatusSchema } },
  problems: [401, 404],
});

@Controller()
@UseGuards(AdminTokenGuard)
export class RebuildProjectionController {
  constructor(@Inject(ProjectionService) private readonly projection: ProjectionService) {}

  @Route(rebuildProjectionRoute)
  async rebuild(): Promise<ProjectionStatusDto> {
    await this.projection.host.rebuild();
    return dtoOf(await this.projection.host.status());
  }

  @Route(projectionStatusRoute)
  async status(): Promise<ProjectionStatusDto> {
    return dtoOf(await this.projection.host.status());
  }
}

function dtoOf(status: ProjectionStatus): ProjectionStatusDto {
  const generation = (g: GenerationProgress | null): ProjectionStatusDto['serving'] =>
    g && {
      generation: g.generation,
      codeVersion: g.codeVersion,
      status: g.status,
      consumerGroup: g.consumerGroup,
      lag: g.lag,
      ...(g.done !== undefined ? { done: g.done } : {}),
      ...(g.target !== undefined ? { target: g.target } : {}),
      resumes: g.resumes,
      resumedFrom: g.resumedFrom,
      consuming: g.consuming,
    };
  return {
    projection: 'order-history',
    codeVersion: status.codeVersion,
    serving: generation(status.serving),
    building: generation(status.building),
  };
}
