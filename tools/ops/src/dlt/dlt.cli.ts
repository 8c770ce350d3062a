/**
 * `npm run ops -- dlt list|show|redrive|jobs|purge|audit …`: the dead-letter topics for an operator.
 *
 * The work and its bookkeeping are the operator's desk (`@orderstream/operations`, shared with the ops
 * service's admin API): the Kafka side, the redrive jobs, which records were dealt with, and the audit
 * trail. This file turns arguments into desk calls and answers into tables or JSON, and says in one line
 * what went wrong when a request cannot be done (no such group, message or job) instead of a stack trace.
 */
import os from 'node:os';
import { allContracts } from '@orderstream/contracts';
import { ApplicationError, type EventDefinition, type Logger } from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import {
  DeadLetterDesk,
  operationsDataSourceOptions,
  type Actor,
  type DeskRedriveReport,
  registryDecoder,
} from '@orderstream/operations';
import { DataSource } from 'typeorm';
import { UsageError } from '../groups/groups-options';
import { DLT_USAGE, parseDltArgs, type DltCommand } from './dlt-options';
import {
  formatAudit,
  formatJobs,
  formatListing,
  formatPurge,
  formatRedrive,
  formatShown,
  toJson,
} from './dlt-output';
import { describeSettings, dltSettings, redactedUrl, type DltSettings } from './dlt-settings';
import { jsonLinesLogger } from './json-lines-logger';

/** Where the command writes, and what it reads from its environment; tests pass their own. */
export interface DltIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The default actor; the operating-system user unless a test says otherwise. */
  osUser?(): string;
}

const processIo: DltIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export async function runDltCommand(argv: string[], io: DltIo = processIo): Promise<number> {
  const settings = dltSettings(io.env, io.osUser?.() ?? os.userInfo().username);
  let command: DltCommand;
  try {
    command = parseDltArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The usage is long: the mistake stays the line a person reads, the options are one flag away.
    io.stderr(`dlt: ${error.message}\n(npm run ops -- dlt --help lists the commands and options)\n`);
    return 2;
  }
  if (command.command === 'help') {
    io.stdout(
      `${DLT_USAGE}\n\nIn effect now (from the environment, or the local infrastructure's defaults):\n${describeSettings(settings)}\n`,
    );
    return 0;
  }

  const logger = jsonLinesLogger(io.stderr, io.env['LOG_LEVEL']);
  const dataSource = new DataSource(operationsDataSourceOptions(settings.databaseUrl));
  try {
    // Runs the ops migrations too, so a fresh ops database gets its tables on first use.
    await dataSource.initialize();
  } catch (error) {
    io.stderr(
      `dlt: cannot open the ops database ${redactedUrl(settings.databaseUrl)} (OPS_DATABASE_URL): ${(error as Error).message}\n`,
    );
    return 1;
  }
  const desk = new DeadLetterDesk({
    client: createKafkaJsClient({ brokers: settings.brokers, clientId: 'orderstream-ops-dlt' }),
    dataSource,
    // Contracts are typed structurally like the library's definitions (libs/contracts event-contract.ts).
    decode: registryDecoder(settings.registryUrl, allContracts as readonly EventDefinition<unknown>[]),
    logger,
  });
  try {
    return await run(desk, command, settings, io);
  } catch (error) {
    if (error instanceof ApplicationError) {
      io.stderr(`dlt: ${error.message}\n`);
      return 1;
    }
    return failed(error, command, desk, settings, io, logger);
  } finally {
    await dataSource.destroy();
  }
}

