import type { INestApplication } from '@nestjs/common';
import type { ServiceLogger } from '../logging/service-logger';

export interface GracefulShutdownOptions {
  logger: ServiceLogger;
  /** Past this, the process logs and exits with code 1 instead of waiting for a stuck hook. */
  timeoutMs: number;
  /** Runs once the application closed, before the exit: e.g. exporting the last spans. */
  afterClose?: () => Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM or SIGINT: stop accepting HTTP, let in-flight requests finish, run Nest's shutdown hooks
 * (DataSources closed, Kafka disconnected), then exit 0. A second signal is not caught, so it terminates
 * the process at once: the operator's way out of a shutdown that hangs.
 */
export function installGracefulShutdown(
  app: INestApplication,
  { logger, timeoutMs, afterClose }: GracefulShutdownOptions,
): void {
  const shutdown = (signal: NodeJS.Signals): void => {
    for (const other of SIGNALS) process.removeListener(other, shutdown);
    logger.info({ signal, timeoutMs }, 'shutting down');

    // Deliberately not unref'd: a hook stuck on a promise with no I/O behind it would otherwise let the
    // event loop drain and the process end with code 0 before its work is done.
    setTimeout(() => {
      logger.error({ signal, timeoutMs }, 'shutdown timed out, exiting');
      process.exit(1);
    }, timeoutMs);

    app
      .close()
      .then(() => afterClose?.())
      .then(
        () => {
          logger.info({ signal }, 'shutdown complete');
          // Explicit: a client library's stray timer must not turn a clean shutdown into a timeout.
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error, signal }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  for (const signal of SIGNALS) process.on(signal, shutdown);
}
