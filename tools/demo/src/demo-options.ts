/**
 * The command line of `npm run demo`. Pure, so every rule is a unit test; the CLI turns a failure into a
 * usage message and exit code 2.
 */
import { SAGA_MODES, type SagaMode } from '@orderstream/system';

export interface DemoOptions {
  /** Drive the saga scenario once the services are ready. `--no-scenario` only starts the services. */
  scenario: boolean;
  /** How many orders the scenario places. */
  orders: number;
  /**
   * `--base-port N`: the services listen on N, N+1, … in manifest order instead of their manifest ports, so
   * a second demo (a test's) runs beside one on the default ports.
   */
  basePort?: number;
  /** `--log-dir DIR`: the services' logs and the run file (demo-run.json); default .cache/demo/logs. */
  logDir?: string;
  /** `--saga MODE`: how the order saga runs (every service's SAGA_MODE); default choreography. */
  sagaMode: SagaMode;
  help: boolean;
}

export const DEFAULT_SCENARIO_ORDERS = 300;
/** Enough to show every outcome at least once (see scenario-plan.ts); fewer would make the summary lie. */
export const MIN_SCENARIO_ORDERS = 20;
/** A demo, not a benchmark (`npm run bench` is): more orders only make the wait longer. */
export const MAX_SCENARIO_ORDERS = 5_000;

export const DEMO_USAGE = `Usage: npm run demo -- [--orders N] [--saga MODE] [--no-scenario] [--base-port N] [--log-dir DIR]

  --orders N      orders the scenario places (${MIN_SCENARIO_ORDERS}..${MAX_SCENARIO_ORDERS}, default ${DEFAULT_SCENARIO_ORDERS})
  --saga MODE     how the order saga runs: choreography (default) or orchestration (docs/saga.md)
  --no-scenario   only start the infrastructure and the services
  --base-port N   the services listen on N, N+1, … (default: their manifest ports)
  --log-dir DIR   the services' logs and demo-run.json (default .cache/demo/logs)
  --help          this text

The infrastructure's ports and directories come from ORDERSTREAM_KAFKA_PORT, ORDERSTREAM_REGISTRY_PORT,
ORDERSTREAM_POSTGRES_PORT and ORDERSTREAM_INFRA_STATE_DIR (see tools/infra/README.md).`;

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = {
    scenario: true,
    orders: DEFAULT_SCENARIO_ORDERS,
    sagaMode: 'choreography',
    help: false,
  };
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
      case '--base-port': {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new DemoUsageError('--base-port needs a port number');
        options.basePort = basePort(value);
        break;
      }
      case '--saga': {
        const value = inline ?? argv[++i];
        if (!SAGA_MODES.includes(value as SagaMode))
          throw new DemoUsageError(`--saga must be one of ${SAGA_MODES.join(', ')}, got '${value ?? ''}'`);
        options.sagaMode = value as SagaMode;
        break;
      }
      case '--log-dir': {
        const value = inline ?? argv[++i];
        if (value === undefined || value === '') throw new DemoUsageError('--log-dir needs a directory');
        options.logDir = value;
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

/** Room for every service above the base port; below 1024 would need privileges. */
function basePort(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1024 || n > 65_000) {
    throw new DemoUsageError(`--base-port must be a whole number from 1024 to 65000, got '${value}'`);
  }
  return n;
}
