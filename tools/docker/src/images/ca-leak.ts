/**
 * Proof that the CA bundle given to `npm ci` as the ca_bundle build secret stays out of the runtime image:
 * no NODE_EXTRA_CA_CERTS in its environment or history, no /run/secrets/ca_bundle in its filesystem, and
 * none of the certificates the machine added to its bundle (those Node does not already ship) anywhere in
 * the image's files. The image's filesystem is read as `docker export` streams it, once.
 */
import { spawn } from 'node:child_process';
import { rootCertificates } from 'node:tls';
import { docker, DOCKER, type Engine } from './engine';

export const CA_SECRET_ID = 'ca_bundle';

/** The base64 body of each certificate in a PEM text, whitespace removed. */
export function certificateBodies(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );
}

/**
 * The certificates of `bundle` that are not among `builtIn` (Node's own root store by default). Node's
 * binary embeds its roots, so only these can tell a copy of the bundle from Node itself.
 */
export function addedCertificates(bundle: string, builtIn: readonly string[] = rootCertificates): string[] {
  const known = new Set(builtIn.flatMap(certificateBodies));
  return certificateBodies(bundle).filter((body) => !known.has(body));
}

/** What a PEM file holding the certificate contains: its first two 64-character lines, as written. */
export function pemNeedle(body: string): string {
  return `${body.slice(0, 64)}\n${body.slice(64, 128)}`;
}

/** Finds byte strings in a stream, including ones split across chunks. */
export class NeedleScanner {
  private carry = Buffer.alloc(0);
  private readonly found = new Set<string>();
  private readonly needles: { text: string; bytes: Buffer }[];
  private readonly overlap: number;
  scanned = 0;

  constructor(needles: readonly string[]) {
    this.needles = needles.map((text) => ({ text, bytes: Buffer.from(text) }));
    this.overlap = Math.max(0, ...this.needles.map((n) => n.bytes.length - 1));
  }

  push(chunk: Buffer): void {
    this.scanned += chunk.length;
    const window = Buffer.concat([this.carry, chunk]);
    for (const needle of this.needles) if (window.includes(needle.bytes)) this.found.add(needle.text);
    this.carry = window.subarray(Math.max(0, window.length - this.overlap));
  }

  matches(): string[] {
    return [...this.found];
  }
}

export interface CaLeakReport {
  /** Certificates of the bundle that were looked for (the ones Node does not ship). */
  certificates: number;
  scannedBytes: number;
}

/** Thrown when the CA bundle or its variable reached the image. */
export class CaLeakError extends Error {
  override name = 'CaLeakError';
}

function exportScan(engine: Engine, container: string, scanner: NeedleScanner): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, ['export', container], {
      env: engine.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => scanner.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`docker export ${container} failed: ${stderr.trim()}`)),
    );
  });
}

export async function assertNoCaInImage(
  engine: Engine,
  image: string,
  bundle: string,
): Promise<CaLeakReport> {
  const { stdout: env } = await docker(engine, [
    'image',
    'inspect',
    '--format',
    '{{json .Config.Env}}',
    image,
  ]);
  const { stdout: history } = await docker(engine, [
    'history',
    '--no-trunc',
    '--format',
    '{{.CreatedBy}}',
    image,
  ]);
  const problems: string[] = [];
  if (env.includes('NODE_EXTRA_CA_CERTS'))
    problems.push(`its environment sets NODE_EXTRA_CA_CERTS: ${env.trim()}`);
  if (/NODE_EXTRA_CA_CERTS|ca_bundle/.test(history)) problems.push('its history mentions the CA secret');

  const added = addedCertificates(bundle);
  // A tar stream names each file in its header, so the secret's path is found the same way as contents.
  const scanner = new NeedleScanner([`run/secrets/${CA_SECRET_ID}`, ...added.map(pemNeedle)]);
  const { stdout: created } = await docker(engine, ['create', image]);
  const container = created.trim();
  try {
    await exportScan(engine, container, scanner);
  } finally {
    await docker(engine, ['rm', container]);
  }
  for (const match of scanner.matches()) {
    problems.push(
      match.startsWith('run/')
        ? `it has the file /${match}`
        : `a file holds the certificate starting ${match.slice(0, 24)}…`,
    );
  }
  if (problems.length > 0) throw new CaLeakError(`${image} carries the CA bundle: ${problems.join('; ')}`);
  return { certificates: added.length, scannedBytes: scanner.scanned };
}
