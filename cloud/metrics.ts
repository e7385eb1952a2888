import { Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per cloud node (tests start several nodes in one process). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'osiris_' });
  return registry;
}
