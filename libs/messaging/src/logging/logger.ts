/**
 * The logger the library writes to: the subset of pino's API it needs, so services pass their pino
 * logger and the core stays free of any logging framework.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const noop = (): void => undefined;

/** Discards everything; the default when the caller passes no logger. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
