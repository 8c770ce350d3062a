/**
 * The consumer's span: one `process <topic>` span (kind consumer) per handled delivery, a child of the
 * context in the record's `traceparent` header (the relay's or publisher's send span), active while the
 * handler runs, so the events the handler writes to its outbox carry the handler's span as their parent.
 *
 * It sits inside the transaction stage (see subscription/pipeline.ts): a duplicate the inbox absorbs and a
 * retry record fetched before it is due are no processing and get no span, and each attempt (every
 * immediate retry, every retry-topic delivery) is a span of its own. A retry or dead-letter record keeps
 * the original headers, so a later attempt is a sibling of the first under the same send span.
 */
import { DeferredDelivery } from '../core/deferred';
import { HEADERS } from '../core/envelope';
import type { Middleware } from '../core/handler';
import {
  contextOfHeaders,
  headerText,
  MESSAGING_ATTRIBUTES,
  recordFailure,
  startMessagingSpan,
  withSpan,
} from './trace-context';

export function tracingMiddleware(): Middleware {
  return (next) => async (message, context) => {
    const { record } = message;
    const parent = contextOfHeaders(record.headers);
    const span = startMessagingSpan({
      operation: 'process',
      destination: record.topic,
      parent,
      attributes: {
        [MESSAGING_ATTRIBUTES.consumerGroup]: message.groupId,
        [MESSAGING_ATTRIBUTES.partition]: String(record.partition),
        [MESSAGING_ATTRIBUTES.offset]: Number(record.offset),
        ...optional(MESSAGING_ATTRIBUTES.key, headerText(record.key)),
        ...optional(MESSAGING_ATTRIBUTES.messageId, headerText(record.headers[HEADERS.id])),
      },
    });
    try {
      await withSpan(span, parent, () => next(message, context));
    } catch (error) {
      if (!(error instanceof DeferredDelivery)) recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

function optional(name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: value };
}
