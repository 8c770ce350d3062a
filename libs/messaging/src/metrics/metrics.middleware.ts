/**
 * Times every delivery and counts the outcomes no inner layer claimed. Placed outside the failure layers
 * (see subscription/pipeline.ts): a message they park in a retry or dead-letter topic returns normally
 * here, but they have already counted it as retried or dead-lettered through `MessagingMetrics`, as the
 * inbox has a duplicate; what is left of a normal return is a success. An error that escapes is an
 * `errored` delivery, except a retry record that is not due yet, which is no delivery at all.
 */
import { DeferredDelivery } from '../core/deferred';
import type { Middleware } from '../core/handler';
import { errorCode } from '../errors/messaging.error';
import type { MessagingMetrics } from './messaging-metrics';

export { labelsOf } from './messaging-metrics';

export function metricsMiddleware(metrics: MessagingMetrics): Middleware {
  return (next) => async (message, context) => {
    const delivery = metrics.begin(message);
    try {
      await next(message, context);
    } catch (error) {
      if (error instanceof DeferredDelivery) delivery.withdrawn();
      else delivery.errored(errorCode(error));
      throw error;
    }
    delivery.finished();
  };
}
