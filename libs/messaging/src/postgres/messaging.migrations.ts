import type { MigrationInterface } from 'typeorm';
import { resolveTableNames, type MessagingTableNames } from './messaging-tables';
import { CreateMessagingOutbox1764300000000 } from './migrations/1764300000000-create-messaging-outbox';
import { CreateMessagingInbox1764300000001 } from './migrations/1764300000001-create-messaging-inbox';

/**
 * The messaging migrations, oldest first, for a service's DataSource `migrations` list next to its own.
 *
 * TypeORM instantiates migration classes without arguments, so custom table names are bound into
 * subclasses here. The migration names (and so the rows in the `migrations` table) stay the same whatever
 * the table names are.
 */
export function messagingMigrations(
  tables: Partial<MessagingTableNames> = {},
): (new () => MigrationInterface)[] {
  const { outbox, inbox } = resolveTableNames(tables);
  return [
    class extends CreateMessagingOutbox1764300000000 {
      constructor() {
        super(outbox);
      }
    },
    class extends CreateMessagingInbox1764300000001 {
      constructor() {
        super(inbox);
      }
    },
  ];
}
