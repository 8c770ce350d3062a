/**
 * The kafkajs timer fix on kafkajs's own RequestQueue, without a broker: no timer while nothing is
 * pending (kafkajs 2.2.4 arms one every millisecond, forever, and Node 24 warns about its negative delay),
 * and the throttling check kafkajs needs still armed when a request waits.
 */
import { createRequire } from 'node:module';
import { fixRequestQueueTimer } from './request-queue.patch';

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

const RequestQueueClass = createRequire(__filename)('kafkajs/src/network/requestQueue') as new (options: {
  maxInFlightRequests: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  clientId: string;
  broker: string;
  logger: { debug(): void; warn(): void };
}) => RequestQueue;

function requestQueue(): RequestQueue {
  const logger = { debug: () => undefined, warn: () => undefined };
  return new RequestQueueClass({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger,
  });
}

describe('fixRequestQueueTimer', () => {
  it('is applied on import, and applying it again changes nothing', () => {
    expect(fixRequestQueueTimer()).toBe(true);
    expect(fixRequestQueueTimer()).toBe(true);
  });

  it('arms no timer while no request is pending', () => {
    const queue = requestQueue();
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules the check for a request waiting out a throttle', () => {
    const queue = requestQueue();
    queue.pending.push({});
    queue.throttledUntil = Date.now() + 60_000;
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });
});
