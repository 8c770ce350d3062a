import type { DeskListing, DeskRedriveReport, ListedDeadLetter } from '@orderstream/operations';
import { formatListing, formatRedrive, toJson } from './dlt-output';
import { describeSettings, dltSettings, redactedUrl } from './dlt-settings';

const message = (offset: string, overrides: Partial<ListedDeadLetter> = {}): ListedDeadLetter => ({
  id: `billing.dlt:0:${offset}`,
  topic: 'billing.dlt',
  partition: 0,
  offset,
  groupId: 'billing',
  key: 'order-1',
  eventId: `ce-${offset}`,
  eventType: 'orderstream.orders.OrderPlaced',
  reason: 'non-retriable',
  errorCode: 'NOT_FOUND',
  attempts: 1,
  original: { topic: 'orders.events', partition: 2, offset: '40' },
  firstFailureAt: Date.UTC(2026, 0, 31, 12),
  lastFailureAt: Date.UTC(2026, 0, 31, 12, 0, 1),
  deadLetteredAt: Date.UTC(2026, 0, 31, 12, 0, 1),
  redriveCount: 0,
  valueBytes: 10,
  status: 'failed',
  ...overrides,
});

describe('dlt output', () => {
  it('lists a summary per group and a row per message, and says what it left out', () => {
    const listing: DeskListing = {
      groups: [
        {
          groupId: 'billing',
          topic: 'billing.dlt',
          total: 3,
          pending: 2,
          byErrorCode: [
            { errorCode: 'NOT_FOUND', count: 1 },
            { errorCode: 'VALIDATION_FAILED', count: 1 },
          ],
        },
      ],
      messages: [message('0'), message('2', { errorCode: undefined, firstFailureAt: undefined })],
    };
    expect(formatListing(listing, { includeHandled: false, limit: 100 }).split('\n')).toEqual([
      'GROUP    TOPIC        RECORDS  PENDING  BY ERROR CODE',
      'billing  billing.dlt  3        2        NOT_FOUND 1, VALIDATION_FAILED 1',
      '',
      'ID               EVENT TYPE                      CE_ID  ERROR CODE  REASON         ATTEMPTS  ORIGINAL (TOPIC/PARTITION/OFFSET)  FIRST FAILURE             LAST FAILURE              REDRIVES  STATUS',
      'billing.dlt:0:0  orderstream.orders.OrderPlaced  ce-0   NOT_FOUND   non-retriable  1         orders.events/2/40                 2026-01-31T12:00:00.000Z  2026-01-31T12:00:01.000Z  0         failed',
      'billing.dlt:0:2  orderstream.orders.OrderPlaced  ce-2   -           non-retriable  1         orders.events/2/40                 -                         2026-01-31T12:00:01.000Z  0         failed',
      '',
      '(redriven and quarantined messages left out: --all shows them)',
      '',
    ]);
    expect(formatListing(listing, { includeHandled: true, limit: 2 })).toContain(
      'the first 2 matching messages; --limit N for more',
    );
    expect(formatListing({ groups: [], messages: [] }, { includeHandled: false, limit: 1 })).toBe(
      'no dead-letter topics (no group has failure topics yet)\n',
    );
  });

  it('words a dry run as what would happen', () => {
    const report: DeskRedriveReport = {
      groupId: 'billing',
      jobId: 'dry-run-1',
      dryRun: true,
      scanned: 3,
      outcomes: [
        {
          id: 'billing.dlt:0:1',
          eventId: 'ce-1',
          eventType: 'T',
          errorCode: 'NOT_FOUND',
          redriveCount: 3,
          action: 'quarantined',
        },
      ],
      redriven: 0,
      quarantined: 1,
      skipped: 2,
    };
    const text = formatRedrive(report);
    expect(text).toContain(
      'dry run of a redrive of group billing: would redrive 0 to billing.retry.1, quarantine 1 to billing.quarantine, skip 2 (of 3 read); nothing was written',
    );
    expect(text).toMatch(/^billing\.dlt:0:1 +T +ce-1 +NOT_FOUND +3 +would be quarantined$/m);
  });

  it('prints JSON with bigints as strings', () => {
    expect(toJson({ total: 12345678901234567890n })).toBe('{\n  "total": "12345678901234567890"\n}\n');
  });

  it('takes its settings from the environment, the local infrastructure otherwise, and hides the password', () => {
    const local = dltSettings({}, 'alice');
    expect(local).toEqual({
      brokers: ['127.0.0.1:9092'],
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      databaseUrl: 'postgres://orderstream:orderstream@127.0.0.1:5432/ops',
      defaultActor: 'alice',
      fromEnv: { brokers: false, registryUrl: false, databaseUrl: false },
    });
    const given = dltSettings(
      { KAFKA_BROKERS: 'k1:9092, k2:9092', OPS_DATABASE_URL: 'postgres://ops:s3cret@db:5432/ops' },
      'bob',
    );
    expect(given).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      fromEnv: { brokers: true, databaseUrl: true },
    });
    expect(describeSettings(given)).toContain('OPS_DATABASE_URL     postgres://ops:***@db:5432/ops\n');
    expect(describeSettings(given)).not.toContain('s3cret');
    expect(redactedUrl('not a url')).toBe('(not a URL)');
  });
});
