/**
 * The command line of `npm run demo`. Pure, so every rule is a unit test; the CLI turns a failure into a
 * usage message and exit code 2.
 */

export interface DemoOptions {
  /** Drive the saga scenario once the services are ready. `--no-scenario` only starts the services. */
  scenario: boolean;
  /** How many orders the scenario places. */
  orders: number;
  help: boolean;
}

export const DEFAULT_SCENARIO_ORDERS = 300;
/** Enough to show every outcome at least once (see scenario-plan.ts); fewer would make the summary lie. */
export const MIN_SCENARIO_ORDERS = 20;
/** A demo, not a benchmark (`npm run bench` is): more orders only make the wait longer. */
export const MAX_SCENARIO_ORDERS = 5_000;

export const DEMO_USAGE = `Usage: npm run demo -- [--orders N] [--no-scenario]

  --orders N      orders the scenario places (${MIN_SCENARIO_ORDERS}..${MAX_SCENARIO_ORDERS}, default ${DEFAULT_SCENARIO_ORDERS})
  --no-scenario   only start the infrastructure and the services
  --help          this text`;

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = { scenario: true, orders: DEFAULT_SCENARIO_ORDERS, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    switch (name) {
      case '--no-scenario':
        if (inline !== undefined) throw new DemoUsageError('--no-scenario takes no value');
        options.scenario = false;
        break;
      case '--orders': {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new DemoUsageError('--orders needs a number');
        options.orders = orderCount(value);
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new DemoUsageError(`Unknown argument: ${arg}`);
    }
  }
  return options;
}

function orderCount(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < MIN_SCENARIO_ORDERS || n > MAX_SCENARIO_ORDERS) {
    throw new DemoUsageError(
      `--orders must be a whole number from ${MIN_SCENARIO_ORDERS} to ${MAX_SCENARIO_ORDERS}, got '${value}'`,
    );
  }
  return n;
}
