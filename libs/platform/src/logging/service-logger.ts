/**
 * The one pino logger of a service process. Everything logs through it or a child of it: HTTP requests
 * (pino-http), Nest's own logger (nestjs-pino), TypeORM, and the Kafka client, so every line is JSON and
 * carries the service name. Lines go to stdout through a NonBlockingDestination: a reader of the service's
 * stdout that stops reading costs log lines, never a blocked or unkillable process.
 */
import { hostname } from 'node:os';
import pino from 'pino';
import type { LogLevel } from '../config/env-fields';
import { NonBlockingDestination } from './non-blocking.destination';

export type ServiceLogger = pino.Logger;

export interface ServiceLoggerOptions {
  service: string;
  level: LogLevel;
  /** Where lines go; stdout without blocking (NonBlockingDestination) by default. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

export function createServiceLogger({ service, level, destination }: ServiceLoggerOptions): ServiceLogger {
  const options: pino.LoggerOptions = {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names ("warn") instead of numbers (40): log pipelines and humans both read them without a lookup table.
    formatters: { level: (label) => ({ level: label }) },
    // Request logs serialize headers; credentials must never reach the log store.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  };
  if (destination) return pino(options, destination);
  const stdout = new NonBlockingDestination({
    onDropped: (dropped) =>
      logger.warn(
        { droppedLines: dropped, droppedLinesTotal: stdout.dropped },
        'log lines were dropped: stdout was not being read',
      ),
  });
  const logger = pino(options, stdout);
  return logger;
}
