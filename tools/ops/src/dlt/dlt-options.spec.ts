import { UsageError } from '../groups/groups-options';
import { DEFAULT_AUDIT_LIMIT, DEFAULT_JOBS_LIMIT, DEFAULT_LIST_LIMIT, parseDltArgs } from './dlt-options';

const usageError = (argv: string[]): string => {
  try {
    parseDltArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseDltArgs', () => {
  it('reads list with its groups, filters, --all and --limit', () => {
    expect(parseDltArgs(['list'])).toEqual({
      command: 'list',
      filter: {},
      includeHandled: false,
      limit: DEFAULT_LIST_LIMIT,
      json: false,
    });
    expect(
      parseDltArgs([
        'list',
        '--group',
        'a',
        '--group',
        'b',
        '--error-code',
        'NOT_FOUND',
        '--event-type',
        'orderstream.orders.OrderPlaced',
        '--reason',
        'non-retriable',
        '--event-id',
        'e1',
        '--id',
        'a.dlt:0:3',
        '--all',
        '--limit',
        '5',
        '--json',
      ]),
    ).toEqual({
      command: 'list',
      groups: ['a', 'b'],
      filter: {
        ids: ['a.dlt:0:3'],
        errorCode: 'NOT_FOUND',
        eventType: 'orderstream.orders.OrderPlaced',
        reason: 'non-retriable',
        eventIds: ['e1'],
      },
      includeHandled: true,
      limit: 5,
      json: true,
    });
  });

  it('reads show with a message id and an actor', () => {
    expect(parseDltArgs(['show', 'billing.dlt:2:17', '--actor', 'alice', '--json'])).toEqual({
      command: 'show',
      id: 'billing.dlt:2:17',
      actor: 'alice',
      json: true,
    });
  });

  it('reads a redrive with its selection, cap and dry run', () => {
    expect(
      parseDltArgs(['redrive', '--group', 'g', '--id', 'g.dlt:0:1', '--id', 'g.dlt:1:0', '--dry-run']),
    ).toEqual({
      command: 'redrive',
      groupId: 'g',
      filter: { ids: ['g.dlt:0:1', 'g.dlt:1:0'] },
      includeRedriven: false,
      dryRun: true,
      json: false,
    });
    expect(
      parseDltArgs([
        'redrive',
        '--group',
        'g',
        '--error-code',
        'NOT_FOUND',
        '--include-redriven',
        '--max-redrives',
        '5',
        '--actor',
        'bob',
      ]),
    ).toEqual({
      command: 'redrive',
      groupId: 'g',
      filter: { errorCode: 'NOT_FOUND' },
      includeRedriven: true,
      maxRedrives: 5,
      dryRun: false,
      actor: 'bob',
      json: false,
    });
    expect(parseDltArgs(['redrive', '--group', 'g', '--all'])).toMatchObject({ filter: {} });
    expect(parseDltArgs(['redrive', '--group', 'g', '--event-id', 'a', '--event-id', 'b'])).toMatchObject({
      filter: { eventIds: ['a', 'b'] },
    });
    expect(parseDltArgs(['redrive', '--resume', 'job-1', '--actor', 'carol'])).toEqual({
      command: 'resume',
      jobId: 'job-1',
      actor: 'carol',
      json: false,
    });
  });

  it('reads purge, jobs and audit', () => {
    expect(parseDltArgs(['purge', '--group', 'g', '--handled', '--dry-run'])).toEqual({
      command: 'purge',
      groupId: 'g',
      upTo: { kind: 'handled' },
      dryRun: true,
      json: false,
    });
    expect(parseDltArgs(['purge', '--group', 'g', '--all'])).toMatchObject({ upTo: { kind: 'all' } });
    expect(parseDltArgs(['purge', '--group', 'g', '--before', '2026-01-31T12:00:00Z'])).toMatchObject({
      upTo: { kind: 'before', timestamp: Date.UTC(2026, 0, 31, 12) },
    });
    expect(parseDltArgs(['purge', '--group', 'g', '--before', '1769860800000'])).toMatchObject({
      upTo: { kind: 'before', timestamp: 1769860800000 },
    });
    expect(parseDltArgs(['jobs'])).toEqual({ command: 'jobs', limit: DEFAULT_JOBS_LIMIT, json: false });
    expect(parseDltArgs(['jobs', 'job-1', '--json'])).toEqual({
      command: 'jobs',
      jobId: 'job-1',
      limit: DEFAULT_JOBS_LIMIT,
      json: true,
    });
    expect(parseDltArgs(['audit', '--limit', '3'])).toEqual({ command: 'audit', limit: 3, json: false });
    expect(parseDltArgs(['audit'])).toMatchObject({ limit: DEFAULT_AUDIT_LIMIT });
    expect(parseDltArgs(['redrive', '--help'])).toEqual({ command: 'help' });
  });

  it.each([
    [[], 'a command is needed'],
    [['replay'], 'unknown command "replay"'],
    [['list', 'extra'], 'unexpected argument(s): extra'],
    [['list', '--limit', '0'], '--limit "0": expected an integer >= 1'],
    [['list', '--dry-run'], '--dry-run: not an option of list'],
    [['list', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['show'], 'show needs a message id'],
    [['show', 'billing:0:1'], '"billing:0:1" is not a dead-letter message id'],
    [['show', 'billing.dlt:0:x'], 'is not a dead-letter message id'],
    [['show', 'g.dlt:0:1', '--actor', ' '], '--actor needs a name'],
    // Nobody redrives or deletes a whole topic by leaving an option out.
    [['redrive', '--group', 'g'], 'redrive needs a selection'],
    [['redrive', '--group', 'g', '--dry-run'], 'redrive needs a selection'],
    [['redrive', '--id', 'g.dlt:0:1'], 'redrive needs --group <group>'],
    [['redrive', '--group', 'a', '--group', 'b', '--all'], 'redrive takes one --group (got a, b)'],
    [['redrive', '--group', 'g', '--id', 'other.dlt:0:1'], '--id other.dlt:0:1 is not in g.dlt'],
    [['redrive', '--group', 'g', '--all', '--error-code', 'X'], '--all selects every message of the group'],
    [['redrive', '--group', 'g', '--all', '--max-redrives', '0'], '--max-redrives "0"'],
    [
      ['redrive', '--resume', 'j', '--dry-run'],
      '--resume continues a job as it was created: leave out --dry-run',
    ],
    [['redrive', '--group', 'g', '--all', '--before', '1'], '--before: not an option of redrive'],
    [['purge', '--group', 'g'], 'purge needs what to delete'],
    [['purge', '--all'], 'purge needs --group <group>'],
    [['purge', '--group', 'g', '--all', '--handled'], '--all, --handled exclude each other'],
    [['purge', '--group', 'g', '--before', 'yesterday'], '--before "yesterday": expected ISO 8601'],
    [['purge', '--group', 'g', '--all', '--error-code', 'X'], '--error-code: not an option of purge'],
    [['audit', '--actor', 'x'], '--actor: not an option of audit'],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });
});
