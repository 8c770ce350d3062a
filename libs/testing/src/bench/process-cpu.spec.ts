import { childProcess, infrastructurePorts } from './bench-processes';
import {
  cpuUsage,
  memberTicks,
  parseMachineCpu,
  parseProcStat,
  postgresPartOf,
  processTree,
  sampleTargets,
  type CpuSnapshot,
  type CpuTarget,
  type ProcStat,
} from './process-cpu';

/** A /proc/<pid>/stat line as Linux writes it, with the given times (52 fields in all). */
function statLine(pid: number, comm: string, ppid: number, times: [number, number, number, number]): string {
  const [utime, stime, cutime, cstime] = times;
  const rest = Array.from({ length: 37 }, (_, i) => String(i));
  return `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1520 0 0 0 ${utime} ${stime} ${cutime} ${cstime} ${rest.join(' ')}\n`;
}

function stat(pid: number, ppid: number, utime: number, stime = 0, cutime = 0, cstime = 0): ProcStat {
  return { pid, comm: `p${pid}`, state: 'S', ppid, utime, stime, cutime, cstime };
}

function snapshot(atMs: number, busy: number, total: number, targets: CpuSnapshot['targets']): CpuSnapshot {
  return { atMs, machine: { busy, total }, targets };
}

describe('parseProcStat', () => {
  it('reads pid, name, state, parent and the four times', () => {
    expect(parseProcStat(statLine(2625, 'postgres', 1, [1200, 300, 4500, 800]))).toEqual({
      pid: 2625,
      comm: 'postgres',
      state: 'S',
      ppid: 1,
      utime: 1200,
      stime: 300,
      cutime: 4500,
      cstime: 800,
    });
  });

  it('finds the fields after a command name with spaces and parentheses', () => {
    const parsed = parseProcStat(statLine(77, 'node (worker) 1', 12, [5, 6, 7, 8]));
    expect(parsed).toMatchObject({ pid: 77, comm: 'node (worker) 1', ppid: 12, utime: 5, cstime: 8 });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow('Not a /proc/<pid>/stat line');
  });
});

describe('parseMachineCpu', () => {
  it('counts user, nice, system, irq, softirq and steal as busy, and idle and iowait on top as total', () => {
    const procStat = [
      'cpu  100 5 40 1000 20 3 2 1 50 0',
      'cpu0 50 2 20 500 10 1 1 0 25 0',
      'intr 12345',
    ].join('\n');
    expect(parseMachineCpu(procStat)).toEqual({ busy: 151, total: 1171 });
  });
});

describe('processTree', () => {
  it('takes the root and every descendant, not its siblings', () => {
    const stats = [
      stat(1, 0, 0),
      stat(10, 1, 1),
      stat(11, 10, 2),
      stat(12, 10, 3),
      stat(13, 11, 4),
      stat(20, 1, 9),
    ];
    expect(
      processTree(10, stats)
        .map((s) => s.pid)
        .sort((a, b) => a - b),
    ).toEqual([10, 11, 12, 13]);
  });

  it('is empty when the root is gone', () => {
    expect(processTree(99, [stat(1, 0, 0)])).toEqual([]);
  });
});

