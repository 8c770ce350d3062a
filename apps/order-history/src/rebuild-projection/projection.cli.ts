/**
 * `npm run projection -- rebuild order-history` — rebuild a read model by replay, beside the served one, and
 * watch it catch up; `npm run projection -- status order-history` — where the served and the building
 * generation stand.
 *
 * A client of the service's admin API: the rebuild runs inside the service (it is the only writer of its
 * read model, and a crash of this CLI stops nothing). The service is found at the manifest's port on
 * 127.0.0.1 unless `--url` says otherwise; the token is `ADMIN_TOKEN` (or `--token`).
 *
 * Exit codes: 0 done, 1 failed (the service refused or is unreachable), 2 usage.
 */
import { serviceOf } from '@orderstream/system';
import { SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import type { ProjectionStatusDto } from './rebuild-projection.controller';

/** The projections there are, and the service that runs each. */
const PROJECTIONS: Record<string, string> = { 'order-history': 'order-history' };

const USAGE = `usage: npm run projection -- <rebuild|status> <projection> [--url http://127.0.0.1:3005] [--token …]
projections: ${Object.keys(PROJECTIONS).join(', ')}`;

/** Lines for the operator: stdout (the CLI's output), not a log. */
const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

async function call(
  base: string,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
): Promise<ProjectionStatusDto> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${base}: ${(error as Error).message}`, 1);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 404 && path.startsWith('/admin')) {
    throw new CliError(`the admin API of ${base} is off: start the service with ADMIN_TOKEN set`, 1);
  }
  if (response.status === 401) throw new CliError('the admin token was refused (ADMIN_TOKEN / --token)', 1);
  if (!response.ok) {
    throw new CliError(
      `${method} ${path}: ${response.status} ${String(body['detail'] ?? body['title'] ?? '')}`,
      1,
    );
  }
  return body as unknown as ProjectionStatusDto;
}

function describe(status: ProjectionStatusDto): string {
  const lines = [`code version ${status.codeVersion}`];
  const { serving, building } = status;
  lines.push(
    serving
      ? `serving:  generation ${serving.generation} (code ${serving.codeVersion}, group ${serving.consumerGroup}), lag ${serving.lag}${serving.consuming ? '' : ', frozen: no consumer runs its code version'}`
      : 'serving:  none',
  );
  lines.push(
    building
      ? `building: generation ${building.generation}, ${building.done ?? 0}/${building.target ?? 0} records, lag ${building.lag}, resumed ${building.resumes}×`
      : 'building: none',
  );
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    print(USAGE);
    return;
  }
  const [command, projection] = positionals;
  if (
    (command !== 'rebuild' && command !== 'status') ||
    projection === undefined ||
    positionals.length !== 2
  ) {
    throw new CliError(USAGE, 2);
  }
  const serviceName = PROJECTIONS[projection];
  if (!serviceName) throw new CliError(`unknown projection "${projection}"\n${USAGE}`, 2);
  const base = values.url ?? `http://127.0.0.1:${serviceOf(serviceName).port}`;
  const token = values.token ?? process.env['ADMIN_TOKEN'];
  const path = `/admin/projections/${projection}`;

  if (command === 'status') {
    print(describe(await call(base, token, 'GET', path)));
    return;
  }

  const started = await call(base, token, 'POST', `${path}/rebuild`);
  const generation = started.building?.generation;
  if (generation === undefined) throw new CliError('the service started no rebuild', 1);
  print(
    `rebuilding ${projection}: generation ${generation} beside generation ${started.serving?.generation}`,
  );
  const bar = new SingleBar({
    format: ' {bar} {percentage}% | {value}/{total} records | lag {lag}',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
  });
  bar.start(started.building?.target ?? 0, started.building?.done ?? 0, { lag: started.building?.lag ?? 0 });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const status = await call(base, token, 'GET', path);
    if (status.serving?.generation === generation) {
      bar.update(bar.getTotal(), { lag: 0 });
      bar.stop();
      print(`generation ${generation} caught up and is served; the old generation is dropped`);
      print(describe(status));
      return;
    }
    if (status.building?.generation !== generation) {
      bar.stop();
      throw new CliError(`the rebuild of generation ${generation} is gone (the service dropped it)`, 1);
    }
    bar.update(status.building.done ?? 0, { lag: status.building.lag });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
