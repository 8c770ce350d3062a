/**
 * CPU time per process over a phase of a benchmark, from /proc (Linux): a snapshot at the start and one at
 * the end, each process's ticks subtracted, divided by the units of work done in between (sagas). Where the
 * time goes, per process, is what the next optimisation needs; a profiler inside one process cannot say how
 * much PostgreSQL or the broker spent on its behalf.
 *
 * A process's ticks are `utime + stime` from /proc/<pid>/stat (all its threads). A process tree (PostgreSQL:
 * the postmaster and a backend per connection) adds, for each live member, `cutime + cstime`: the CPU of
 * children it has already reaped. A backend that exits during the phase thereby stays counted (in its
 * parent), and one that started during it is counted from zero, so the tree's difference is its CPU in the
 * phase. The machine's total (all processes, from /proc/stat) is sampled too, so what the measured
 * processes leave over is visible as "other processes".
 *
 * Parsing and arithmetic are pure functions, tested without /proc; `takeCpuSnapshot` reads /proc.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat this accounting needs; times in clock ticks. */
export interface ProcStat {
  pid: number;
  /** The command name, without its parentheses (it may contain spaces and parentheses itself). */
  comm: string;
  state: string;
  ppid: number;
  utime: number;
  stime: number;
  /** CPU of the children this process has waited for. */
  cutime: number;
  cstime: number;
}

