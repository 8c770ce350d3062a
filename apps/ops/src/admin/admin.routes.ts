/**
 * The admin API's contracts: what the console and any other client of the ops service may call. Every
 * route needs a bearer token (see AdminAuthGuard); responses are the desk's own shapes.
 */
import { defineRoute } from '@orderstream/platform';
import { z } from 'zod';

const TAGS = ['dead-letters'] as const;
const groupId = z.string().min(1).max(249).describe('A consumer group');

/** Anything the desk returns: documented by its TypeScript types (libs/operations), not re-declared here. */
const result = (description: string) => z.looseObject({}).describe(description);

const filter = z
  .object({
    ids: z
      .array(z.string().min(1).max(400))
      .min(1)
      .max(1000)
      .optional()
      .describe('Message ids <group>.dlt:<partition>:<offset>'),
    errorCode: z.string().min(1).max(200).optional(),
    eventType: z.string().min(1).max(200).optional(),
    reason: z.enum(['non-retriable', 'retries-exhausted']).optional(),
    eventIds: z.array(z.string().min(1).max(200)).min(1).max(1000).optional().describe('ce_id values'),
  })
  .strict();

export const listDeadLettersRoute = defineRoute({
  method: 'get',
  path: '/api/dead-letters',
  operationId: 'listDeadLetters',
  summary: "Failed messages across every group's dead-letter topic, summarised by error code",
  tags: TAGS,
  request: {
    query: z.object({
      group: z.string().min(1).max(2000).optional().describe('Comma-separated consumer groups; default all'),
      errorCode: z.string().min(1).max(200).optional(),
      eventType: z.string().min(1).max(200).optional(),
      includeHandled: z
        .enum(['true', 'false'])
        .optional()
        .describe('Also those already redriven or quarantined'),
      limit: z.coerce.number().int().min(1).max(10_000).optional(),
    }),
  },
  responses: { 200: { description: 'Groups with counts, then messages', schema: result('DeskListing') } },
  problems: [401],
});

export const showDeadLetterRoute = defineRoute({
  method: 'get',
  path: '/api/dead-letters/{id}',
  operationId: 'showDeadLetter',
  summary: 'One failed message: its headers and its payload decoded through the schema registry',
  tags: TAGS,
  request: { path: z.object({ id: z.string().min(5).max(400) }) },
  responses: { 200: { description: 'The message', schema: result('ShownDeadLetter') } },
  problems: [401, 404],
});

export const redriveRoute = defineRoute({
  method: 'post',
  path: '/api/dead-letters/redrive',
  operationId: 'redriveDeadLetters',
  summary: "Sends failed messages back through the failing group's retry path (or says what it would do)",
  description:
    'Only the failing group sees them again (its first retry topic), with their ce_id, so its inbox still deduplicates. A message redriven maxRedrives times already is quarantined instead. Give a filter or all=true.',
  tags: TAGS,
  request: {
    body: z
      .object({
        groupId,
        filter: filter.optional(),
        all: z.boolean().optional().describe('Everything not redriven yet, when no filter is given'),
        dryRun: z.boolean().optional(),
        includeRedriven: z.boolean().optional(),
        maxRedrives: z.number().int().min(1).max(100).optional(),
      })
      .strict(),
  },
  responses: {
    200: { description: 'What was (or would be) done, per message', schema: result('DeskRedriveReport') },
  },
  problems: [401, 404],
});

export const purgeRoute = defineRoute({
  method: 'post',
  path: '/api/dead-letters/purge',
  operationId: 'purgeDeadLetters',
  summary: "Deletes the oldest records of a group's dead-letter topic (Kafka deletes a prefix per partition)",
  tags: TAGS,
  request: {
    body: z
      .object({
        groupId,
        upTo: z.union([
          z.literal('all'),
          z.literal('handled').describe('Up to the first record nobody redrove or quarantined'),
          z.object({ before: z.iso.datetime() }).strict(),
        ]),
        dryRun: z.boolean().optional(),
      })
      .strict(),
  },
  responses: {
    200: { description: 'Per partition, how many were (or would be) deleted', schema: result('PurgeReport') },
  },
  problems: [401, 404],
});

export const listJobsRoute = defineRoute({
  method: 'get',
  path: '/api/redrive-jobs',
  operationId: 'listRedriveJobs',
  summary: 'Redrive jobs, newest first',
  tags: TAGS,
  responses: { 200: { description: 'Jobs', schema: z.object({ items: z.array(result('RedriveJob')) }) } },
  problems: [401],
});

export const resumeJobRoute = defineRoute({
  method: 'post',
  path: '/api/redrive-jobs/{jobId}/resume',
  operationId: 'resumeRedriveJob',
  summary: 'Continues a redrive job that stopped, from its committed offsets',
  tags: TAGS,
  request: { path: z.object({ jobId: z.uuid() }) },
  responses: { 200: { description: 'What this run did', schema: result('DeskRedriveReport') } },
  problems: [401, 404],
});

export const groupsRoute = defineRoute({
  method: 'get',
  path: '/api/groups',
  operationId: 'listGroupStandings',
  summary: "Each consumer group's state, lag in records and oldest unconsumed message's age",
  tags: ['groups'],
  responses: {
    200: { description: 'Groups', schema: z.object({ items: z.array(result('GroupStanding')) }) },
  },
  problems: [401],
});

export const auditRoute = defineRoute({
  method: 'get',
  path: '/api/audit',
  operationId: 'listAudit',
  summary: 'The audit trail: who did what, when, to how many messages',
  tags: ['audit'],
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }) },
  responses: {
    200: { description: 'Newest first', schema: z.object({ items: z.array(result('AuditRecord')) }) },
  },
  problems: [401],
});