describe('sampleTargets', () => {
  const stats = [
    stat(100, 1, 10, 5, 400, 100), // postmaster, its reaped backends in cutime/cstime
    stat(101, 100, 30, 10), // orders backend
    stat(102, 100, 20, 5), // walwriter
    stat(200, 1, 70, 30, 999, 999), // the bench, whose reaped children are not its own CPU
  ];
  const commandLines: Record<number, string> = {
    100: '/usr/bin/postgres -D /data -p 5432',
    101: 'postgres: orderstream e2e_saga_orders_1 127.0.0.1(51234) idle',
    102: 'postgres: walwriter',
  };

  it('sums a tree with reaped children, and a process alone without them', () => {
    const targets: CpuTarget[] = [
      { name: 'PostgreSQL', pid: 100, scope: 'tree' },
      { name: 'bench', pid: 200, scope: 'process' },
    ];
    expect(sampleTargets(targets, stats, (pid) => commandLines[pid] ?? '')).toEqual([
      { name: 'PostgreSQL', pid: 100, ticks: 515 + 40 + 25, parts: new Map() },
      { name: 'bench', pid: 200, ticks: 100, parts: new Map() },
    ]);
    expect(memberTicks(stats[0] as ProcStat)).toBe(515);
  });

  it('splits a tree into parts', () => {
    const partOf = postgresPartOf(new Map([['e2e_saga_orders_1', 'orders database']]), 100);
    const [sample] = sampleTargets(
      [{ name: 'PostgreSQL', pid: 100, scope: 'tree', partOf }],
      stats,
      (pid) => commandLines[pid] ?? '',
    );
    expect(sample?.parts).toEqual(
      new Map([
        ['postmaster, exited processes (autovacuum workers, short connections), other databases', 515],
        ['orders database', 40],
        ['background processes (checkpointer, WAL, I/O workers …)', 25],
      ]),
    );
  });

  it('marks a target that is not running', () => {
    expect(sampleTargets([{ name: 'relay', pid: 300, scope: 'tree' }], stats, () => '')).toEqual([
      { name: 'relay', pid: 300, ticks: undefined, parts: new Map() },
    ]);
  });
});

describe('postgresPartOf', () => {
  const partOf = postgresPartOf(new Map([['db_a', 'orders database']]), 1);
  const member = stat(5, 1, 0);

  it.each([
    ['postgres: orderstream db_a 127.0.0.1(40000) idle', 'orders database'],
    ['postgres: orderstream db_a [local] SELECT', 'orders database'],
    [
      'postgres: orderstream other_db 127.0.0.1(40001) idle in transaction',
      'postmaster, exited processes (autovacuum workers, short connections), other databases',
    ],
    ['postgres: autovacuum worker db_a', 'autovacuum'],
    ['postgres: autovacuum launcher', 'autovacuum'],
    ['postgres: checkpointer ', 'background processes (checkpointer, WAL, I/O workers …)'],
    ['postgres: io worker 1', 'background processes (checkpointer, WAL, I/O workers …)'],
  ])('puts %p in %p', (commandLine, part) => {
    expect(partOf(member, commandLine)).toBe(part);
  });

  it('puts the postmaster with the backends it reaped', () => {
    expect(partOf(stat(1, 0, 0), '/usr/bin/postgres -D /data')).toBe(
      'postmaster, exited processes (autovacuum workers, short connections), other databases',
    );
  });
});

