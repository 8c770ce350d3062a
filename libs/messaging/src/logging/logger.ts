/**
 * The logger the library writes to: the subset of pino's API it needs, so services pass their pino
 * logger and the core stays free of any logging framework.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /**
   * A logger whose every line also carries `fields` (a line's own fields win over them). pino binds them
   * once, so a component that logs many lines about the same thing asks for a child rather than spreading
   * its fields into every call.
   */
  child(fields: Record<string, unknown>): Logger;
}

/** The four level methods: what a logger that is not pino (a test's, a plain writer) has to provide. */
export type LogLevels = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** A Logger from four level methods; its children merge their fields into every line they pass on. */
export function plainLogger(levels: LogLevels): Logger {
  return {
    debug: (fields, message) => levels.debug(fields, message),
    info: (fields, message) => levels.info(fields, message),
    warn: (fields, message) => levels.warn(fields, message),
    error: (fields, message) => levels.error(fields, message),
    child: (bound) =>
      plainLogger({
        debug: (fields, message) => levels.debug({ ...bound, ...fields }, message),
        info: (fields, message) => levels.info({ ...bound, ...fields }, message),
        warn: (fields, message) => levels.warn({ ...bound, ...fields }, message),
        error: (fields, message) => levels.error({ ...bound, ...fields }, message),
      }),
  };
}

const noop = (): void => undefined;

/** Discards everything; the default when the caller passes no logger. Its children are itself. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
