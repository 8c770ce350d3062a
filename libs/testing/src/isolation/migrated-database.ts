/**
 * A fresh database of the test's own with a service's migrations applied, as TypeORM sees it.
 */
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createTestDatabase } from './test-database';

export interface MigratedDatabase {
  dataSource: DataSource;
  /** Names of the migrations this run applied, oldest first. */
  applied: string[];
  /** Closes the connection and drops the database. */
  dispose(): Promise<void>;
}

export async function createMigratedDatabase(
  serverUrl: string,
  prefix: string,
  optionsFor: (url: string) => DataSourceOptions,
): Promise<MigratedDatabase> {
  const database = await createTestDatabase(serverUrl, prefix);
  // Run the migrations explicitly (not at initialize) so the test sees exactly which ones were applied.
  const dataSource = new DataSource({
    ...optionsFor(database.url),
    migrationsRun: false,
  } as DataSourceOptions);
  try {
    await dataSource.initialize();
    const applied = (await dataSource.runMigrations()).map((m) => m.name);
    return {
      dataSource,
      applied,
      dispose: async () => {
        await dataSource.destroy();
        await database.drop();
      },
    };
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    throw error;
  }
}
