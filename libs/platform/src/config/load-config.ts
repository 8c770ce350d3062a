import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config.error';

/**
 * Validates the environment against a service's schema and returns the typed configuration, or throws a
 * ConfigError naming every bad or missing variable. Empty values count as unset, so `KAFKA_BROKERS=` in an
 * env file reads as "required" rather than as a malformed broker list.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const input = withoutEmptyValues(env);
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  throw new ConfigError(problemsFrom(result.error, input));
}

function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') {
      values[name] = value;
    }
  }
  return values;
}

/** One problem per variable (the first zod reports), in schema order. */
function problemsFrom(error: z.ZodError, input: Record<string, string>): ConfigProblem[] {
  const problems = new Map<string, string>();
  for (const issue of error.issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    if (!problems.has(variable)) {
      problems.set(variable, input[variable] === undefined ? 'required' : issue.message);
    }
  }
  return [...problems].map(([variable, problem]) => ({ variable, problem }));
}
