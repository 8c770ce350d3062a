/**
 * The notifications service's migrations against real PostgreSQL, in a database of this test's own.
 */
import { createMigratedDatabase, testInfrastructure, type MigratedDatabase } from '@orderstream/testing';
import { NOTIFICATIONS_MIGRATIONS, notificationsDataSourceOptions } from './index';

describe('notifications database migrations', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await createMigratedDatabase(
      testInfrastructure().postgresUrl,
      'notifications_migrations',
      notificationsDataSourceOptions,
    );
  });
  afterAll(() => db?.dispose());

  const insert = (id: string, orderId: string, state: string) =>
    db.dataSource.query(
      `INSERT INTO notifications (notification_id, order_id, order_state, customer_id, channel, message, instance_id)
       VALUES ($1, $2, $3, 'customer-1', 'email', 'hello', 'instance-a')`,
      [id, orderId, state],
    );

  it('applies every migration, in order, once: the outbox, the inbox and the notifications', async () => {
    expect(db.applied).toEqual(NOTIFICATIONS_MIGRATIONS.map((M) => new M().name));
    expect(await db.dataSource.showMigrations()).toBe(false);
    const tables = (await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name <> 'migrations' ORDER BY table_name`,
    )) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual(['messaging_inbox', 'messaging_outbox', 'notifications']);
  });

  it('keeps one notification per order and state', async () => {
    const order = '0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e70';
    await insert('0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e01', order, 'CONFIRMED');
    await insert('0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e02', order, 'CANCELLED');
    await expect(insert('0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e03', order, 'CONFIRMED')).rejects.toThrow(
      /notifications_once_per_state/,
    );
    await expect(insert('0199d6a4-6c1e-7a2b-9f3e-2d1c0b9a8e04', order, 'PENDING')).rejects.toThrow(
      /notifications_state_check/,
    );
  });
});
