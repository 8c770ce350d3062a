/**
 * `PostgresInbox.openBatch` against real PostgreSQL: the records a batch's messages already have are found
 * when it opens, the records of the messages it handled are written together at commit with the handler's
 * writes, a rollback leaves nothing, and a batch whose records another consumer committed meanwhile
 * commits nothing and says which messages collided.
 */
import {
  createMigratedDatabase,
  testInfrastructure,
  uniqueName,
  type MigratedDatabase,
} from '@orderstream/testing';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { InboxConflictError, type InboxEntry } from '../src';
import { messagingMigrations, PostgresInbox } from '../src/postgres';

class CreateNotes1764300000400 implements MigrationInterface {
  name = 'CreateNotes1764300000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE notes (message_id text NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE notes');
  }
}

describe('PostgresInbox batches', () => {
  const infra = testInfrastructure();
  let db: MigratedDatabase;
  let inbox: PostgresInbox;

  beforeAll(async () => {
    db = await createMigratedDatabase(infra.postgresUrl, 'inbox_batch', (url) => ({
      type: 'postgres',
      url,
      migrations: [...messagingMigrations(), CreateNotes1764300000400],
      migrationsTransactionMode: 'all',
    }));
    inbox = new PostgresInbox(db.dataSource);
  });

  afterAll(() => db?.dispose());

  const entry = (groupId: string, messageId: string, offset: number): InboxEntry => ({
    groupId,
    messageId,
    topic: 'inbox.batch',
    partition: 0,
    offset: String(offset),
  });
  const note = (manager: unknown, messageId: string) =>
    (manager as EntityManager).query('INSERT INTO notes (message_id) VALUES ($1)', [messageId]);
  const recorded = async (groupId: string) =>
    (
      (await db.dataSource.query(
        'SELECT message_id, "offset"::text AS offset FROM messaging_inbox WHERE consumer_group = $1 ORDER BY "offset"',
        [groupId],
      )) as { message_id: string; offset: string }[]
    ).map((r) => `${r.message_id}@${r.offset}`);
  const notes = async (ids: string[]) =>
    (
      (await db.dataSource.query(
        'SELECT message_id FROM notes WHERE message_id = ANY($1) ORDER BY message_id',
        [ids],
      )) as { message_id: string }[]
    ).map((r) => r.message_id);

  it('finds what was recorded before, and writes the handled messages and their work together', async () => {
    const groupId = uniqueName('batch-group');
    const [m1, m2, m3, m4] = ['m1', 'm2', 'm3', 'm4'].map((m) => uniqueName(m)) as [
      string,
      string,
      string,
      string,
    ];
    expect(await inbox.runOnce(entry(groupId, m2, 2), () => Promise.resolve())).toBe(true);

    const batch = await inbox.openBatch(groupId, [m1, m2, m3, m4]);
    expect([m1, m2, m3, m4].map((m) => batch.isRecorded(m))).toEqual([false, true, false, false]);
    for (const [m, offset] of [
      [m1, 1],
      [m3, 3],
      [m4, 4],
    ] as const) {
      await note(batch.transaction, m);
      batch.add(entry(groupId, m, offset));
    }
    // Nothing is visible before the commit.
    expect(await notes([m1, m3, m4])).toEqual([]);
    await batch.commit();

    expect(await recorded(groupId)).toEqual([`${m1}@1`, `${m2}@2`, `${m3}@3`, `${m4}@4`]);
    expect(await notes([m1, m3, m4])).toEqual([m1, m3, m4].sort());
  });

  it('leaves nothing behind after a rollback', async () => {
    const groupId = uniqueName('batch-group');
    const m1 = uniqueName('m1');
    const batch = await inbox.openBatch(groupId, [m1]);
    await note(batch.transaction, m1);
    batch.add(entry(groupId, m1, 1));
    await batch.rollback();
    await batch.rollback();
    expect(await recorded(groupId)).toEqual([]);
    expect(await notes([m1])).toEqual([]);
  });

  it('commits nothing of a batch whose records another consumer committed meanwhile, naming them', async () => {
    const groupId = uniqueName('batch-group');
    const [m1, m2] = [uniqueName('m1'), uniqueName('m2')];
    // Two members of the group handle the same partition across a rebalance: both open a batch.
    const zombie = await inbox.openBatch(groupId, [m1, m2]);
    const owner = await inbox.openBatch(groupId, [m2]);
    expect(zombie.isRecorded(m2)).toBe(false);
    await note(owner.transaction, `${m2}-owner`);
    owner.add(entry(groupId, m2, 2));
    await owner.commit();

    await note(zombie.transaction, `${m1}-zombie`);
    zombie.add(entry(groupId, m1, 1));
    await note(zombie.transaction, `${m2}-zombie`);
    zombie.add(entry(groupId, m2, 2));
    const committing = zombie.commit();
    await expect(committing).rejects.toBeInstanceOf(InboxConflictError);
    await expect(committing).rejects.toMatchObject({
      messageIds: [m2],
      code: 'MESSAGING_INBOX_CONFLICT',
      retriable: true,
    });

    expect(await recorded(groupId)).toEqual([`${m2}@2`]);
    expect(await notes([`${m1}-zombie`, `${m2}-zombie`, `${m2}-owner`])).toEqual([`${m2}-owner`]);
  });
});
