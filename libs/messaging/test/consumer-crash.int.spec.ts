/**
 * At-least-once vs at-most-once under SIGKILL. The consumer process writes a marker (its side effect) for
 * each record; for record v4 it writes the marker and then never returns, so the kill lands exactly
 * between the side effect and the offset commit. It commits after every record, so the restart's
 * starting point is exact: at-least-once hands v4 over again (its side effect is seen twice), at-most-once
 * committed v4 before its handler ran and never hands it over again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@orderstream/testing';
import { startConsumerChild } from './fixtures/consumer-child';
import { consumerTestKit, offsetsOf, produceValues, waitForCommitted } from './fixtures/consumer-support';

describe('delivery guarantees under SIGKILL (child process)', () => {
  const kit = consumerTestKit('consumer-crash');
  const { infra, admin, producer } = kit;
  const directory = mkdtempSync(join(tmpdir(), 'consumer-crash-'));

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
  const markers = (file: string): string[] => {
    try {
      return readFileSync(file, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };

  it.each([
    {
      delivery: 'at-least-once',
      // v4's side effect happened, its offset was not committed: it is handed over again.
      expected: ['v0', 'v1', 'v2', 'v3', 'v4', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'],
    },
    {
      delivery: 'at-most-once',
      // v4's offset was committed before its handler ran: it is never handed over again.
      expected: ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'],
    },
  ])('$delivery: a restart after SIGKILL between side effect and commit', async ({ delivery, expected }) => {
    const { topic, groupId } = await kit.topicAndGroup(`consumer.crash.${delivery}`, 1);
    const markerFile = join(directory, `${groupId}.markers`);
    await produceValues(producer, topic, values, () => 'one-key');
    const env = { KAFKA_BROKERS: infra.kafkaBrokers.join(','), MARKER_FILE: markerFile, COMMIT_EVERY: '1' };

    const doomed = startConsumerChild({ topic, groupId, delivery }, { ...env, BLOCK_AT: 'v4' });
    await waitFor(() => markers(markerFile).includes('v4'), { description: 'the marker of v4' });
    doomed.process.kill('SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');
    expect(markers(markerFile)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    // v0..v3 finished and were committed; the killed process never finished v4.
    const committedAtKill = delivery === 'at-least-once' ? '4' : '5';
    expect((await offsetsOf(admin, groupId, topic)).committed).toEqual([committedAtKill]);

    const restarted = startConsumerChild({ topic, groupId, delivery }, env);
    await waitFor(() => restarted.handled().includes('v9'), {
      description: 'the restarted process to handle v9',
      timeoutMs: 60_000,
    });
    await waitForCommitted(admin, groupId, topic, ['10']);
    restarted.process.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
    expect(markers(markerFile)).toEqual(expected);
  });
});
