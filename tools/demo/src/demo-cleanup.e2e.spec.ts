/**
 * `npm run demo 2>&1 | tee demo.log`, then Ctrl-C, as a user does it: the reader of the launcher's output
 * is gone before the launcher is told to stop (in a terminal, Ctrl-C kills `tee` too), so every write of
 * the launcher fails with EPIPE. Whatever its output does, the launcher must stop everything it started —
 * the services and the infrastructure — and free every port; and a clean start logs no error line.
 *
 * The launcher runs against infrastructure of its own (other ports, its own state directory; the jars are
 * shared through the download cache), because the shared stack on the default ports is in use by other
 * tests and must not be touched. The services are the built ones (`dependsOn: ^build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraDown } from '@orderstream/infra';
import { RUN_FILE_NAME, type DemoRunFile } from './demo-run';
import { SERVICE_NAMES } from './services';
import { freePorts, isPortFree, isRunning, processesWithEnv, waitUntil } from './test/process-probes';

const DEMO_CLI = join(__dirname, 'demo.cli.ts');
/** Set in the launcher's environment, so every process it starts (and theirs) can be found by it. */
const MARKER = 'ORDERSTREAM_DEMO_CLEANUP_TEST';

/**
 * The scenario's one deliberate poison message (an OrderPlaced that is not Avro), dead-lettered by each
 * group that routes OrderPlaced, into its own dead-letter topic: payments and order-history. The only
 * errors a run logs.
 */
const POISON_DEAD_LETTERS = [
  ['order-history', 'Handler failed; message sent to dead-letter topic'],
  ['payments', 'Handler failed; message sent to dead-letter topic'],
];

interface LogLine {
  level: string;
  service?: string;
  msg?: string;
  [field: string]: unknown;
}

function readRunFile(logDir: string): DemoRunFile | undefined {
  try {
    return JSON.parse(readFileSync(join(logDir, RUN_FILE_NAME), 'utf8')) as DemoRunFile;
  } catch {
    return undefined;
  }
}

function logLines(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/**
 * The last `count` lines of a service's log, whatever their format: a JSON line as `level msg`, any other
 * line as it is. A service that dies of an uncaught exception writes its stack to stderr as plain text,
 * into the same file, and that stack is what its tail must show.
 */
function logTail(file: string, count: number): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .map((line) => {
      if (!line.startsWith('{')) return line;
      try {
        const parsed = JSON.parse(line) as LogLine;
        return `${parsed.level} ${parsed.msg}`;
      } catch {
        // A line cut off as the process ended.
        return line;
      }
    });
}

/**
 * The environment of the launcher: its own infrastructure, none of the shared stack's endpoints (the
 * download cache, ORDERSTREAM_CACHE_DIR, stays shared).
 */
function launcherEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const shared = /^(KAFKA_|SCHEMA_REGISTRY_|POSTGRES_)|_DATABASE_URL$|^LOG_LEVEL$|^ORDERSTREAM_KAFKA_/;
  for (const name of Object.keys(env)) if (shared.test(name)) delete env[name];
  return { ...env, NODE_OPTIONS: '', ...overrides };
}

type Exit = [number | null, NodeJS.Signals | null];

/** One launcher run with a stack of its own: fresh ports, state and log directories, a marker. */
class DemoUnderTest {
  readonly work = mkdtempSync(join(tmpdir(), 'orderstream-demo-cleanup-'));
  readonly stateDir = join(this.work, 'infra');
  readonly logDir = join(this.work, 'logs');
  readonly marker = randomUUID();
  ports: { kafka: number; registry: number; postgres: number; services: number } | undefined;
  launcher: ChildProcess | undefined;
  exit: Promise<Exit> | undefined;
  private exited: Exit | undefined;

  /**
   * Starts `demo.cli.ts` with stdout and stderr piped into `head -c 64` (`2>&1 | head`), which reads the
   * first line or so and exits: from then on the pipe has no reader. Resolves once `head` is gone.
   */
  async start(args: string[]): Promise<void> {
    this.ports = {
      kafka: await freePorts([0, 100]),
      registry: await freePorts([0, 1]),
      postgres: await freePorts([0]),
      services: await freePorts(SERVICE_NAMES.map((_, i) => i)),
    };
    const reader = spawn('head', ['-c', '64'], { stdio: ['pipe', 'ignore', 'inherit'] });
    const launcher = spawn(
      process.execPath,
      [
        '--conditions=@orderstream/source',
        '--import',
        'tsx',
        DEMO_CLI,
        ...args,
        '--base-port',
        String(this.ports.services),
        '--log-dir',
        this.logDir,
      ],
      {
        stdio: ['ignore', reader.stdin, reader.stdin],
        // Its own process group, like a shell's foreground job: Ctrl-C is a SIGINT to the group.
        detached: true,
        env: launcherEnv({
          ORDERSTREAM_KAFKA_PORT: String(this.ports.kafka),
          ORDERSTREAM_REGISTRY_PORT: String(this.ports.registry),
          ORDERSTREAM_POSTGRES_PORT: String(this.ports.postgres),
          ORDERSTREAM_INFRA_STATE_DIR: this.stateDir,
          [MARKER]: this.marker,
        }),
      },
    );
    reader.stdin.destroy();
    this.launcher = launcher;
    this.exit = once(launcher, 'exit') as Promise<Exit>;
    void this.exit.then((exit) => (this.exited = exit));
    await once(reader, 'exit');
  }

