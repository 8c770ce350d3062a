/**
 * CI's image step: every service's image built from the repository's Dockerfile and booted against the
 * native infrastructure, on a machine that reaches no image registry. Run after the build, as root:
 *
 *   npx tsx tools/docker/src/images/ci-images.cli.ts
 *
 * 1. the Docker engine: Debian's docker.io and debootstrap installed if missing, dockerd started if no
 *    engine answers (and stopped at the end);
 * 2. a local stand-in for node:24-slim (node-base-image.ts), cached in the engine and under .cache/docker;
 * 3. a build without SERVICE must fail saying what to pass; then each service's image, with the machine's
 *    CA bundle as a build secret, and the proof that no image carries it;
 * 4. each image run with host networking against the native infrastructure (reused when it runs, else
 *    started and stopped again) until /health/ready answers 200;
 * 5. `docker compose build` from docker-compose.yml;
 * 6. a report: build time and size per image, time to ready, and the step's total.
 * Nothing is pulled from a registry.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@orderstream/demo';
import { infraDown, infraUpDetailed } from '@orderstream/infra';
import { bootImages, type BootResult } from './boot-check';
import { formatReport, mb, s } from './report';
import { assertNoCaInImage } from './ca-leak';
import { run } from './command';
import { composeBuild } from './compose-build';
import { ensureDebianPackages, ensureEngine } from './engine';
import { DEBIAN_RELEASE, ensureNodeBase } from './node-base-image';
import { assertBuildWithoutServiceFails, buildServiceImage, type BuiltImage } from './service-images';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CACHE_DIR = path.join(ROOT, '.cache', 'docker');
const LOG_DIR = path.join(CACHE_DIR, 'logs');

const log = (line: string): void => {
  process.stdout.write(`[images] ${line}\n`);
};

/** The CA bundle `npm ci` needs where TLS is intercepted: the one Node is told to trust, else the system's. */
function caBundle(): string | undefined {
  return [process.env['NODE_EXTRA_CA_CERTS'], '/etc/ssl/certs/ca-certificates.crt'].find(
    (file): file is string => !!file && existsSync(file),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(LOG_DIR, { recursive: true });
  const nodeVersion = readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim();
  const npmVersion = (await run('npm', ['--version'])).stdout.trim();

  await ensureDebianPackages(['docker.io', 'debootstrap'], log);
  const engine = await ensureEngine(LOG_DIR, log);
  try {
    const base = await ensureNodeBase(
      engine,
      { nodeVersion, npmVersion, release: DEBIAN_RELEASE },
      CACHE_DIR,
      log,
    );
    log(
      `base image ${base.ref}: ${base.source === 'engine' ? 'cached in the engine' : `from ${base.source}`} (${s(base.seconds)})`,
    );

    const ca = caBundle();
    log(
      ca
        ? `CA bundle for npm ci, as the ca_bundle build secret: ${ca}`
        : 'no CA bundle on this machine; building without the secret',
    );
    const options = { root: ROOT, nodeImage: base.ref, caBundle: ca };
    log(
      `docker build without SERVICE fails as it should: ${await assertBuildWithoutServiceFails(engine, options)}`,
    );

    // One build at a time: the machine is small, and after the first the shared stages come from the cache.
    const built: BuiltImage[] = [];
    for (const service of SERVICE_NAMES) {
      const image = await buildServiceImage(engine, { ...options, service, logDir: LOG_DIR });
      log(`built ${image.image} in ${s(image.seconds)}, ${mb(image.bytes)}`);
      built.push(image);
    }
    if (ca) {
      const bundle = readFileSync(ca, 'utf8');
      for (const image of built) {
        const report = await assertNoCaInImage(engine, image.image, bundle);
        log(
          `${image.image} carries no CA secret: no NODE_EXTRA_CA_CERTS, no /run/secrets/ca_bundle, none of the ` +
            `${report.certificates} certificate(s) the machine adds to Node's in ${mb(report.scannedBytes)} of files`,
        );
      }
    }

    const images = new Map<ServiceName, string>(built.map((b) => [b.service as ServiceName, b.image]));
    const infra = await infraUpDetailed({ log: (line) => log(`infra: ${line}`) });
    let booted: BootResult[];
    try {
      booted = await bootImages(engine, infra.endpoints, images, log);
    } finally {
      // Stop only what this step started; a stack that was already running stays up for whoever runs it.
      if (infra.started.length > 0) await infraDown({ log: (line) => log(`infra: ${line}`) });
    }

    const compose = await composeBuild(engine, { root: ROOT, nodeImage: base.ref, images, log });
    const same = Object.entries(compose.identical);
    log(
      `${compose.tool} build from docker-compose.yml in ${s(compose.seconds)}; identical to the direct builds: ` +
        same.map(([service, equal]) => `${service} ${equal ? 'yes' : 'no'}`).join(', '),
    );

    process.stdout.write(`\n${formatReport(built, booted)}\n`);
    process.stdout.write(
      `base image: ${base.source} (${s(base.seconds)}); engine: ${engine.version}${engine.started ? ' (started by this step)' : ''}; ` +
        `step total ${s((Date.now() - started) / 1000)}\n`,
    );
  } finally {
    await engine.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[images] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
