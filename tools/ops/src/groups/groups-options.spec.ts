import { UsageError, parseGroupsArgs, parseTimestamp } from './groups-options';

const reset = (...argv: string[]) => parseGroupsArgs(['reset', 'g', ...argv]);

describe('parseGroupsArgs', () => {
  it('reads list and describe', () => {
    expect(parseGroupsArgs(['list'])).toEqual({ command: 'list', json: false });
    expect(parseGroupsArgs(['describe', 'g', '--json'])).toEqual({
      command: 'describe',
      groupId: 'g',
      json: true,
    });
    expect(parseGroupsArgs(['describe', '--help'])).toEqual({ command: 'help' });
  });

  it('reads each reset target with its topic selection', () => {
    expect(reset('--to', 'earliest', '--topic', 'a', '--topic', 'b:0,2', '--dry-run')).toEqual({
      command: 'reset',
      groupId: 'g',
      json: false,
      dryRun: true,
      target: {
        to: 'earliest',
        selection: { allTopics: false, topics: [{ topic: 'a' }, { topic: 'b', partitions: [0, 2] }] },
      },
    });
    expect(reset('--to', 'latest', '--all-topics')).toMatchObject({
      target: { to: 'latest', selection: { allTopics: true } },
    });
    expect(reset('--to', 'timestamp', '--timestamp', '2026-01-31T12:00:00Z', '--all-topics')).toMatchObject({
      target: { to: 'timestamp', timestamp: Date.UTC(2026, 0, 31, 12), selection: { allTopics: true } },
    });
    expect(reset('--to', 'offset', '--offset', '7', '--topic', 'a')).toMatchObject({
      target: { to: 'offset', offset: '7', selection: { allTopics: false, topics: [{ topic: 'a' }] } },
    });
    expect(reset('--to', 'offset', '--offset', 'a:0=3', '--offset', 'a.b-c:12=0')).toMatchObject({
      target: {
        to: 'offsets',
        offsets: [
          { topic: 'a', partition: 0, offset: '3' },
          { topic: 'a.b-c', partition: 12, offset: '0' },
        ],
      },
    });
  });

  it.each([
    [[], 'a command is needed'],
    [['move'], 'unknown command "move"'],
    [['describe'], 'describe needs a group id'],
    [['describe', 'g', 'h'], 'unexpected argument(s): h'],
    [['describe', 'g', '--to', 'earliest'], '--to: only for reset'],
    [['list', '--verbose'], "Unknown option '--verbose'"],
    [['reset', 'g'], 'reset needs --to'],
    [['reset', 'g', '--to', 'start', '--all-topics'], '--to "start"'],
    [['reset', 'g', '--to', 'earliest'], 'needs --topic <topic> or --all-topics'],
    [['reset', 'g', '--to', 'earliest', '--topic', 'a', '--all-topics'], 'exclude each other'],
    [['reset', 'g', '--to', 'earliest', '--topic', 'a:x'], '--topic "a:x"'],
    [['reset', 'g', '--to', 'timestamp', '--all-topics'], '--to timestamp needs --timestamp'],
    [
      ['reset', 'g', '--to', 'latest', '--timestamp', '1', '--all-topics'],
      '--timestamp goes with --to timestamp',
    ],
    [['reset', 'g', '--to', 'offset', '--all-topics'], '--to offset needs --offset'],
    [['reset', 'g', '--to', 'latest', '--offset', '1', '--all-topics'], '--offset goes with --to offset'],
    [['reset', 'g', '--to', 'offset', '--offset', 'a:0=1', '--topic', 'a'], 'leave out --topic'],
    [
      ['reset', 'g', '--to', 'offset', '--offset', '1', '--offset', '2', '--topic', 'a'],
      '--offset N stands alone',
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseGroupsArgs(argv)).toThrow(UsageError);
    expect(() => parseGroupsArgs(argv)).toThrow(message);
  });
});

describe('parseTimestamp', () => {
  it('reads ISO 8601 and epoch milliseconds, and never a bare year', () => {
    expect(parseTimestamp('1767225600000')).toBe(1_767_225_600_000);
    expect(parseTimestamp('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimestamp('2026-01-01T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 1));
    expect(() => parseTimestamp('yesterday')).toThrow(UsageError);
    expect(() => parseTimestamp('2026-13-45')).toThrow(UsageError);
  });
});
