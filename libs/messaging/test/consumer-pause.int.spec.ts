/**
 * `pause` and `resume` against the real broker: a partition paused from inside its own handler stops at
 * the next record (what ran is committed, the rest of the batch is given back), is not fetched while
 * paused although the other partition keeps flowing, and after `resume` continues exactly where it
 * stopped: every record once, in order.
 */
import { waitFor } from '@orderstream/testing';
import { consumerTestKit, produceValues, stderrLogger, waitForCommitted } from './fixtures/consumer-support';

describe('ConsumerRunner pause and resume', () => {
  const kit = consumerTestKit('consumer-pause');
  const { producer } = kit;

  it('stops a paused partition at the next record, keeps the others flowing, and resumes where it stopped', async () => {
    const { topic, groupId } = await kit.topicAndGroup('consumer.pause', 2);
    const handled = { 0: [] as string[], 1: [] as string[] };
    const runner = kit.runner({
      groupId,
      topics: [topic],
      consumer: { fetchMaxWaitMs: 100 },
      logger: stderrLogger('pause'),
      handler: async ({ record }) => {
        const value = record.value?.toString() ?? '';
        handled[record.partition as 0 | 1].push(value);
        if (value === 'a4') runner.pause([{ topic, partitions: [0] }]);
      },
    });
    await runner.start();

    const a = Array.from({ length: 10 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 10 }, (_, i) => `b${i}`);
    // One request, so a0..a9 arrive in one batch and the pause lands inside it.
    await produceValues(
      producer,
      topic,
      a,
      (v) => v,
      () => 0,
    );
    await waitFor(() => handled[0].includes('a4'), { description: 'a4 handled' });
    // What ran is committed when the batch stops at the pause.
    await waitForCommitted(kit.admin, groupId, topic, ['5', '-1']);

    // Partition 1 flows while partition 0 is paused. Its records are produced after a5..a9 were
    // available, so a fetch that included partition 0 would have brought those first.
    await produceValues(
      producer,
      topic,
      b,
      (v) => v,
      () => 1,
    );
    await waitForCommitted(kit.admin, groupId, topic, ['5', '10']);
    expect(handled[1]).toEqual(b);
    expect(handled[0]).toEqual(a.slice(0, 5));
    expect(runner.assignments()).toEqual([{ topic, partitions: [0, 1] }]);

    runner.resume([{ topic, partitions: [0] }]);
    await waitForCommitted(kit.admin, groupId, topic, ['10', '10']);
    expect(handled[0]).toEqual(a);
    expect(handled[1]).toEqual(b);
  });
});
