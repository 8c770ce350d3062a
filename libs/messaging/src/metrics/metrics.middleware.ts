/**
 * Counts and times every message that passes through the pipeline. Placed outermost, so it sees the
 * final outcome: a message parked in a retry topic or the dead-letter topic counts as handled there (the
 * failure middleware reports those separately), an error that escapes counts as failed.
 */
import { DeferredDelivery } from '../core/deferred';
import type { InboundMessage, Middleware } from '../core/handler';
import { HEADERS } from '../core/envelope';
import type { MessagingError } from '../errors/messaging.error';
import type { MessageLabels, MessagingMetrics } from './messaging-metrics';

export function labelsOf(message: InboundMessage): MessageLabels {
  const type = message.envelope?.type ?? message.record.headers[HEADERS.type]?.toString() ?? 'unknown';
  return { group: message.groupId, topic: message.record.topic, type };
}

function codeOf(error: unknown): string {
  const code = (error as Partial<MessagingError> | undefined)?.code;
  return typeof code === 'string' ? code : 'UNCLASSIFIED';
}

export function metricsMiddleware(metrics: MessagingMetrics): Middleware {
  return (next) => async (message, context) => {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      await next(message, context);
      metrics.handled(labelsOf(message), seconds());
    } catch (error) {
      // A retry-topic record that is not due yet is neither handled nor failed: it comes back later.
      if (!(error instanceof DeferredDelivery)) metrics.failed(labelsOf(message), codeOf(error), seconds());
      throw error;
    }
  };
}
