// Finding a Java runtime: Kafka 4 needs 17+, Apicurio Registry 3.3 is compiled for 21 (class file 65).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { run } from './proc';

export interface JavaRuntime {
  bin: string;
  version: string;
  major: number;
}

const probes = new Map<string, Promise<JavaRuntime | undefined>>();

function probe(bin: string): Promise<JavaRuntime | undefined> {
  let p = probes.get(bin);
  if (!p) {
    p = run(bin, ['-version'], { timeoutMs: 30_000 })
      .then((r) => {
        const version = /version "([^"]+)"/.exec(r.output)?.[1];
        if (r.code !== 0 || !version) return undefined;
        const parts = version.split(/[.+-]/).map(Number);
        const major = parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
        return { bin, version, major };
      })
      .catch(() => undefined);
    probes.set(bin, p);
  }
  return p;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function fromHome(home: string | undefined): string | undefined {
  return home ? path.join(home, 'bin', 'java') : undefined;
}

/** Java for Kafka: $JAVA_HOME/bin/java if JAVA_HOME is set, else `java` on PATH; must be 17 or newer. */
export async function kafkaJava(): Promise<JavaRuntime> {
  const bin = fromHome(process.env['JAVA_HOME']) ?? onPath('java');
  if (!bin) throw new Error('No Java found for Kafka: install a JDK 17+ (java on PATH) or set JAVA_HOME');
  const java = await probe(bin);
  if (!java) throw new Error(`Cannot run ${bin} -version (JAVA_HOME=${process.env['JAVA_HOME'] ?? 'unset'})`);
  if (java.major < 17) throw new Error(`Kafka 4 needs Java 17 or newer; ${bin} is ${java.version}`);
  return java;
}

/**
 * Java for Apicurio Registry: needs 21+. Tries $ORDERSTREAM_REGISTRY_JAVA_HOME, then the Kafka Java
 * ($JAVA_HOME / PATH), then the newest JDK under /usr/lib/jvm (e.g. Temurin 25).
 */
export async function registryJava(): Promise<JavaRuntime> {
  const explicit = process.env['ORDERSTREAM_REGISTRY_JAVA_HOME'];
  if (explicit) {
    const java = await probe(path.join(explicit, 'bin', 'java'));
    if (!java || java.major < 21) {
      throw new Error(
        `ORDERSTREAM_REGISTRY_JAVA_HOME=${explicit} is not a Java 21+ runtime (${java?.version ?? 'cannot run'})`,
      );
    }
    return java;
  }
  const candidates: string[] = [];
  const primary = fromHome(process.env['JAVA_HOME']) ?? onPath('java');
  if (primary) candidates.push(primary);
  const jvmDir = '/usr/lib/jvm';
  if (existsSync(jvmDir)) {
    for (const entry of readdirSync(jvmDir)) {
      const bin = path.join(jvmDir, entry, 'bin', 'java');
      if (existsSync(bin)) candidates.push(bin);
    }
  }
  const found = (await Promise.all(candidates.map(probe))).filter((j): j is JavaRuntime => j !== undefined);
  if (primary) {
    const first = found.find((j) => j.bin === primary);
    if (first && first.major >= 21) return first;
  }
  const newest = found.filter((j) => j.major >= 21).sort((a, b) => b.major - a.major)[0];
  if (newest) return newest;
  throw new Error(
    `Apicurio Registry 3.x needs Java 21 or newer (it is compiled for class file version 65); found only: ${
      found.map((j) => `${j.bin} (${j.version})`).join(', ') || 'none'
    }. Install a JDK 21+ or set ORDERSTREAM_REGISTRY_JAVA_HOME.`,
  );
}
