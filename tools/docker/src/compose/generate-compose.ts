/**
 * docker-compose.yml from the system manifest: the infrastructure template, then one service per manifest
 * entry, built from the one Dockerfile, on its manifest port, with its database (the relay with every
 * outbox). Deterministic text, so the committed file can be compared with a fresh rendering.
 */
import {
  databasesOf,
  LOCAL_ADMIN_TOKENS,
  outboxSources,
  SYSTEM,
  type ServiceDeclaration,
  type SystemManifest,
} from '@orderstream/system';
import { INFRASTRUCTURE_TEMPLATE } from './infrastructure.template';

/** LOCAL DEVELOPMENT DEFAULTS ONLY (see the top of docker-compose.yml): the compose network's PostgreSQL. */
const POSTGRES_IN_NETWORK = 'postgres://orderstream:orderstream@postgres:5432';

export function renderCompose(system: SystemManifest = SYSTEM): string {
  const databases = Object.values(databasesOf(system)).join(' ');
  const infrastructure = INFRASTRUCTURE_TEMPLATE.replace('{{databases}}', databases);
  return `${infrastructure}${system.services.map((s) => renderService(s, system)).join('\n')}`;
}

function renderService(service: ServiceDeclaration, system: SystemManifest): string {
  const environment = [`      PORT: '${service.port}'`];
  if (service.database) {
    environment.push(`      DATABASE_URL: ${POSTGRES_IN_NETWORK}/${service.database}`);
  }
  for (const called of service.calls ?? []) {
    const target = system.services.find((s) => s.name === called);
    // Services find each other by their compose service name on the project's network.
    if (target)
      environment.push(
        `      ${called.toUpperCase().replace(/-/g, '_')}_URL: http://${called}:${target.port}`,
      );
  }
  if (service.relaysOutboxes) {
    environment.push(
      "      # The relay owns no database: it reads each service's outbox table, one source per name.",
      `      OUTBOX_SOURCES: ${outboxSources((s) => `${POSTGRES_IN_NETWORK}/${s.database as string}`, system)}`,
    );
  }
  const ports = [`      - '${service.port}:${service.port}'`];
  if (service.adminPort !== undefined) {
    // The admin API is bound to this machine only, like the observability UIs: it changes what the system does.
    ports.push(`      - '127.0.0.1:${service.adminPort}:${service.adminPort}'`);
    environment.push(
      `      OPS_ADMIN_PORT: '${service.adminPort}'`,
      '      # LOCAL DEVELOPMENT DEFAULT ONLY: the console asks for this token. Set your own outside a laptop.',
      `      OPS_ADMIN_TOKENS: ${LOCAL_ADMIN_TOKENS}`,
    );
  }
  return `  # ${service.description}
  ${service.name}:
    <<: *service
    image: ${service.image}
    build:
      context: .
      dockerfile: Dockerfile
      args:
        SERVICE: ${service.name}
    ports:
${ports.join('\n')}
    environment:
      <<: *service-environment
${environment.join('\n')}
`;
}
