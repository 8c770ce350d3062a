/**
 * `npm run ops -- <area> <command> …`: the operator's command line. Each area parses its own arguments.
 *
 *   npm run ops -- groups list|describe|reset …   consumer-group offsets (groups/)
 *   npm run ops -- dlt list|show|redrive|purge …  dead-letter topics (dlt/)
 *
 * Exit codes: 0 done, 1 failed, 2 usage error.
 */
import { runDltCommand } from './dlt/dlt.cli';
import { runGroupsCommand } from './groups/groups.cli';

const USAGE = `usage: npm run ops -- <groups|dlt> <command> [options]   (--help after a command for its options)`;

async function main(argv: string[]): Promise<number> {
  const [area, ...rest] = argv;
  switch (area) {
    case 'groups':
      return runGroupsCommand(rest);
    case 'dlt':
      return runDltCommand(rest);
    default:
      process.stderr.write(`${USAGE}\n`);
      return area === '--help' || area === '-h' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
