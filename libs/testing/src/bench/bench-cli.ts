/**
 * What every benchmark script shares around its measurements: integer options from the command line,
 * progress on stderr and the report on stdout (so `npm run -s bench > report.md` keeps only the report),
 * a guard that a stuck phase cannot hang the run, and the machine line every report starts with.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

/**
 * Parses `--name N` options, each a positive integer with the given default; any other option, or a value
 * that is not a positive integer, is an error naming it. Keys are the option names as typed.
 */
export function positiveIntegerOptions<const Name extends string>(
  defaults: Record<Name, number>,
  args: string[] = process.argv.slice(2),
): Record<Name, number> {
  const names = Object.keys(defaults) as Name[];
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
    strict: true,
  });
  const parsed = {} as Record<Name, number>;
  for (const name of names) {
    const raw = (values as Record<string, string | undefined>)[name];
    const value = raw === undefined ? defaults[name] : Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} must be a positive integer, got ${String(raw)}`);
    }
    parsed[name] = value;
  }
  return parsed;
}

/** A progress line, on stderr. */
export function benchProgress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** A line of the report, on stdout. */
export function benchOut(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Resolves with `promise`, or fails naming `what` after `ms`: a deadline guard (a stuck phase must not
 * hang the run), not a wait.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1_000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `Machine: 2 × <CPU model>, 24 GiB RAM, linux/x64, Node v24.…`: the first line of every report. */
export function machineLine(): string {
  const cpu = cpus();
  return (
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
    `${process.platform}/${process.arch}, Node ${process.version}`
  );
}

/**
 * `1.52 / 1.10 / 0.68`: the machine's load average over 1, 5 and 15 minutes, for the report's load line.
 * On a machine shared with other work it tells a reader how much of the run's CPU was the bench's own.
 */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}
