/** `npm run ops -- dlt …` (placeholder until the dead-letter commands land). */
export async function runDltCommand(argv: string[]): Promise<number> {
  process.stderr.write(`dlt: not implemented yet (${argv.join(' ')})\n`);
  return 2;
}
