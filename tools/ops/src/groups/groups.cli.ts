/** `npm run ops -- groups …` (placeholder until the groups commands land). */
export async function runGroupsCommand(argv: string[]): Promise<number> {
  process.stderr.write(`groups: not implemented yet (${argv.join(' ')})\n`);
  return 2;
}
