/**
 * A readiness condition of a service's own, reported under `name` in `/health/ready` beside the platform's
 * (databases, Kafka, messaging groups). Provide an array of them under `READINESS_CHECKS`:
 *
 * ```ts
 * { provide: READINESS_CHECKS, inject: [StockReplicaReadiness], useFactory: (r) => [r] }
 * ```
 *
 * `check` says whether the service is ready and why (the details are shown either way); a check that
 * throws counts as not ready, with its message.
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<{ ready: boolean; details: Record<string, unknown> }>;
}
