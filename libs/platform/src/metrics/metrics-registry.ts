import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A registry of the service's own rather than prom-client's global one, so two apps in one process (tests)
 * do not collide on metric names. Every series carries a `service` label.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
