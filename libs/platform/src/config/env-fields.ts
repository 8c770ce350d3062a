/**
 * Zod builders for the kinds of values services read from the environment. Messages describe what is
 * expected and never echo the value: connection strings carry passwords, and these messages end up in logs.
 */
import { z } from 'zod';

/** pino's levels; `silent` turns logging off (tests). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevel() {
  return z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });
}

export function port() {
  return z.coerce
    .number({ error: 'must be a TCP port number' })
    .int({ error: 'must be a TCP port number' })
    .min(1, { error: 'must be between 1 and 65535' })
    .max(65535, { error: 'must be between 1 and 65535' });
}

export function positiveInt() {
  return z.coerce
    .number({ error: 'must be a positive integer' })
    .int({ error: 'must be a positive integer' })
    .positive({
      error: 'must be a positive integer',
    });
}

export function httpUrl() {
  return z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
}

export function postgresUrl() {
  return z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' });
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

/** A comma-separated `host:port` list, e.g. `kafka-1:9092,kafka-2:9092`; parsed to an array. */
export function brokerList() {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((broker) => broker.trim())
        .filter((broker) => broker.length > 0),
    )
    .pipe(
      z
        .array(z.string().regex(HOST_PORT, { error: 'must be a comma-separated list of host:port' }))
        .min(1, { error: 'must name at least one host:port' }),
    );
}

const NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * A comma-separated list of `name=postgres://…` pairs, e.g. `orders=postgres://u:p@h:5432/orders`; parsed
 * to a record. Names must be unique; they become DataSource names and health-check keys.
 */
export function namedPostgresUrls() {
  const url = postgresUrl();
  return z.string().transform((value, ctx) => {
    const sources: Record<string, string> = {};
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    for (const entry of entries) {
      const separator = entry.indexOf('=');
      const name = separator > 0 ? entry.slice(0, separator) : '';
      if (!NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: 'each entry must be name=postgres://… with a lower-case name',
        });
        return z.NEVER;
      }
      if (name in sources) {
        ctx.addIssue({ code: 'custom', message: `names must be unique ("${name}" appears twice)` });
        return z.NEVER;
      }
      const parsed = url.safeParse(entry.slice(separator + 1));
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: `"${name}" must be a postgres:// URL` });
        return z.NEVER;
      }
      sources[name] = parsed.data;
    }
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must name at least one name=postgres://… pair' });
      return z.NEVER;
    }
    return sources;
  });
}
