/**
 * A fix to kafkajs 2.2.4 itself, applied once when the adapter loads: every broker connection of kafkajs
 * re-arms a timer about every millisecond for as long as it is open, and on Node 24 the first of them
 * prints `TimeoutNegativeWarning: -1796197838174 is a negative number` (both benchmarks showed it).
 *
 * The cause is `RequestQueue.scheduleCheckPendingRequests`: with no client-side throttling in force it
 * computes its delay as `throttledUntil - Date.now()` with `throttledUntil` still at its initial -1, and
 * arms a timer with that (Node clamps it to 1 ms and warns) even when no request is pending; the timer's
 * callback calls the same method again, so the loop never ends. Measured on this machine, an idle process
 * with one producer and one admin connection spent about 23 ms of CPU per second in it, against about 1 ms
 * with the fix. Reported upstream as tulios/kafkajs#1704 and #1751; kafkajs has no release with a fix.
 *
 * The fix: a check is only scheduled while a request is pending. Nothing else needs one: a request that
 * cannot be sent at once is queued and schedules its own check, and every response or timeout checks the
 * queue again. The method is replaced on the class's prototype, so the raw kafkajs baseline of the
 * benchmark, in the same process, runs with the fix too.
 */
import { createRequire } from 'node:module';

interface RequestQueueInstance {
  pending: unknown[];
}

interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: RequestQueueInstance): void;
}

const FIXED = Symbol.for('orderstream.messaging.kafkajs.requestQueueTimerFix');

/**
 * Replaces kafkajs's `scheduleCheckPendingRequests` with one that arms no timer while nothing is pending.
 * Idempotent. Returns false, changing nothing, when this kafkajs has no such method (an upgrade changed
 * its internals; the fix is then the upgrade's to make or to drop).
 */
export function fixRequestQueueTimer(): boolean {
  const requestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as {
    prototype: RequestQueuePrototype & { [FIXED]?: true };
  };
  const prototype = requestQueue.prototype;
  if (prototype[FIXED]) return true;
  const schedule = prototype.scheduleCheckPendingRequests;
  if (typeof schedule !== 'function') return false;
  prototype.scheduleCheckPendingRequests = function scheduleWhilePending(this: RequestQueueInstance): void {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  prototype[FIXED] = true;
  return true;
}

fixRequestQueueTimer();