  /** The run file once `accept` takes it; fails at once if the launcher exits first. */
  runFileWhen(accept: (run: DemoRunFile) => boolean, what: string): Promise<DemoRunFile> {
    return waitUntil(
      () => {
        if (this.exited) {
          throw new Error(
            `the launcher exited (${this.exited.join(', ')}) before ${what}; run file: ${JSON.stringify(readRunFile(this.logDir))}`,
          );
        }
        const run = readRunFile(this.logDir);
        return run && accept(run) ? run : undefined;
      },
      what,
      240_000,
    );
  }

  /** Pids from the infrastructure's pid files (kafka-1, registry, postgres). */
  infraPids(): number[] {
    const run = join(this.stateDir, 'run');
    return readdirSync(run)
      .filter((file) => file.endsWith('.pid'))
      .map((file) => Number(readFileSync(join(run, file), 'utf8').trim()));
  }

  /** Every port of this run: the services', Kafka's broker and controller, the registry's two, PostgreSQL's. */
  allPorts(): number[] {
    const p = this.ports;
    if (!p) return [];
    return [
      ...SERVICE_NAMES.map((_, i) => p.services + i),
      p.kafka,
      p.kafka + 100,
      p.registry,
      p.registry + 1,
      p.postgres,
    ];
  }

  async busyPorts(): Promise<number[]> {
    const busy = [];
    for (const port of this.allPorts()) if (!(await isPortFree(port))) busy.push(port);
    return busy;
  }

  leftProcesses(): number[] {
    return processesWithEnv(MARKER, this.marker);
  }

  /** Only if an assertion failed part-way: leave nothing behind for the next run. */
  async dispose(): Promise<void> {
    if (this.launcher?.pid && this.launcher.exitCode === null && this.launcher.signalCode === null)
      process.kill(-this.launcher.pid, 'SIGKILL');
    for (const pid of this.leftProcesses()) process.kill(pid, 'SIGKILL');
    await infraDown({ stateDir: this.stateDir }).catch(() => undefined);
    rmSync(this.work, { recursive: true, force: true });
  }
}

describe('the demo launcher, its output piped into a reader that exits early', () => {
  let demo: DemoUnderTest;
  beforeEach(() => (demo = new DemoUnderTest()));
  afterEach(() => demo.dispose());

  it('on Ctrl-C stops every process it started, frees every port, and its services log no error on a clean start', async () => {
    await demo.start(['--orders', '20']);
    const running = await demo.runFileWhen((run) => run.phase === 'running', 'it ran its scenario');
    // The test exercised what it is about: the output was gone long before the stop was asked for.
    expect(running.output.stdout).toBe('EPIPE');
    expect(running.infrastructure).toEqual({ started: ['kafka', 'registry', 'postgres'], reused: [] });
    expect(running.services.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
    const pids = [...running.services.map((s) => s.pid), ...demo.infraPids()];
    expect(pids).toHaveLength(SERVICE_NAMES.length + 3);
    expect(pids.filter((pid) => !isRunning(pid))).toEqual([]);

    // Ctrl-C: SIGINT to the foreground process group.
    process.kill(-(demo.launcher?.pid as number), 'SIGINT');
    const [code, signal] = (await demo.exit) as Exit;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const stopped = readRunFile(demo.logDir);
    expect(stopped?.phase).toBe('stopped');
    // A service that did not exit 0 brings its last log lines into the failure: the test's directory, and
    // the logs in it, are deleted afterwards.
    const shutdownOf = (name: string, exitCode: number | null | undefined) => {
      const logFile = running.services.find((s) => s.name === name)?.logFile;
      const tail = exitCode === 0 || !logFile ? [] : logTail(logFile, 15);
      return [name, exitCode, tail];
    };
    expect(stopped?.services.map((s) => shutdownOf(s.name, s.exitCode))).toEqual(
      SERVICE_NAMES.map((n) => [n, 0, []]),
    );
    expect(pids.filter(isRunning)).toEqual([]);
    expect(demo.leftProcesses()).toEqual([]);
    expect(await demo.busyPorts()).toEqual([]);

    // A clean start, a scenario and a stop log no error, except the poison message the scenario sends.
    const errors = running.services
      .flatMap((s) => logLines(s.logFile))
      .filter((line) => line.level === 'error' || line.level === 'fatal');
    expect(errors.map((line) => [line.service, line.msg]).sort()).toEqual(POISON_DEAD_LETTERS);
  }, 300_000);

  it('on SIGTERM while the services are still starting stops them and the infrastructure it started', async () => {
    await demo.start(['--no-scenario']);
    const starting = await demo.runFileWhen(
      (run) => run.phase === 'starting-services' && run.services.length === SERVICE_NAMES.length,
      'every service was spawned',
    );
    const pids = [...starting.services.map((s) => s.pid), ...demo.infraPids()];

    process.kill(demo.launcher?.pid as number, 'SIGTERM');
    const [code, signal] = (await demo.exit) as Exit;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(readRunFile(demo.logDir)?.phase).toBe('stopped');
    expect(pids.filter(isRunning)).toEqual([]);
    expect(demo.leftProcesses()).toEqual([]);
    expect(await demo.busyPorts()).toEqual([]);
  }, 300_000);
});
