/**
 * `npm run ops -- groups …` against the real broker, held to Kafka's own `kafka-consumer-groups.sh`
 * (ConsumerGroupCommand from org.apache.kafka:kafka-tools of the version the infrastructure runs, which
 * `infra fetch` caches): the same groups, and per partition the same committed offset, end offset and lag.
 * The reset's semantics are the library's conformance suite's; here, that the command line reaches them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { INFRA_VERSIONS, kafkaToolsRuntime } from '@orderstream/infra';
import {
  type AdminPort,
  type ConsumerPort,
  type KafkaClient,
  type ProducerPort,
} from '@orderstream/messaging';
import { createKafkaJsClient } from '@orderstream/messaging/kafkajs';
import { testInfrastructure, uniqueName, waitFor } from '@orderstream/testing';
import type { DescribedGroup } from '@orderstream/operations';
import { runGroupsCommand } from './groups.cli';

const run = promisify(execFile);

/** One row of ConsumerGroupCommand's `--describe` table; `-` stays as it prints it. */
interface KafkaToolRow {
  topic: string;
  partition: number;
  currentOffset: string;
  logEndOffset: string;
  lag: string;
  consumerId: string;
}

async function consumerGroupCommand(args: string[]): Promise<string> {
  // The version the test's broker runs, as the harness labels it ("Apache Kafka 4.4.0" for the native
  // stack); a stack given through the environment does not say ("unknown"), and then it is the one the
  // repository pins.
  const { kafka } = testInfrastructure().versions;
  const { java, classpath } = await kafkaToolsRuntime({
    kafkaVersion: /\d+\.\d+\.\d+/.exec(kafka)?.[0] ?? INFRA_VERSIONS.kafka,
  });
  const { stdout } = await run(
    java,
    [
      '-cp',
      classpath,
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      '--bootstrap-server',
      testInfrastructure().kafkaBrokers.join(','),
      ...args,
    ],
    { timeout: 60_000 },
  );
  return stdout;
}

async function kafkaToolDescribe(groupId: string): Promise<KafkaToolRow[]> {
  const lines = (await consumerGroupCommand(['--describe', '--group', groupId])).split('\n');
  const header = lines.findIndex((line) => /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET/.test(line));
  if (header < 0) throw new Error(`no table in ConsumerGroupCommand's output:\n${lines.join('\n')}`);
  const columns = (lines[header] ?? '').trim().split(/\s+/);
  const at = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  return lines
    .slice(header + 1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/))
    .map((cells) => ({
      topic: at(cells, 'TOPIC'),
      partition: Number(at(cells, 'PARTITION')),
      currentOffset: at(cells, 'CURRENT-OFFSET'),
      logEndOffset: at(cells, 'LOG-END-OFFSET'),
      lag: at(cells, 'LAG'),
      consumerId: at(cells, 'CONSUMER-ID'),
    }))
    .sort((a, b) => a.partition - b.partition);
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function ops(...argv: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await runGroupsCommand(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(',') },
  });
  return { code, stdout, stderr };
}

async function describeJson(groupId: string): Promise<DescribedGroup> {
  const result = await ops('describe', groupId, '--json');
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as DescribedGroup;
}