/** Parses one /proc/<pid>/stat line (proc(5)); the command name is found by its last `)`. */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`Not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // After the name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const number = (index: number): number => {
    const value = Number(fields[index]);
    if (!Number.isFinite(value))
      throw new Error(`/proc/<pid>/stat field ${index + 3} is not a number: ${text}`);
    return value;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '?',
    ppid: number(1),
    utime: number(11),
    stime: number(12),
    cutime: number(13),
    cstime: number(14),
  };
}

/** The machine's CPU time since boot, all CPUs together, in clock ticks. */
export interface MachineCpu {
  /** user + nice + system + irq + softirq + steal (guest time is already part of user). */
  busy: number;
  /** busy + idle + iowait. */
  total: number;
}

/** Reads the aggregate `cpu` line of /proc/stat. */
export function parseMachineCpu(procStat: string): MachineCpu {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate "cpu" line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** `root` and every process below it, root first; empty when `root` is not among `stats`. */
export function processTree(root: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const top = stats.find((stat) => stat.pid === root);
  if (!top) return [];
  const tree: ProcStat[] = [];
  const pending = [top];
  for (let next = pending.pop(); next; next = pending.pop()) {
    tree.push(next);
    pending.push(...(children.get(next.pid) ?? []));
  }
  return tree;
}

/** CPU ticks of one process alone. */
export const ownTicks = (stat: ProcStat): number => stat.utime + stat.stime;

/** CPU ticks of one tree member, the children it reaped included (they are no longer in the tree). */
export const memberTicks = (stat: ProcStat): number => stat.utime + stat.stime + stat.cutime + stat.cstime;

export interface CpuTarget {
  /** How the report names it: `orders`, `PostgreSQL`, `the bench client`. */
  name: string;
  pid: number;
  /**
   * `process`: the process alone, not its children (the bench client, whose children are the services
   * measured on their own rows); `tree`: the process and everything below it.
   */
  scope: 'process' | 'tree';
  /** For a tree: which part of it a member is (e.g. PostgreSQL's backends by database), for sub-rows. */
  partOf?: (member: ProcStat, commandLine: string) => string;
}

export interface TargetSample {
  name: string;
  pid: number;
  /** Undefined when the process was not running. */
  ticks: number | undefined;
  /** Ticks per part, when the target has `partOf`. */
  parts: Map<string, number>;
}

export interface CpuSnapshot {
  /** `performance.now()` when it was taken. */
  atMs: number;
  machine: MachineCpu;
  targets: TargetSample[];
}

/** The targets' ticks in one set of process stats. Pure: `commandLine` is asked only for parted trees. */
export function sampleTargets(
  targets: readonly CpuTarget[],
  stats: readonly ProcStat[],
  commandLine: (pid: number) => string,
): TargetSample[] {
  return targets.map((target) => {
    const parts = new Map<string, number>();
    const members =
      target.scope === 'tree'
        ? processTree(target.pid, stats)
        : stats.filter((stat) => stat.pid === target.pid);
    if (members.length === 0) return { name: target.name, pid: target.pid, ticks: undefined, parts };
    let ticks = 0;
    for (const member of members) {
      const used = target.scope === 'tree' ? memberTicks(member) : ownTicks(member);
      ticks += used;
      if (target.partOf) {
        const part = target.partOf(member, commandLine(member.pid));
        parts.set(part, (parts.get(part) ?? 0) + used);
      }
    }
    return { name: target.name, pid: target.pid, ticks, parts };
  });
}

export interface CpuRow {
  name: string;
  /** Absent on a part's row. */
  pid?: number;
  /** True for a sub-row of a target's parts. */
  part: boolean;
  /** CPU milliseconds in the phase; undefined when the process was not running at both ends. */
  cpuMs: number | undefined;
  /** `cpuMs` per unit of work. */
  perUnitMs: number | undefined;
  /** Share of all CPU time used on the machine in the phase. */
  shareOfMachine: number | undefined;
}

export interface CpuUsage {
  wallMs: number;
  units: number;
  /** CPU time all processes used in the phase (busy ticks of /proc/stat). */
  machineBusyMs: number;
  /** Busy ÷ (busy + idle + iowait): 1 means every CPU was busy all the phase. */
  machineUtilisation: number;
  /** The targets, each followed by its parts (largest first), then the sums. */
  rows: CpuRow[];
}

/**
 * What each target used between two snapshots, per unit of work, plus three summary rows: the measured
 * processes together, the machine (every process), and the difference (processes nobody measured).
 */
export function cpuUsage(
  start: CpuSnapshot,
  end: CpuSnapshot,
  units: number,
  ticksPerSecond: number,
): CpuUsage {
  const toMs = (ticks: number): number => (ticks * 1_000) / ticksPerSecond;
  const machineBusyMs = toMs(end.machine.busy - start.machine.busy);
  const machineTotal = end.machine.total - start.machine.total;
  const row = (name: string, cpuMs: number | undefined, extra: Partial<CpuRow> = {}): CpuRow => ({
    name,
    part: false,
    cpuMs,
    perUnitMs: cpuMs === undefined ? undefined : cpuMs / units,
    shareOfMachine: cpuMs === undefined || machineBusyMs <= 0 ? undefined : cpuMs / machineBusyMs,
    ...extra,
  });

  const rows: CpuRow[] = [];
  let measuredMs = 0;
  for (const after of end.targets) {
    const before = start.targets.find((t) => t.name === after.name && t.pid === after.pid);
    const ticks =
      before?.ticks !== undefined && after.ticks !== undefined ? after.ticks - before.ticks : undefined;
    const cpuMs = ticks === undefined ? undefined : toMs(ticks);
    if (cpuMs !== undefined) measuredMs += cpuMs;
    rows.push(row(after.name, cpuMs, { pid: after.pid }));
    if (cpuMs === undefined || !before) continue;
    const parts = [...after.parts].map(
      ([name, ticksAfter]) => [name, toMs(ticksAfter - (before.parts.get(name) ?? 0))] as const,
    );
    for (const [name, partTicks] of before.parts) {
      if (!after.parts.has(name)) parts.push([name, toMs(-partTicks)]);
    }
    for (const [name, partMs] of parts.sort((a, b) => b[1] - a[1]))
      rows.push(row(name, partMs, { part: true }));
  }
  rows.push(row('measured processes together', measuredMs));
  rows.push(row('machine: all processes (/proc/stat)', machineBusyMs));
  rows.push(row('machine: other processes', machineBusyMs - measuredMs));
  return {
    wallMs: end.atMs - start.atMs,
    units,
    machineBusyMs,
    machineUtilisation: machineTotal > 0 ? (end.machine.busy - start.machine.busy) / machineTotal : 0,
    rows,
  };
}

/**
 * How PostgreSQL's processes divide up: a client backend (`postgres: <user> <database> <host> …`) by its
 * database (`databases` maps a database name to what the report calls it), the autovacuum launcher, the other
 * background processes; the postmaster itself, with every process that exited during the phase (it reaped
 * them: autovacuum workers, short-lived connections), and connections to other databases share one part.
 */
export function postgresPartOf(databases: ReadonlyMap<string, string>, postmaster: number) {
  return (member: ProcStat, commandLine: string): string => {
    if (member.pid === postmaster) return OTHER_POSTGRES;
    const words = commandLine.replace(/^postgres:\s*/, '').split(/\s+/);
    // A client backend's third word is its client: host(port), or [local] for a Unix socket.
    if (words.length >= 3 && /\(\d+\)$|^\[local\]$/.test(words[2] ?? '')) {
      return databases.get(words[1] ?? '') ?? OTHER_POSTGRES;
    }
    if (words[0] === 'autovacuum') return 'autovacuum';
    return 'background processes (checkpointer, WAL, I/O workers …)';
  };
}

const OTHER_POSTGRES =
  'postmaster, exited processes (autovacuum workers, short connections), other databases';

/** Every process's stat now; processes that end while being read are left out. */
export function readProcStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // Gone between readdir and read.
    }
  }
  return stats;
}

/** The command line of a process, arguments joined by spaces ('' when it is gone). */
export function processCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Clock ticks per second of /proc's times (USER_HZ): `getconf CLK_TCK`, 100 where that fails. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Reads /proc for the targets and the machine. Linux only. */
export function takeCpuSnapshot(targets: readonly CpuTarget[]): CpuSnapshot {
  const atMs = performance.now();
  const stats = readProcStats();
  const machine = parseMachineCpu(readFileSync('/proc/stat', 'utf8'));
  return { atMs, machine, targets: sampleTargets(targets, stats, processCommandLine) };
}
