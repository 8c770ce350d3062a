/**
 * The launcher's own stdout and stderr, made safe to lose.
 *
 * Ctrl-C on `npm run demo 2>&1 | tee demo.log` reaches the whole foreground process group: `tee` dies
 * with the launcher, and from then on every write of the launcher to its stdout fails with EPIPE. Node
 * reports that as an 'error' event on `process.stdout`; with no listener it is an uncaught exception, and
 * the launcher would die in the middle of stopping what it started, leaving Kafka, the registry and
 * PostgreSQL running. Here a failed write only marks the stream as gone: the launcher carries on without
 * its output (console.log already ignores such errors; the scenario's progress bar writes to the stream
 * directly) and says so in its run file.
 */

export type OutputStreamName = 'stdout' | 'stderr';

/**
 * Listens for write errors on the launcher's stdout and stderr. `onLost` is called once per stream with
 * the error's code (EPIPE when the reader is gone).
 */
export function guardLauncherOutput(onLost: (stream: OutputStreamName, code: string) => void): void {
  const streams: [OutputStreamName, NodeJS.WriteStream][] = [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ];
  for (const [name, stream] of streams) {
    let lost = false;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (lost) return;
      lost = true;
      onLost(name, error.code ?? error.name);
    });
  }
}
