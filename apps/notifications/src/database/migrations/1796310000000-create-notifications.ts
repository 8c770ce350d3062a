import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sink: one notification per order and terminal state. The unique key makes sending idempotent
 * whatever delivers the event twice (a redelivery after a crash, another instance after a rebalance, a
 * replay): the second insert changes nothing, so neither the row nor its NotificationSent is written twice.
 */
export class CreateNotifications1796310000000 implements MigrationInterface {
  name = 'CreateNotifications1796310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notifications (
        notification_id  uuid        PRIMARY KEY,
        order_id         uuid        NOT NULL,
        order_state      text        NOT NULL
                         CONSTRAINT notifications_state_check CHECK (order_state IN ('CONFIRMED', 'REJECTED', 'CANCELLED')),
        customer_id      text        NOT NULL,
        channel          text        NOT NULL,
        message          text        NOT NULL,
        -- Which member of the group sent it: the work queue's evidence that the instances share the work.
        instance_id      text        NOT NULL,
        sent_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notifications_once_per_state UNIQUE (order_id, order_state)
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE notifications');
  }
}
