/**
 * Finds the processes a system benchmark measures (see process-cpu.ts): the services the bench started
 * itself, among its own child processes by the entry file on their command line, and the infrastructure
 * tools/infra runs, by its pid files (`infraStatus` checks each pid is still the process it started). An
 * infrastructure pid is used only when that part listens on the port this run talks to, so a bench pointed
 * at other brokers or a container never measures the wrong process; what is not found is reported, not
 * guessed.
 */
import { infraStatus } from '@orderstream/infra';
import type { TestInfrastructure } from '../infrastructure/infrastructure';
import type { ProcStat } from './process-cpu';

/** A child of `parent` whose command line satisfies `matches`, oldest pid first; pure. */
export function childProcess(
  parent: number,
  stats: readonly ProcStat[],
  commandLine: (pid: number) => string,
  matches: (commandLine: string) => boolean,
): number | undefined {
  return stats
    .filter((stat) => stat.ppid === parent && stat.state !== 'Z' && matches(commandLine(stat.pid)))
    .map((stat) => stat.pid)
    .sort((a, b) => a - b)[0];
}

export interface InfrastructureProcess {
  /** `kafka-1` … , `registry`, `postgres`: tools/infra's part names. */
  part: string;
  pid: number;
}

export interface InfrastructureProcesses {
  found: InfrastructureProcess[];
  /** Why a part has no pid, one line each. */
  missing: string[];
}

/** The port of `host:port`, or of a URL; `fallback` when it names none. */
function portOf(address: string, fallback: number): number {
  const port = address.includes('://') ? new URL(address).port : address.split(':').at(-1);
  return port ? Number(port) : fallback;
}

/** The ports the run's infrastructure is reached on, per tools/infra part kind. */
export function infrastructurePorts(infra: TestInfrastructure): {
  kafka: number[];
  registry: number;
  postgres: number;
} {
  return {
    kafka: infra.kafkaBrokers.map((broker) => portOf(broker, 9092)),
    registry: portOf(infra.schemaRegistryUrl, 80),
    postgres: portOf(infra.postgresUrl, 5432),
  };
}

/** The pids of tools/infra's Kafka nodes, registry and PostgreSQL that serve `infra`. */
export async function infrastructureProcesses(infra: TestInfrastructure): Promise<InfrastructureProcesses> {
  const ports = infrastructurePorts(infra);
  const { parts } = await infraStatus();
  const found: InfrastructureProcess[] = [];
  const missing: string[] = [];
  const wanted = (part: string): number[] =>
    part.startsWith('kafka-') ? ports.kafka : part === 'registry' ? [ports.registry] : [ports.postgres];
  for (const part of parts) {
    if (!wanted(part.name).includes(part.port)) continue;
    if (part.pid === undefined) missing.push(`${part.name}: ${part.detail}`);
    else found.push({ part: part.name, pid: part.pid });
  }
  for (const [kind, kindPorts] of [
    ['Kafka', ports.kafka],
    ['registry', [ports.registry]],
    ['PostgreSQL', [ports.postgres]],
  ] as const) {
    const served = parts.some((part) => kindPorts.includes(part.port) && part.pid !== undefined);
    if (!served) {
      missing.push(
        `${kind} on port ${kindPorts.join(', ')}: not a process tools/infra started (no pid file)`,
      );
    }
  }
  return { found, missing: [...new Set(missing)] };
}