describe('cpuUsage', () => {
  it('gives each target its CPU in the phase, per unit and as a share of the machine, then the sums', () => {
    const start = snapshot(1_000, 10_000, 50_000, [
      { name: 'orders', pid: 1, ticks: 100, parts: new Map() },
      {
        name: 'PostgreSQL',
        pid: 2,
        ticks: 1_000,
        parts: new Map([
          ['a', 600],
          ['b', 400],
        ]),
      },
    ]);
    const end = snapshot(11_000, 11_000, 52_000, [
      { name: 'orders', pid: 1, ticks: 300, parts: new Map() },
      {
        name: 'PostgreSQL',
        pid: 2,
        ticks: 1_500,
        parts: new Map([
          ['a', 700],
          ['b', 800],
        ]),
      },
    ]);

    // 100 ticks per second: 1 tick = 10 ms. The machine used 1,000 ticks = 10 s of 20 s of CPU time.
    expect(cpuUsage(start, end, 200, 100)).toEqual({
      wallMs: 10_000,
      units: 200,
      machineBusyMs: 10_000,
      machineUtilisation: 0.5,
      rows: [
        { name: 'orders', pid: 1, part: false, cpuMs: 2_000, perUnitMs: 10, shareOfMachine: 0.2 },
        { name: 'PostgreSQL', pid: 2, part: false, cpuMs: 5_000, perUnitMs: 25, shareOfMachine: 0.5 },
        { name: 'b', part: true, cpuMs: 4_000, perUnitMs: 20, shareOfMachine: 0.4 },
        { name: 'a', part: true, cpuMs: 1_000, perUnitMs: 5, shareOfMachine: 0.1 },
        {
          name: 'measured processes together',
          part: false,
          cpuMs: 7_000,
          perUnitMs: 35,
          shareOfMachine: 0.7,
        },
        {
          name: 'machine: all processes (/proc/stat)',
          part: false,
          cpuMs: 10_000,
          perUnitMs: 50,
          shareOfMachine: 1,
        },
        { name: 'machine: other processes', part: false, cpuMs: 3_000, perUnitMs: 15, shareOfMachine: 0.3 },
      ],
    });
  });

  it('says n/a for a process that was not running at both ends, or was replaced by another pid', () => {
    const start = snapshot(0, 0, 100, [
      { name: 'relay', pid: 5, ticks: 10, parts: new Map() },
      { name: 'orders', pid: 6, ticks: 10, parts: new Map() },
    ]);
    const end = snapshot(1_000, 100, 200, [
      { name: 'relay', pid: 5, ticks: undefined, parts: new Map() },
      { name: 'orders', pid: 7, ticks: 50, parts: new Map() },
    ]);

    const rows = cpuUsage(start, end, 10, 100).rows;
    expect(rows.slice(0, 2).map((r) => [r.name, r.cpuMs])).toEqual([
      ['relay', undefined],
      ['orders', undefined],
    ]);
    expect(rows.find((r) => r.name === 'measured processes together')?.cpuMs).toBe(0);
  });

  it('keeps a part that vanished, as a negative share moved elsewhere in the same tree', () => {
    const start = snapshot(0, 0, 100, [
      {
        name: 'pg',
        pid: 1,
        ticks: 30,
        parts: new Map([
          ['gone', 10],
          ['kept', 20],
        ]),
      },
    ]);
    const end = snapshot(1_000, 100, 200, [
      { name: 'pg', pid: 1, ticks: 40, parts: new Map([['kept', 40]]) },
    ]);

    expect(
      cpuUsage(start, end, 1, 100)
        .rows.filter((r) => r.part)
        .map((r) => [r.name, r.cpuMs]),
    ).toEqual([
      ['kept', 200],
      ['gone', -100],
    ]);
  });
});

describe('childProcess', () => {
  const stats = [stat(50, 10, 0), { ...stat(51, 10, 0), state: 'Z' }, stat(52, 10, 0), stat(53, 11, 0)];
  const commandLines: Record<number, string> = {
    50: 'node /repo/apps/payments/dist/main.js',
    51: 'node /repo/apps/orders/dist/main.js',
    52: 'node /repo/apps/orders/dist/main.js',
    53: 'node /repo/apps/orders/dist/main.js',
  };

  it('finds the live child of the parent whose command line matches', () => {
    expect(
      childProcess(
        10,
        stats,
        (pid) => commandLines[pid] ?? '',
        (cmd) => cmd.includes('apps/orders/dist/main.js'),
      ),
    ).toBe(52);
  });

  it('finds nothing for a process that is not a child', () => {
    expect(
      childProcess(
        10,
        stats,
        (pid) => commandLines[pid] ?? '',
        (cmd) => cmd.includes('relay'),
      ),
    ).toBeUndefined();
  });
});

describe('infrastructurePorts', () => {
  it('reads the ports of the brokers, the registry URL and the PostgreSQL URL', () => {
    expect(
      infrastructurePorts({
        source: 'environment',
        kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
        schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
        postgresUrl: 'postgres://u:p@127.0.0.1:5433/postgres',
        versions: { kafka: 'unknown', schemaRegistry: 'unknown', postgres: 'unknown' },
      }),
    ).toEqual({ kafka: [9092, 9093], registry: 8081, postgres: 5433 });
  });
});
