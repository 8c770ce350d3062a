/**
 * `npm run asyncapi:generate`: writes the AsyncAPI documents of the system and of each service to
 * docs/asyncapi/, formatted as the repository formats JSON, and removes the document of a service the
 * manifest no longer has. Run it after changing the manifest or a contract; the drift test says when.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { ASYNCAPI_DIR, asyncApiFiles } from './asyncapi-files';

async function main(): Promise<void> {
  mkdirSync(ASYNCAPI_DIR, { recursive: true });
  const files = asyncApiFiles();
  for (const [name, document] of files) {
    const path = join(ASYNCAPI_DIR, name);
    const options = await resolveConfig(path);
    writeFileSync(path, await format(JSON.stringify(document), { ...options, filepath: path }));
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }
  for (const name of readdirSync(ASYNCAPI_DIR)) {
    if (name.endsWith('.asyncapi.json') && !files.has(name)) {
      rmSync(join(ASYNCAPI_DIR, name));
      console.log(`removed ${relative(process.cwd(), join(ASYNCAPI_DIR, name))}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
