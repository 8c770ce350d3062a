/**
 * The consumer's span: one `process <topic>` span (kind consumer) per handled delivery, a child of the
 * context in the record's `traceparent` header (the relay's or publisher's send span), active while the
 * handler runs, so the events the handler writes to its outbox carry the handler's span as their parent.
 *
 * It sits inside the transaction stage (see subscription/pipeline.ts): a duplicate the inbox absorbs and a
 * retry record fetched before it is due are no processing and get no span, and each attempt (every
 * immediate retry, every retry-topic delivery) is a span of its own. A retry or dead-letter record keeps
 * the original headers, so a later attempt is a sibling of the first under the same send span.
 *
 * A record that arrived without trace context (an uninstrumented producer) and fails gets the failed
 * attempt's span written into its `traceparent` header before the error goes on: the retry or dead-letter
 * copy the failure layers make of it then leads to the span that holds the exception, and later attempts
 * join that trace. It is the one place the pipeline changes a consumed record, and only on that path.
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { DeferredDelivery } from '../core/deferred';
import { HEADERS } from '../core/envelope';
import type { Middleware } from '../core/handler';
import {
  contextOfHeaders,
  formatTraceparent,
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
      if (!(error instanceof DeferredDelivery)) {
        recordFailure(span, error);
        const traceparent = formatTraceparent(span.spanContext());
        if (parent === ROOT_CONTEXT && traceparent !== undefined) {
          record.headers[HEADERS.traceparent] = Buffer.from(traceparent);
        }
      }
      throw error;
    } finally {
      span.end();
    }
  };
}

function optional(name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: value };
}
