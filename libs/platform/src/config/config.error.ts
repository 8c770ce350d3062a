/** One environment variable that is missing or malformed, and why. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/**
 * The environment does not describe a runnable service. Carries every problem at once, so an operator
 * fixes the deployment in one round instead of one variable per restart.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }

  /** The names of the offending variables, in the order they were reported. */
  get variables(): string[] {
    return this.problems.map((p) => p.variable);
  }
}
