/**
 * Readiness of the messaging side of a service, for Terminus: up when the Publisher's producer is
 * connected and every handler group's consumer runs and has joined its group; the details name each
 * group's state and the partitions it owns, which is what one wants to see during a rebalance.
 *
 * Down while a group is still starting (not joined yet), has crashed or has stopped: the service would
 * answer HTTP but not react to events. A group in a rebalance after it had joined counts as up: a
 * rebalance is routine (a replica starts or stops) and short, and readiness gates HTTP traffic, so
 * taking every replica out of the load balancer during each one would be an outage of our own making.
 * A member that joined with no partitions is up too: a group with more members than partitions has idle
 * members by design. It checks local state only (no broker round trip), so it is cheap to probe often;
 * the platform's KafkaHealthIndicator is the one that asks the cluster.
 */
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { SubscriptionState } from '../subscription/subscription';
import { MessagingRuntime } from './messaging.runtime';

export interface MessagingHealthDetails extends Record<string, unknown> {
  producer: 'connected' | 'disconnected';
  groups: Record<string, { state: string; partitions: Record<string, number[]>; error?: string }>;
}

/** Group states in which the service handles its events (see above for why a rebalance counts). */
const READY_STATES: readonly string[] = ['joined', 'rebalancing'] satisfies SubscriptionState[];

@Injectable()
export class MessagingHealthIndicator {
  constructor(
    private readonly runtime: MessagingRuntime,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const indicator = this.health.check(key);
    const details = this.details();
    const up =
      details.producer === 'connected' &&
      Object.values(details.groups).every((g) => READY_STATES.includes(g.state));
    return up ? indicator.up(details) : indicator.down(details);
  }

  details(): MessagingHealthDetails {
    const groups: MessagingHealthDetails['groups'] = {};
    for (const subscription of this.runtime.subscriptions()) {
      const status = subscription.status();
      groups[status.groupId] = {
        state: status.state,
        // Sorted, so the report reads the same whatever order the group coordinator assigned them in.
        partitions: Object.fromEntries(
          status.assignments.map((a) => [a.topic, [...(a.partitions ?? [])].sort((x, y) => x - y)]),
        ),
        ...(status.error ? { error: status.error } : {}),
      };
    }
    return { producer: this.runtime.isPublisherConnected() ? 'connected' : 'disconnected', groups };
  }
}
