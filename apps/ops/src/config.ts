import { port, positiveInt, postgresUrl, serviceConfigSchema } from '@orderstream/platform';
import { serviceOf } from '@orderstream/system';
import { z } from 'zod';

/** This service's entry in the system manifest. */
export const SERVICE = serviceOf('ops');
export const SERVICE_NAME = SERVICE.name;

/**
 * `name=token,name=token`: who may use the admin API, by a name the audit trail records (never the token).
 * Tokens are compared in constant time; each must be at least 16 characters.
 */
export function adminTokens() {
  return z.string().transform((text, ctx) => {
    const tokens = new Map<string, string>();
    for (const entry of text
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0)) {
      const at = entry.indexOf('=');
      const name = entry.slice(0, at).trim();
      const token = entry.slice(at + 1).trim();
      if (at <= 0 || !/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
        ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 20)}…" is not name=token` });
        return z.NEVER;
      }
      if (token.length < 16) {
        ctx.addIssue({ code: 'custom', message: `the token of ${name} is shorter than 16 characters` });
        return z.NEVER;
      }
      if ([...tokens.values()].includes(name) || tokens.has(token)) {
        ctx.addIssue({ code: 'custom', message: `${name} or its token appears twice` });
        return z.NEVER;
      }
      tokens.set(token, name);
    }
    return tokens;
  });
}

/** Every variable is described, with its default, in docs/operations.md. */
export const opsConfigSchema = serviceConfigSchema({ name: SERVICE_NAME, defaultPort: SERVICE.port }).extend({
  DATABASE_URL: postgresUrl(),
  /** The admin API and the console listen here, apart from the service port (health, metrics). */
  OPS_ADMIN_PORT: port().default(SERVICE.adminPort ?? SERVICE.port + 100),
  /** Unset or empty: the admin API and the console are off (the port is not opened). */
  OPS_ADMIN_TOKENS: adminTokens().optional(),
  /** Redrives of one message after which it is quarantined instead. */
  OPS_MAX_REDRIVES: positiveInt().default(3),
});

export type OpsConfig = z.output<typeof opsConfigSchema>;