async function run(
  desk: DeadLetterDesk,
  command: Exclude<DltCommand, { command: 'help' }>,
  settings: DltSettings,
  io: DltIo,
): Promise<number> {
  const actorOf = (name: string | undefined): Actor => ({ name: name ?? settings.defaultActor, via: 'cli' });
  const out = (json: boolean, value: unknown, text: () => string): void =>
    io.stdout(json ? toJson(value) : text());
  switch (command.command) {
    case 'list': {
      const listing = await desk.list({
        groups: command.groups,
        filter: command.filter,
        includeHandled: command.includeHandled,
        limit: command.limit,
      });
      out(command.json, listing, () => formatListing(listing, command));
      return 0;
    }
    case 'show': {
      const shown = await desk.show(command.id, actorOf(command.actor));
      out(command.json, shown, () => formatShown(shown));
      return 0;
    }
    case 'redrive': {
      const report = await desk.redrive({
        actor: actorOf(command.actor),
        groupId: command.groupId,
        filter: command.filter,
        dryRun: command.dryRun,
        includeRedriven: command.includeRedriven,
        maxRedrives: command.maxRedrives,
      });
      out(command.json, report, () => formatRedrive(report) + notSelected(report, command.filter.ids));
      return 0;
    }
    case 'resume': {
      const report = await desk.resume(command.jobId, actorOf(command.actor));
      out(command.json, report, () => formatRedrive(report, true));
      return 0;
    }
    case 'jobs': {
      const jobs =
        command.jobId !== undefined ? [await desk.job(command.jobId)] : await desk.jobs(command.limit);
      out(command.json, command.jobId !== undefined ? jobs[0] : { jobs }, () => formatJobs(jobs));
      return 0;
    }
    case 'purge': {
      const upTo =
        command.upTo.kind === 'handled'
          ? { kind: 'offsets' as const, offsets: await desk.handledPrefix(command.groupId) }
          : command.upTo;
      const report = await desk.purge({
        actor: actorOf(command.actor),
        groupId: command.groupId,
        upTo,
        dryRun: command.dryRun,
      });
      out(command.json, report, () => formatPurge(report));
      return 0;
    }
    case 'audit': {
      const entries = await desk.audit.latest(command.limit);
      out(command.json, { entries }, () => formatAudit(entries));
      return 0;
    }
  }
}

/** Ids asked for by `--id` that the job did not act on: already dealt with, or not in the topic (any more). */
function notSelected(report: DeskRedriveReport, ids: readonly string[] | undefined): string {
  const acted = new Set(report.outcomes.map((o) => o.id));
  const missing = (ids ?? []).filter((id) => !acted.has(id));
  if (missing.length === 0) return '';
  return `\nnot acted on (redriven or quarantined by an earlier job: --include-redriven; or purged): ${missing.join(', ')}\n`;
}

/**
 * A failure that is not the request's fault (Kafka or the registry unreachable, a transaction refused): one
 * line for the person, the stack in the log. A redrive that failed left its job `failed` with its progress
 * committed; the line says how to continue it.
 */
async function failed(
  error: unknown,
  command: Exclude<DltCommand, { command: 'help' }>,
  desk: DeadLetterDesk,
  settings: DltSettings,
  io: DltIo,
  logger: Logger,
): Promise<number> {
  const message = error instanceof Error ? error.message : String(error);
  logger.error(
    { err: error instanceof Error ? { message, stack: error.stack } : message },
    `dlt ${command.command} failed`,
  );
  const lines = [`dlt: ${command.command} failed: ${message}`];
  const jobId =
    command.command === 'resume'
      ? command.jobId
      : command.command === 'redrive' && !command.dryRun
        ? await desk
            .jobs(10)
            .then(
              (jobs) =>
                jobs.find(
                  (j) =>
                    j.groupId === command.groupId &&
                    j.actor === (command.actor ?? settings.defaultActor) &&
                    j.status === 'failed',
                )?.jobId,
            )
            .catch(() => undefined)
        : undefined;
  if (jobId !== undefined) {
    lines.push(`what it committed stays done; continue with: npm run ops -- dlt redrive --resume ${jobId}`);
  }
  io.stderr(`${lines.join('\n')}\n`);
  return 1;
}
