/**
 * The command line's log: one JSON object per line, pino's shape (level, time, msg and the fields), written
 * to stderr so stdout stays the command's answer (and `--json` stays parseable). The desk writes its audit
 * lines and a redrive job's progress here, the same lines the ops service writes to its log.
 */
import { plainLogger, type Logger } from '@orderstream/messaging';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** pino's numeric levels, so the lines read like the services' own. */
const NUMBER: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/** `LOG_LEVEL`: debug, info, warn, error, or silent for none; anything else is info. */
export function jsonLinesLogger(write: (line: string) => void, level = 'info', name = 'ops'): Logger {
  const threshold =
    level === 'silent' ? Infinity : ((NUMBER as Record<string, number | undefined>)[level] ?? NUMBER.info);
  const at =
    (lvl: Level) =>
    (fields: Record<string, unknown>, msg: string): void => {
      if (NUMBER[lvl] < threshold) return;
      write(`${JSON.stringify({ level: NUMBER[lvl], time: Date.now(), name, ...fields, msg })}\n`);
    };
  return plainLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
}