describe('npm run ops -- groups', () => {
  let client: KafkaClient;
  let admin: AdminPort;
  let producer: ProducerPort;
  let consumer: ConsumerPort | undefined;
  let topic: string;
  let groupId: string;
  /** When the first records were sent (before the send, after its acknowledgement). */
  let sent: { before: number; after: number };

  const committed = async (): Promise<string[]> =>
    (await admin.fetchCommittedOffsets(groupId, topic)).map((p) => p.offset);

  /** Our describe beside Kafka's: the same numbers on every partition the group committed. */
  async function expectSameAsKafka(): Promise<{ ours: DescribedGroup; kafka: KafkaToolRow[] }> {
    const [ours, kafka] = await Promise.all([describeJson(groupId), kafkaToolDescribe(groupId)]);
    const withCommit = ours.partitions.filter((p) => p.committedOffset !== null);
    expect(kafka.filter((row) => row.currentOffset !== '-')).toEqual(
      withCommit.map((p) =>
        expect.objectContaining({
          topic: p.topic,
          partition: p.partition,
          currentOffset: p.committedOffset,
          logEndOffset: p.endOffset,
          lag: String(p.lag),
        }),
      ),
    );
    return { ours, kafka };
  }

  beforeAll(async () => {
    client = createKafkaJsClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'ops-groups-int' });
    admin = client.admin();
    await admin.connect();
    topic = uniqueName('ops.groups');
    groupId = uniqueName('ops-groups');
    await admin.createTopics([{ topic, partitions: 3 }]);
    producer = client.producer();
    await producer.connect();
    // 10, 7 and 5 records on partitions 0, 1 and 2.
    const records = [10, 7, 5].flatMap((count, partition) =>
      Array.from({ length: count }, (_, i) => ({
        key: `k${i}`,
        value: Buffer.from(`${partition}/${i}`),
        partition,
      })),
    );
    const before = Date.now();
    await producer.send(topic, records);
    sent = { before, after: Date.now() };

    // A member that reads everything and commits 4 on partition 0 (lag 6), 7 on partition 1 (lag 0) and
    // nothing on partition 2.
    const commitAt = new Map([
      [0, '4'],
      [1, '7'],
    ]);
    consumer = client.consumer({ groupId, fetchMaxWaitMs: 100 });
    await consumer.connect();
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({
      eachRecord: async (record) => {
        const offset = commitAt.get(record.partition);
        if (offset !== undefined && String(BigInt(record.offset) + 1n) === offset) {
          await consumer?.commit([{ topic, partition: record.partition, offset }]);
        }
      },
    });
    await waitFor(async () => (await committed()).join() === '4,7,-1' || undefined, {
      description: 'the member to commit 4, 7 and nothing',
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.deleteTopics([topic]).catch(() => undefined);
    await admin?.disconnect();
  });

  it('lists the group, as Kafka does', async () => {
    const ours = await ops('list', '--json');
    expect(ours.code).toBe(0);
    const listed = (JSON.parse(ours.stdout) as { groups: { groupId: string }[] }).groups.map(
      (g) => g.groupId,
    );
    expect(listed).toContain(groupId);
    expect((await consumerGroupCommand(['--list'])).split('\n')).toContain(groupId);
  });

  it('describes an active group with the numbers Kafka gives, and its member on each partition', async () => {
    const { ours, kafka } = await expectSameAsKafka();
    expect(ours.state).toBe('Stable');
    const [member] = ours.members;
    expect(
      ours.partitions.map((p) => [p.partition, p.committedOffset, p.endOffset, p.lag, p.memberId]),
    ).toEqual([
      [0, '4', '10', 6, member?.memberId],
      [1, '7', '7', 0, member?.memberId],
      [2, null, '5', 5, member?.memberId],
    ]);
    // Kafka shows the assigned partition without a commit as "-"; so does our table.
    expect(kafka.map((row) => [row.partition, row.currentOffset, row.lag, row.consumerId])).toEqual([
      [0, '4', '6', member?.memberId],
      [1, '7', '0', member?.memberId],
      [2, '-', '-', member?.memberId],
    ]);
  });

  it('ages the lag by the next unconsumed record, and the log start where nothing is committed', async () => {
    const before = Date.now();
    const { partitions } = await describeJson(groupId);
    const after = Date.now();
    // The records were stamped between sent.before and sent.after; describe read the clock in between.
    const [low, high] = [(before - sent.after) / 1000, (after - sent.before) / 1000];
    const [p0, p1, p2] = partitions;
    expect(p0).toMatchObject({ lagSecondsFrom: 'committed-offset' });
    expect(p0?.lagSeconds).toBeGreaterThanOrEqual(low);
    expect(p0?.lagSeconds).toBeLessThanOrEqual(high);
    expect(p1).toMatchObject({ lag: 0, lagSeconds: 0, lagSecondsFrom: null });
    expect(p2).toMatchObject({ lagSecondsFrom: 'log-start' });
    expect(p2?.lagSeconds).toBeGreaterThanOrEqual(low);
    expect(p2?.lagSeconds).toBeLessThanOrEqual(high);

    const table = await ops('describe', groupId);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TOPIC\s+PARTITION\s+COMMITTED\s+END\s+LAG\s+LAG-SECONDS\s+MEMBER$/m);
    expect(table.stdout).toMatch(new RegExp(`^${topic}\\s+2\\s+-\\s+5\\s+5\\s+\\d+\\.\\d\\*\\s`, 'm'));
  });

  it('refuses to reset while the group has a member, naming it, and changes nothing', async () => {
    const [member] = (await admin.describeGroup(groupId)).members;
    const refused = await ops('reset', groupId, '--to', 'earliest', '--all-topics');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`consumer group "${groupId}" has 1 active member(s)`);
    expect(refused.stderr).toContain(`${member?.memberId} (client ${member?.clientId}`);
    expect(await committed()).toEqual(['4', '7', '-1']);
  });

  it("counts a transaction's commit marker as lag, as Kafka does, but not as a record anyone waits for", async () => {
    // Three records and the group's offset past them in one transaction: the marker takes offset 3.
    const markerTopic = uniqueName('ops.groups.tx');
    const markerGroup = uniqueName('ops-groups-tx');
    await admin.createTopics([{ topic: markerTopic, partitions: 1 }]);
    const transactional = client.producer({ transactionalId: uniqueName('ops-groups-tx') });
    try {
      await transactional.connect();
      const tx = await transactional.transaction();
      await tx.send(
        markerTopic,
        ['a', 'b', 'c'].map((key) => ({ key, value: null })),
      );
      await tx.sendOffsets(markerGroup, [{ topic: markerTopic, partition: 0, offset: '3' }]);
      await tx.commit();

      const [ours, kafka] = await Promise.all([describeJson(markerGroup), kafkaToolDescribe(markerGroup)]);
      expect(ours.partitions).toEqual([
        expect.objectContaining({
          committedOffset: '3',
          endOffset: '4',
          lag: 1,
          lagSeconds: 0,
          lagSecondsFrom: 'committed-offset',
        }),
      ]);
      expect(kafka.map((row) => [row.currentOffset, row.logEndOffset, row.lag])).toEqual([['3', '4', '1']]);
    } finally {
      await transactional.disconnect();
      await admin.deleteGroups([markerGroup]).catch(() => undefined);
      await admin.deleteTopics([markerTopic]).catch(() => undefined);
    }
  });

  describe('once the member left', () => {
    beforeAll(async () => {
      await consumer?.disconnect();
      consumer = undefined;
      await waitFor(async () => (await admin.describeGroup(groupId)).state === 'Empty', {
        description: 'the group to have no members',
      });
    });

    it('describes the group with the numbers Kafka gives', async () => {
      const { ours, kafka } = await expectSameAsKafka();
      expect(ours).toMatchObject({ state: 'Empty', members: [] });
      // Without members Kafka lists only what was committed.
      expect(kafka.map((row) => row.partition)).toEqual([0, 1]);
    });

    it('prints the plan of a dry run and commits nothing', async () => {
      const dry = await ops('reset', groupId, '--to', 'earliest', '--all-topics', '--dry-run', '--json');
      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.stdout)).toEqual({
        groupId,
        dryRun: true,
        partitions: [
          { topic, partition: 0, currentOffset: '4', newOffset: '0' },
          { topic, partition: 1, currentOffset: '7', newOffset: '0' },
          { topic, partition: 2, currentOffset: '-1', newOffset: '0' },
        ],
      });
      expect(await committed()).toEqual(['4', '7', '-1']);

      const table = await ops('reset', groupId, '--to', 'latest', '--topic', `${topic}:2`, '--dry-run');
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toContain(
        `dry run: group ${groupId} would move 1 of 1 partition(s); nothing was committed`,
      );
      expect(table.stdout).toMatch(new RegExp(`^${topic}\\s+2\\s+-\\s+5$`, 'm'));
      expect(await committed()).toEqual(['4', '7', '-1']);
    });

    it('moves the committed offsets exactly where it was told', async () => {
      expect(
        (
          await ops(
            'reset',
            groupId,
            '--to',
            'offset',
            '--offset',
            `${topic}:0=2`,
            '--offset',
            `${topic}:2=5`,
          )
        ).code,
      ).toBe(0);
      expect(await committed()).toEqual(['2', '7', '5']);

      expect((await ops('reset', groupId, '--to', 'offset', '--offset', '3', '--topic', topic)).code).toBe(0);
      expect(await committed()).toEqual(['3', '3', '3']);

      expect((await ops('reset', groupId, '--to', 'earliest', '--topic', `${topic}:1`)).code).toBe(0);
      expect(await committed()).toEqual(['3', '0', '3']);

      // One more record per partition, stamped at or after `from`, which is later than every earlier
      // record's stamp: a reset to `from` lands on each of them.
      await waitFor(() => Date.now() > sent.after, { description: 'the clock to pass the first records' });
      const from = Date.now();
      await producer.send(
        topic,
        [0, 1, 2].map((partition) => ({ key: 'late', value: null, partition })),
      );
      const reset = await ops(
        'reset',
        groupId,
        '--to',
        'timestamp',
        '--timestamp',
        new Date(from).toISOString(),
        '--all-topics',
      );
      expect(reset).toMatchObject({ code: 0, stderr: '' });
      expect(await committed()).toEqual(['10', '7', '5']);
      await expectSameAsKafka();
    });

    it('fails on a topic that does not exist, and on a usage mistake', async () => {
      const missing = await ops('reset', groupId, '--to', 'latest', '--topic', uniqueName('ops.missing'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('do not exist');
      expect((await ops('reset', groupId, '--to', 'sideways', '--all-topics')).code).toBe(2);
    });
  });
});
