/**
 * The ops console in a real browser (Debian's chromium driven by playwright-core) against the whole system:
 * every service of the manifest as a process, the ops service with its admin port and a token, in a Kafka
 * namespace of its own.
 *
 * The poison message: two consumer groups of this test (real `subscribe()` groups with a retry topic, a
 * dead-letter topic and an inbox in PostgreSQL, like any service's) read `orders.events`. One fails the
 * OrderPlaced of one order while a switch is on, with a code of its own, so that message goes through the
 * group's retry topic to its dead-letter topic; the other group handles it. A service's own handler has no
 * switch to turn a failure off, which is why the failing group is the test's: the console sees it like any
 * other group.
 *
 * In the browser: the token prompt (a wrong token is refused), the poison message found under its group
 * and error code, its detail (headers, decoded payload), the switch turned off, a redrive with its dry-run
 * preview and its job's result, then the message shown as redriven, the group's lag 0 and the actions in
 * the jobs and audit panels. Beside the browser: the failing group's handler ran exactly once more for the
 * message and the other group never again, and the page fetched nothing from anywhere but the ops service.
 */
import { randomBytes } from 'node:crypto';
import { orderPlacedEvent, type OrderPlaced } from '@orderstream/contracts';
import {
  AvroCodec,
  DEAD_LETTER_HEADERS,
  EnvelopeCodec,
  HandlerError,
  on,
  readRecords,
  subscribe,
  type AdminPort,
  type ConsumedRecord,
  type EventDefinition,
  type KafkaClient,
  type ProducerPort,
  type RetryPolicy,
  type Subscription,
} from '@orderstream/messaging';
import { entityManagerOf, messagingMigrations, PostgresInbox } from '@orderstream/messaging/postgres';
import {
  createMigratedDatabase,
  freePort,
  testInfrastructure,
  uniqueName,
  waitFor,
  type MigratedDatabase,
} from '@orderstream/testing';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { SagaSystem } from './support/saga-system';

jest.setTimeout(240_000);

/** Generated per run; only this test's ops service knows it. */
const TOKEN = randomBytes(24).toString('hex');
const OPERATOR = 'e2e-operator';
const POISON_CODE = 'DOWNSTREAM_OFF';

/** One quick retry topic: the poison message passes the retry path before it is dead-lettered. */
const retry: RetryPolicy = { immediate: { attempts: 1, backoffMs: 0 }, delaysMs: [100] };

