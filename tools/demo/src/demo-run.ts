/**
 * What one `npm run demo` started, and how it is stopped: whatever happens, exactly once, and everything.
 *
 * Each thing is recorded the moment it exists, not when it is ready: the infrastructure's start is
 * tracked while it runs, a service by its pid as soon as it is spawned. So a stop requested at any point
 * (Ctrl-C during `infra up`, SIGHUP while a service is still starting, a crash of the launcher itself)
 * first cancels the service starts (each stops its half-started child), waits for what is still in
 * flight, then stops the services and, if this run started it, the infrastructure. Infrastructure that
 * was already running when the demo began is left running.
 *
 * The run file (`demo-run.json` in the log directory) says what this run started and where it is: the
 * launcher's pid, its phase, the services' pids, ports and logs, which infrastructure parts it started,
 * and whether its own stdout/stderr went away. Tools and tests read it instead of parsing the output.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraDown, type InfraUpResult } from '@orderstream/infra';
import type { OutputStreamName } from './launcher-output';
import type { ServiceProcess } from './service-process';
import type { ServiceName } from './services';

export type DemoPhase =
  'starting-infrastructure' | 'starting-services' | 'scenario' | 'running' | 'stopping' | 'stopped';

export interface DemoRunFile {
  pid: number;
  phase: DemoPhase;
  startedAt: string;
  /** `ok`, or the code of the error that ended the stream (EPIPE: its reader is gone). */
  output: Record<OutputStreamName, string>;
  /** Parts this run started and parts it found running (and leaves running). */
  infrastructure?: { started: string[]; reused: string[] };
  services: {
    name: ServiceName;
    pid: number;
    port: number;
    logFile: string;
    /** Once stopped: its exit code (0 after a graceful shutdown; null if it was killed by a signal). */
    exitCode?: number | null;
  }[];
}

export const RUN_FILE_NAME = 'demo-run.json';

/** Bound for each service's graceful stop (its own shutdown timeout is 10 s), then SIGKILL. */
const SERVICE_STOP_TIMEOUT_MS = 15_000;

export class DemoRun {
  readonly file: string;
  private readonly state: DemoRunFile;
  private readonly services: ServiceProcess[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly cancelStarts = new AbortController();
  private infrastructure: InfraUpResult | undefined;
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly say: (line: string) => void,
  ) {
    this.file = join(logDir, RUN_FILE_NAME);
    this.state = {
      pid: process.pid,
      phase: 'starting-infrastructure',
      startedAt: new Date().toISOString(),
      output: { stdout: 'ok', stderr: 'ok' },
      services: [],
    };
    this.save();
  }

  /** Aborted when the run stops: service starts in progress cancel themselves. */
  get startSignal(): AbortSignal {
    return this.cancelStarts.signal;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  enter(phase: DemoPhase): void {
    if (this.stopping) return;
    this.state.phase = phase;
    this.save();
  }

  /** A start in progress: `stop` waits for it to settle before stopping what it started. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const settled = (): void => void this.inFlight.delete(work);
    work.then(settled, settled);
    return work;
  }

  infrastructureUp(result: InfraUpResult): void {
    this.infrastructure = result;
    this.state.infrastructure = { started: result.started, reused: result.reused };
    this.save();
  }

  serviceSpawned(name: ServiceName, pid: number, port: number): void {
    this.state.services.push({ name, pid, port, logFile: join(this.logDir, `${name}.log`) });
    this.save();
  }

  /** A service that became ready; from now on its unexpected exit stops the whole demo. */
  serviceReady(service: ServiceProcess): void {
    this.services.push(service);
    void service.exited.then((code) => {
      if (!this.stopping)
        void this.stop(`${service.name} exited unexpectedly with code ${code} (log: ${service.logFile})`, 1);
    });
  }

  outputLost(stream: OutputStreamName, code: string): void {
    this.state.output[stream] = code;
    this.save();
  }

  /**
   * Stops everything this run started and exits with `exitCode`. Called again while stopping (a second
   * Ctrl-C), it does not wait for the services' graceful shutdown any longer: they are killed.
   */
  async stop(reason: string, exitCode: number): Promise<void> {
    if (this.stopping) {
      this.say(`\n${reason} again: killing the services now.`);
      for (const service of this.services) void service.stop(0);
      return;
    }
    this.stopping = true;
    this.state.phase = 'stopping';
    this.save();
    this.say(`\n${reason}: stopping everything the demo started…`);
    this.cancelStarts.abort();
    if (this.inFlight.size > 0) {
      this.say('  (waiting for the starts in progress to finish or be cancelled)');
      await Promise.allSettled([...this.inFlight]);
    }
    const codes = await Promise.all(
      this.services.map(async (s) => [s.name, await s.stop(SERVICE_STOP_TIMEOUT_MS)] as const),
    );
    for (const [name, code] of codes) {
      this.say(`  ${name} exited with code ${code}`);
      const entry = this.state.services.find((s) => s.name === name);
      if (entry) entry.exitCode = code;
    }
    this.save();
    exitCode = (await this.stopInfrastructure()) ? exitCode : 1;
    this.state.phase = 'stopped';
    this.save();
    process.exit(exitCode);
  }

  /** False if stopping it failed (the demo then exits with 1, saying what is left). */
  private async stopInfrastructure(): Promise<boolean> {
    const infra = this.infrastructure;
    if (!infra || infra.started.length === 0) {
      if (infra)
        this.say(
          'Leaving the infrastructure running (it was up before the demo; `npm run infra:down` stops it).',
        );
      return true;
    }
    if (infra.reused.length > 0) {
      // tools/infra stops a stack as a whole; stopping it would also stop the parts that were running
      // before the demo, so the demo leaves it and says what it started.
      this.say(
        `Leaving the infrastructure running: the demo started ${infra.started.join(', ')} but found ${infra.reused.join(', ')} running; \`npm run infra:down\` stops all of it.`,
      );
      return true;
    }
    this.say('Stopping the infrastructure…');
    try {
      await infraDown({ log: (line) => this.say(`  ${line}`) });
      return true;
    } catch (error) {
      this.say(`Could not stop the infrastructure: ${(error as Error).message}`);
      return false;
    }
  }

  /** Written whole and renamed into place, so a reader never sees half a file. */
  private save(): void {
    const next = `${this.file}.${process.pid}.tmp`;
    writeFileSync(next, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(next, this.file);
  }
}
