/**
 * The handler pipeline of a consumer group: which middleware wraps which, written down once, here. The
 * subscription builds every group's pipeline from `PIPELINE_STAGES`, docs/messaging.md quotes
 * `describePipeline()` (a unit test fails when the page is stale), and applications insert their own
 * middleware at the two named points, `outer` and `inner`.
 *
 * Why this order:
 * - `skip-unrouted` first: an event type no route handles is acknowledged before anything is spent on it
 *   (counted as skipped, not timed; no transaction, no decoding);
 * - `metrics` outside the failure layers: it sees each delivery's final outcome, and the failure layers
 *   report what they parked in a retry or dead-letter topic;
 * - `outer` (yours) outside failure handling: it sees every delivery once, including those from the group's
 *   retry topics, with `message.attempt` set, and an error it throws is not retried by the failure layers
 *   (the runner halts the partition and redelivers after a backoff). A retry record fetched before it is
 *   due passes it as a thrown `DeferredDelivery`: rethrow it (the runner pauses that partition until due);
 * - the failure layers outside the transaction: every attempt is a fresh transaction, and a failed attempt
 *   leaves no inbox record;
 * - `trace` inside the transaction: the handler's `process <topic>` span, a child of the record's
 *   `traceparent`, is active while decoding and handling, so what the handler writes to the outbox carries
 *   it; a duplicate the inbox absorbs or a retry record not yet due opens no span, and each attempt gets its
 *   own (see tracing/tracing.middleware.ts);
 * - `decode` inside the failure layers: its `DecodeError` is non-retriable, so undecodable bytes go straight
 *   to the dead-letter topic;
 * - `inner` (yours) inside the transaction and after decoding: it sees the envelope, may write through
 *   `context.transaction` (effectively-once), and what it throws is handled like the handler's own error.
 */
import { compose, type DeliveryGuarantee, type MessageHandler, type Middleware } from '../core/handler';

/** Outermost first. `routes` is the typed handler of the event's type, the innermost step. */
export const PIPELINE_STAGES = [
  'skip-unrouted',
  'metrics',
  'outer',
  'retry-and-dead-letter',
  'immediate-retry',
  'transaction',
  'trace',
  'decode',
  'inner',
  'routes',
] as const;

export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** The stages an application fills with middleware of its own. */
export type InsertionPoint = Extract<PipelineStage, 'outer' | 'inner'>;

/** An application's own middleware, per insertion point, each list outermost first. */
export type CustomMiddleware = Partial<Record<InsertionPoint, readonly Middleware[]>>;

/** What each stage holds; a stage left out is not part of this pipeline (no transaction unless effectively-once). */
export type PipelineParts = Partial<
  Record<Exclude<PipelineStage, 'routes'>, Middleware | readonly Middleware[]>
>;

const INSERTION_POINTS: readonly PipelineStage[] = ['outer', 'inner'];

/** Composes the parts in stage order around `routes`. */
export function buildPipeline(parts: PipelineParts, routes: MessageHandler): MessageHandler {
  const middleware: Middleware[] = [];
  for (const stage of PIPELINE_STAGES) {
    if (stage === 'routes') continue;
    const part = parts[stage];
    if (part === undefined) continue;
    middleware.push(...(typeof part === 'function' ? [part] : part));
  }
  return compose(middleware, routes);
}

/**
 * The pipeline as text, outermost first, e.g. for docs and the startup log:
 * `skip-unrouted → metrics → ‹outer› → retry-and-dead-letter → … → routes`. The insertion points are shown
 * in angle quotes; `transaction` only under effectively-once.
 */
export function describePipeline(delivery: DeliveryGuarantee = 'effectively-once'): string {
  return PIPELINE_STAGES.filter((stage) => stage !== 'transaction' || delivery === 'effectively-once')
    .map((stage) => (INSERTION_POINTS.includes(stage) ? `‹${stage}›` : stage))
    .join(' → ');
}
