/**
 * `docker compose build` (or Debian's `docker-compose` 1.29, which the machine offers) from the repository's
 * docker-compose.yml, on the local Node base image passed as the NODE_IMAGE build argument.
 *
 * Compose 1.29 cannot pass a build secret (its file format has no build `secrets`, and its CLI builder no
 * --secret), so on a machine whose TLS is intercepted its `npm ci` runs only on what the secret-bearing
 * builds just left: their layers (same Dockerfile, context and arguments, so BuildKit reuses them) or, when a
 * manifest changed in between, the npm cache mount they filled (seen here: 3 minutes instead of seconds).
 * The check proves that the compose file builds the services, and reports whether each image is identical
 * to the one built directly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { run, succeeds } from './command';
import { DOCKER, docker, ensureDebianPackages, type Engine } from './engine';

export interface ComposeBuild {
  tool: string;
  seconds: number;
  /** Per service: the compose-built image id equals the directly built one. */
  identical: Record<string, boolean>;
}

const PROJECT = 'orderstream-local';

export async function composeBuild(
  engine: Engine,
  options: {
    root: string;
    nodeImage: string;
    images: ReadonlyMap<string, string>;
    log: (line: string) => void;
  },
): Promise<ComposeBuild> {
  // Compose runs `docker build` from PATH: Debian's client must come first (see engine.ts for why).
  const env = { ...engine.env, PATH: `/usr/bin:${process.env['PATH'] ?? ''}`, COMPOSE_DOCKER_CLI_BUILD: '1' };
  let command: string[];
  if (await succeeds(DOCKER, ['compose', 'version'], { env })) {
    command = [DOCKER, 'compose'];
  } else {
    await ensureDebianPackages(['docker-compose'], options.log);
    command = ['docker-compose'];
  }
  const [file = 'docker-compose', ...prefix] = command;
  const { stdout: version } = await run(file, [...prefix, 'version', '--short'], { env });
  const tool = `${command.join(' ')} ${version.trim()}`;
  const started = Date.now();
  await run(
    file,
    [
      ...prefix,
      '--project-directory',
      options.root,
      '-f',
      `${options.root}/docker-compose.yml`,
      '-p',
      PROJECT,
      'build',
      '--build-arg',
      `NODE_IMAGE=${options.nodeImage}`,
    ],
    { env, cwd: options.root },
  );
  const seconds = (Date.now() - started) / 1000;

  const compose = parse(readFileSync(path.join(options.root, 'docker-compose.yml'), 'utf8')) as {
    services?: Record<string, { image?: string }>;
  };
  const imageOf = (service: string) => compose.services?.[service]?.image;
  const identical: Record<string, boolean> = {};
  for (const [service, image] of options.images) {
    const idOf = async (ref: string) =>
      (
        await docker(engine, ['image', 'inspect', '--format', '{{.Id}}', ref]).catch(() => ({ stdout: '' }))
      ).stdout.trim();
    // The service's `image:` when the file names one; else Compose 1.x's project_service or 2.x's project-service.
    const names = [imageOf(service), `${PROJECT}_${service}`, `${PROJECT}-${service}`].filter(
      (name): name is string => name !== undefined,
    );
    const composed = (await Promise.all(names.map(idOf))).find(Boolean);
    if (!composed)
      throw new Error(`${tool} build left no image for ${service} (looked for ${names.join(', ')})`);
    identical[service] = composed === (await idOf(image));
    // Only the tags go: their layers are the directly built images'.
    await Promise.allSettled(names.map((name) => docker(engine, ['rmi', name])));
  }
  return { tool, seconds, identical };
}
