/**
 * What the tools ask of the manifest, answered in one place so that none of them walks it differently.
 */
import type { SagaMode, ServiceDeclaration, SystemManifest, TopicDeclaration } from './manifest';
import { SYSTEM } from './system.manifest';

/** The declaration of one service; throws for a name the manifest does not have. */
export function serviceOf(name: string, system: SystemManifest = SYSTEM): ServiceDeclaration {
  const service = system.services.find((s) => s.name === name);
  if (!service) {
    throw new Error(
      `No service "${name}" in the system manifest (${system.services.map((s) => s.name).join(', ')})`,
    );
  }
  return service;
}

export function serviceNames(system: SystemManifest = SYSTEM): string[] {
  return system.services.map((s) => s.name);
}

/** Every database of the system, by the service that owns it. */
export function databasesOf(system: SystemManifest = SYSTEM): Record<string, string> {
  return Object.fromEntries(system.services.flatMap((s) => (s.database ? [[s.name, s.database]] : [])));
}

/** The services whose outboxes the relay publishes. */
export function outboxServices(system: SystemManifest = SYSTEM): ServiceDeclaration[] {
  return system.services.filter((s) => s.outbox);
}

/** `orders=<url>,payments=<url>,…`: the relay's `OUTBOX_SOURCES`, with each outbox service's database URL. */
export function outboxSources(
  urlOf: (service: ServiceDeclaration) => string,
  system: SystemManifest = SYSTEM,
): string {
  return outboxServices(system)
    .map((s) => `${s.name}=${urlOf(s)}`)
    .join(',');
}

/** Every topic the system owns, in manifest order. */
export function allTopics(system: SystemManifest = SYSTEM): TopicDeclaration[] {
  return system.services.flatMap((s) => [...s.topics]);
}

/** The topic that carries an event type; throws for a type no topic of the manifest carries. */
export function topicOfEvent(type: string, system: SystemManifest = SYSTEM): string {
  const topic = allTopics(system).find((t) => t.events.includes(type));
  if (!topic) throw new Error(`No topic of the system manifest carries ${type}`);
  return topic.name;
}

/** The topics a consumer group subscribes to: those that carry the events it consumes, sorted. */
export function topicsConsumedBy(
  group: { consumes: readonly string[] },
  system: SystemManifest = SYSTEM,
): string[] {
  return [...new Set(group.consumes.map((type) => topicOfEvent(type, system)))].sort();
}

/** Every consumer group of the system with its service and topics. */
export function consumerGroupsOf(
  system: SystemManifest = SYSTEM,
): { service: string; group: string; topics: string[] }[] {
  return system.services.flatMap((s) =>
    s.consumerGroups.map((g) => ({ service: s.name, group: g.name, topics: topicsConsumedBy(g, system) })),
  );
}

/** A service as it runs in one saga mode: what its groups consume there, and the command topics it sends to. */
export interface ServiceInMode extends ServiceDeclaration {
  mode: SagaMode;
  /** Other services' command topics it sends to in this mode (through its outbox), with their commands. */
  sends: readonly TopicDeclaration[];
}

/**
 * The declaration of one service in a saga mode: each consumer group's `consumes` is its `whenOrchestrated`
 * list under orchestration, and `sends` lists the command topics it sends to (none under choreography).
 */
export function serviceIn(name: string, mode: SagaMode, system: SystemManifest = SYSTEM): ServiceInMode {
  const service = serviceOf(name, system);
  return {
    ...service,
    mode,
    consumerGroups: service.consumerGroups.map((group) => ({
      name: group.name,
      consumes: mode === 'orchestration' ? (group.whenOrchestrated ?? group.consumes) : group.consumes,
    })),
    sends: mode === 'orchestration' ? allTopics(system).filter((t) => t.sentBy?.includes(name) ?? false) : [],
  };
}
