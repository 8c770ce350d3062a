/** The image step's report: per image its build time, size and time to ready, as an aligned table. */
import type { BootResult } from './boot-check';
import type { BuiltImage } from './service-images';

export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
export const s = (seconds: number): string => `${seconds.toFixed(1)} s`;

export function formatReport(built: readonly BuiltImage[], booted: readonly BootResult[]): string {
  const header = ['image', 'build', 'size', 'ready after'];
  const rows = built.map((image) => {
    const boot = booted.find((b) => b.service === image.service);
    return [image.image, s(image.seconds), mb(image.bytes), boot ? s(boot.secondsToReady) : '-'];
  });
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  return table
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