/** Debian's chromium (apt-get install chromium); playwright-core downloads no browser. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

describe('the ops console, in a browser', () => {
  const infra = testInfrastructure();
  let system: SagaSystem;
  let adminPort: number;
  let inboxDb: MigratedDatabase;
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let browser: Browser;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    adminPort = await freePort();
    [system, inboxDb, browser] = await Promise.all([
      SagaSystem.start({
        env: { ops: { OPS_ADMIN_TOKENS: `${OPERATOR}=${TOKEN}`, OPS_ADMIN_PORT: String(adminPort) } },
      }),
      createMigratedDatabase(infra.postgresUrl, 'e2e_console_groups', (url) => ({
        type: 'postgres',
        url,
        migrations: messagingMigrations(),
        migrationsTransactionMode: 'all',
      })),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-background-networking'],
      }),
    ]);
    await inboxDb.dataSource.query(
      'CREATE TABLE handled (consumer_group text NOT NULL, event_id text NOT NULL)',
    );
    client = system.kafka('ops-console-e2e');
    admin = client.admin();
    producer = client.producer();
    await Promise.all([admin.connect(), producer.connect()]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.stop({ timeoutMs: 10_000 })));
    await Promise.all([admin?.disconnect(), producer?.disconnect(), browser?.close()]);
    await inboxDb?.dispose();
    await system?.dispose();
  });

  /** Rows the group's handler committed for the event (or for any event). */
  const handled = async (groupId: string, eventId?: string): Promise<number> => {
    const rows = (await inboxDb.dataSource.query(
      'SELECT count(*) AS n FROM handled WHERE consumer_group = $1 AND ($2::text IS NULL OR event_id = $2)',
      [groupId, eventId ?? null],
    )) as { n: string }[];
    return Number(rows[0]?.n);
  };

  const recordsIn = async (topic: string): Promise<number> =>
    (await admin.fetchEndOffsets(topic)).reduce((sum, p) => sum + Number(p.offset), 0);

  /**
   * What the group has not consumed: the records (not commit markers) between its committed offsets and the
   * log ends, and the lag as Kafka counts it (log end minus committed offset, markers included).
   */
  const backlog = async (groupId: string): Promise<{ records: ConsumedRecord[]; lag: number }> => {
    const { offsets } = await admin.describeGroup(groupId);
    const ranges = offsets
      .filter((o) => o.lag > 0)
      .map((o) => ({
        topic: o.topic,
        partition: o.partition,
        fromOffset: BigInt(o.committedOffset) < 0n ? '0' : o.committedOffset,
        toOffset: o.endOffset,
      }));
    return {
      records: await readRecords(client, ranges, { idleMs: 500 }),
      lag: offsets.reduce((sum, o) => sum + o.lag, 0),
    };
  };

  /** Polls the element's text until it matches (the console redraws as answers arrive). */
  const textOf = (locator: Locator, expected: RegExp, description: string): Promise<string> =>
    waitFor(
      async () => {
        const text = (await locator.textContent({ timeout: 1_000 }).catch(() => null))?.trim() ?? '';
        if (!expected.test(text)) throw new Error(`"${text}" does not match ${String(expected)}`);
        return text;
      },
      { description, timeoutMs: 60_000, intervalMs: 200 },
    );

  it('finds the poison message, shows it, redrives it after a dry run, and it is handled once in its group only', async () => {
    // A real order: orders writes OrderPlaced to its outbox, the relay publishes it on orders.events.
    const order = await system.placeOrder({
      customerId: 'customer-2',
      items: [{ sku: 'SKU-POSTER', quantity: 1 }],
    });

    const failing = uniqueName('console-failing');
    const bystander = uniqueName('console-bystander');
    let switchOn = true;
    let poisonEventId: string | undefined;
    const calls = new Map<string, number>();
    const callsOf = (groupId: string) => calls.get(groupId) ?? 0;
    const codec = new EnvelopeCodec(new AvroCodec({ registryUrl: infra.schemaRegistryUrl }));
    const consume = (groupId: string, failsWhileSwitchOn: boolean) =>
      subscribe({
        client,
        groupId,
        routes: [
          on(orderPlacedEvent as unknown as EventDefinition<OrderPlaced>, async (event, context) => {
            if (event.data.orderId !== order.id) return;
            calls.set(groupId, callsOf(groupId) + 1);
            if (failsWhileSwitchOn && switchOn) {
              poisonEventId = event.id;
              throw new HandlerError('the downstream system is off (the test switch)', {
                code: POISON_CODE,
              });
            }
            await entityManagerOf(context).query(
              'INSERT INTO handled (consumer_group, event_id) VALUES ($1, $2)',
              [groupId, event.id],
            );
          }),
        ],
        delivery: 'effectively-once',
        inbox: new PostgresInbox(inboxDb.dataSource),
        retry,
        codec,
        producer,
        admin,
        runner: { consumer: { fetchMaxWaitMs: 100 } },
      });
    subscriptions.push(await consume(failing, true), await consume(bystander, false));

    await waitFor(async () => (await recordsIn(`${failing}.dlt`)) === 1, {
      description: 'the poison message in the failing group’s dead-letter topic',
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await handled(bystander)) === 1, {
      description: 'the other group to handle the same message',
      timeoutMs: 60_000,
    });
    expect(poisonEventId).toBeDefined();
    // The first attempt and the retry topic's.
    expect(callsOf(failing)).toBe(2);
    expect(await handled(failing)).toBe(0);

    const page = await browser.newPage();
    const requested: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) pageErrors.push(message.text());
    });
    try {
      await openConsole(page);
      await showsTheApisProblem(page);
      await redriveThePoison(page, failing, bystander, poisonEventId ?? '', order.id, () => {
        switchOn = false;
      });

      await waitFor(async () => (await handled(failing, poisonEventId)) === 1, {
        description: 'the redriven message handled by the failing group',
        timeoutMs: 60_000,
      });
      // The saga's own events keep arriving on orders.events until the order settles.
      await system.waitForOrder(order.id);
      await system.waitForOutboxesDrained();
      await waitFor(async () => (await backlog(failing)).records.length === 0, {
        description: 'the failing group to have consumed everything',
        timeoutMs: 60_000,
      });
      await showsItHandled(page, failing, poisonEventId ?? '');

      // Exactly once more in the failing group; never again in the other one.
      expect(callsOf(failing)).toBe(3);
      expect(await handled(failing, poisonEventId)).toBe(1);
      expect(callsOf(bystander)).toBe(1);
      expect(await handled(bystander, poisonEventId)).toBe(1);
      expect(await recordsIn(`${bystander}.dlt`)).toBe(0);

      // No CDN, no font service: everything the page loaded came from the ops service's admin port.
      const origin = `http://127.0.0.1:${adminPort}/`;
      expect(requested.filter((url) => !url.startsWith(origin))).toEqual([]);
      expect(requested).toEqual(expect.arrayContaining([`${origin}app.js`, `${origin}console.css`]));
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  async function openConsole(page: Page): Promise<void> {
    await page.goto(`http://127.0.0.1:${adminPort}/`);
    const prompt = page.getByTestId('token-dialog');
    await prompt.waitFor();

    // A wrong token is refused with the API's own words, and the prompt stays.
    await page.getByLabel('Token', { exact: true }).fill('not-the-right-token-at-all');
    await page.getByRole('button', { name: 'Open the console' }).click();
    await textOf(page.locator('#token-error'), /not one of OPS_ADMIN_TOKENS/, 'the wrong token refused');

    await page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await page.getByRole('button', { name: 'Open the console' }).click();
    await prompt.waitFor({ state: 'hidden' });
  }

  /** A request the API refuses: its problem's detail in the alert bar, gone once the panel loads again. */
  async function showsTheApisProblem(page: Page): Promise<void> {
    await page.getByLabel('Error code').fill('X'.repeat(201));
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await textOf(
      page.getByTestId('alert'),
      /^Failed messages: Invalid request: query:errorCode: /,
      'the problem of an invalid filter',
    );
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByTestId('alert').waitFor({ state: 'hidden' });
  }

  async function redriveThePoison(
    page: Page,
    failing: string,
    bystander: string,
    poisonEventId: string,
    orderId: string,
    turnTheSwitchOff: () => void,
  ): Promise<void> {
    // The poison message, under its group and its error code; the other group has nothing to show.
    const group = page.locator(`[data-testid="dlt-group"][data-group="${failing}"]`);
    const byCode = group.locator(`[data-testid="dlt-error"][data-error-code="${POISON_CODE}"]`);
    const row = byCode.locator(`[data-testid="dlt-message"][data-event-id="${poisonEventId}"]`);
    await row.waitFor();
    expect(await byCode.locator('.badge').textContent()).toBe('1');
    expect(await byCode.locator('[data-testid="dlt-message"]').count()).toBe(1);
    expect(await row.getByTestId('message-status').textContent()).toBe('failed');
    expect(await page.locator(`[data-testid="dlt-group"][data-group="${bystander}"]`).count()).toBe(0);

    // Its detail: the record's headers and the payload decoded through the registry.
    await row.getByRole('button', { name: /^Details of / }).click();
    const detail = page.getByTestId('message-detail');
    const headersTable = detail.getByTestId('detail-headers');
    await headersTable.waitFor();
    const headers = Object.fromEntries(
      await headersTable
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => [r.children[0]?.textContent, r.children[1]?.textContent])),
    ) as Record<string, string>;
    expect(headers).toMatchObject({
      ce_id: poisonEventId,
      ce_type: orderPlacedEvent.type,
      [DEAD_LETTER_HEADERS.consumerGroup]: failing,
      [DEAD_LETTER_HEADERS.errorCode]: POISON_CODE,
    });
    // The stack trace is text (line breaks and all), not base64.
    expect(headers[DEAD_LETTER_HEADERS.errorStack]).toContain(
      'the downstream system is off (the test switch)\n    at ',
    );
    const payload = JSON.parse((await detail.getByTestId('detail-payload').textContent()) ?? '') as unknown;
    expect(payload).toMatchObject({
      id: poisonEventId,
      type: orderPlacedEvent.type,
      data: { orderId, customerId: 'customer-2', lines: [{ sku: 'SKU-POSTER', quantity: 1 }] },
    });

    // The downstream is back: redrive, preview first.
    turnTheSwitchOff();
    await detail.getByRole('button', { name: 'Redrive this message…' }).click();
    const action = page.getByTestId('action-dialog');
    await textOf(
      action.getByTestId('redrive-preview'),
      /^Dry run: 1 to redrive, 0 to quarantine, 0 not selected, 1 record read\.$/,
      'the dry-run preview',
    );
    expect(
      await action
        .locator('[data-testid="redrive-outcome"]')
        .evaluateAll((rows) =>
          rows.map((r) => [r.getAttribute('data-action'), r.getAttribute('data-message-id')]),
        ),
    ).toEqual([['redriven', await row.getAttribute('data-message-id')]]);
    // Nothing was sent by the preview: the group's first retry topic holds the first failure's record only.
    expect(await recordsIn(`${failing}.retry.1`)).toBe(1);

    await action.getByRole('button', { name: 'Redrive 1 message' }).click();
    await textOf(
      action.getByTestId('redrive-result'),
      /^Job [0-9a-f-]{36} completed: 1 redriven, 0 quarantined, 0 not selected\.$/,
      'the redrive job’s result',
    );
    await action.getByRole('button', { name: 'Close' }).click();
  }

  async function showsItHandled(page: Page, failing: string, poisonEventId: string): Promise<void> {
    // Handled messages are hidden by default; shown, it is marked redriven by the job.
    await page.getByLabel('Show handled (redriven, quarantined)').check();
    const row = page.locator(
      `[data-testid="dlt-group"][data-group="${failing}"] [data-testid="dlt-message"][data-event-id="${poisonEventId}"]`,
    );
    await textOf(row.getByTestId('message-status'), /^redriven$/, 'the message marked redriven');

    // The groups panel (it refreshes itself): the failing group has nothing left to consume, so its lag in
    // seconds is 0 and its lag in records, Kafka's count, is 0 too: the consumer committed past the commit
    // marker the redrive's transaction wrote after the redriven record on the retry topic.
    const groupRow = page.locator(`[data-testid="group-row"][data-group="${failing}"]`);
    await textOf(groupRow.getByTestId('group-age'), /^0 s$/, 'the failing group’s lag in seconds back to 0');
    await waitFor(
      async () => {
        const shown = (await groupRow.getByTestId('group-lag').textContent())?.trim();
        const { records, lag } = await backlog(failing);
        if (records.length > 0 || shown !== String(lag)) {
          throw new Error(
            `the console shows ${shown}; Kafka counts ${lag}, ${records.length} records unconsumed`,
          );
        }
        return true;
      },
      { description: 'the console to show the lag Kafka counts', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect((await groupRow.getByTestId('group-lag').textContent())?.trim()).toBe('0');
    expect(await groupRow.getByTestId('group-dead-letters').textContent()).toBe('0');
    expect(await groupRow.getByTestId('group-state').textContent()).toBe('Stable');

    // The job and the audit trail, under the token's name.
    const job = page.locator('[data-testid="job-row"][data-status="completed"]');
    await textOf(job, new RegExp(`${failing}${OPERATOR}completed100`), 'the completed job');
    const audit = page.getByTestId('audit-panel');
    for (const [action, dryRun] of [
      ['dlt.show', 'false'],
      ['dlt.redrive', 'true'],
      ['dlt.redrive', 'false'],
    ] as const) {
      await textOf(
        audit.locator(`[data-testid="audit-row"][data-action="${action}"][data-dry-run="${dryRun}"]`),
        new RegExp(`${OPERATOR} \\(api\\)`),
        `the audit entry ${action} (dry run ${dryRun})`,
      );
    }

    // Forget token: the token leaves the tab's storage and the prompt comes back.
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByTestId('token-dialog').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  }
});
