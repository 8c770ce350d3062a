/**
 * Builds the service images from the repository's Dockerfile with BuildKit, on a given Node base image,
 * with the machine's CA bundle as the ca_bundle secret; and proves that a build without SERVICE fails
 * with the message that says what to pass.
 */
import path from 'node:path';
import { CA_SECRET_ID } from './ca-leak';
import { CommandError } from './command';
import { docker, type Engine } from './engine';

export interface BuiltImage {
  service: string;
  image: string;
  seconds: number;
  bytes: number;
}

/** The name the image gets here, as in docs/docker.md's `docker build ... -t orderstream-orders .`. */
export function serviceImageRef(service: string): string {
  return `orderstream-${service}:local`;
}

function buildArgs(root: string, nodeImage: string, caBundle: string | undefined, extra: string[]): string[] {
  return [
    'build',
    '--progress=plain',
    '--build-arg',
    `NODE_IMAGE=${nodeImage}`,
    ...(caBundle ? ['--secret', `id=${CA_SECRET_ID},src=${caBundle}`] : []),
    ...extra,
    root,
  ];
}

export async function buildServiceImage(
  engine: Engine,
  options: { root: string; service: string; nodeImage: string; caBundle: string | undefined; logDir: string },
): Promise<BuiltImage> {
  const image = serviceImageRef(options.service);
  const started = Date.now();
  await docker(
    engine,
    buildArgs(options.root, options.nodeImage, options.caBundle, [
      '--build-arg',
      `SERVICE=${options.service}`,
      '--tag',
      image,
    ]),
    { logFile: path.join(options.logDir, `build-${options.service}.log`) },
  );
  const seconds = (Date.now() - started) / 1000;
  const { stdout } = await docker(engine, ['image', 'inspect', '--format', '{{.Size}}', image]);
  return { service: options.service, image, seconds, bytes: Number(stdout.trim()) };
}

/** The line workspaces.mjs prints when SERVICE is missing; the build must fail with it. */
export const MISSING_SERVICE_MESSAGE = 'SERVICE is not set: build with --build-arg SERVICE=<app>';

export async function assertBuildWithoutServiceFails(
  engine: Engine,
  options: { root: string; nodeImage: string; caBundle: string | undefined },
): Promise<string> {
  try {
    await docker(engine, buildArgs(options.root, options.nodeImage, options.caBundle, []));
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    const line = error.output.split('\n').find((l) => l.includes(MISSING_SERVICE_MESSAGE));
    if (line === undefined) {
      throw new Error(
        `docker build without SERVICE failed, but without saying "${MISSING_SERVICE_MESSAGE}":\n${error.message}`,
        { cause: error },
      );
    }
    return line.replace(/^#\d+ [\d.]+ /, '');
  }
  throw new Error('docker build without --build-arg SERVICE succeeded; it must fail and say what to pass');
}
