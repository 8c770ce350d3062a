/**
 * What the demo-cleanup test needs to know about processes and ports, and waiting on conditions.
 *
 * Small on purpose and not from @orderstream/testing: tools may not depend on the testing library (it
 * depends on tools/infra), so this one test of a tool carries its own probes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/** Whether a process runs (a zombie, dead but not yet reaped, does not count). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name in parentheses, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of the running processes whose environment has `name=value` (inherited from whoever started them). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(needle) && isRunning(pid)) pids.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** Whether nothing listens on the port at 127.0.0.1 (everything of ours binds there). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * The lowest port of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, 32768 by
 * default). The kernel hands those out to every outgoing connection, so a port picked there can be taken by
 * any Kafka or PostgreSQL client of a test running next to this one before the demo binds it (CI saw it).
 */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 2_000 ? port : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A base port whose `offsets` (e.g. Kafka's broker and its controller at +100) are all free now, below the
 * ephemeral range, where only a process that binds a port on purpose can take one. Another such process
 * could still take one in between; the test starts what needs them at once.
 */
export async function freePorts(offsets: readonly number[]): Promise<number> {
  const top = ephemeralRangeStart() - Math.max(...offsets) - 1;
  const bottom = 10_000;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = bottom + randomInt(top - bottom);
    const free = await Promise.all(offsets.map((offset) => isPortFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no free ports at offsets ${offsets.join(', ')} after 50 attempts`);
}

/**
 * Polls `probe` until it returns a value other than undefined/false; a probe that throws fails the wait
 * at once (it knows the condition can no longer be met).
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
