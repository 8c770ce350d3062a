/**
 * Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. Pure
 * (strings in, string out), so the demo's output format is unit-tested.
 */

export type Cell = string | number;

export interface TableOptions {
  /** Indent of every line. Default two spaces. */
  indent?: string;
  /** Per column: 'right' or 'left'. Default: right for columns whose body cells are all numbers. */
  align?: readonly ('left' | 'right')[];
}

export function renderTable(
  headers: readonly string[],
  rows: readonly Cell[][],
  options: TableOptions = {},
): string {
  const indent = options.indent ?? '  ';
  const widths = headers.map((header, col) =>
    Math.max(header.length, ...rows.map((row) => String(row[col] ?? '').length)),
  );
  const align = headers.map(
    (_, col) =>
      options.align?.[col] ??
      (rows.length > 0 && rows.every((row) => typeof row[col] === 'number') ? 'right' : 'left'),
  );
  const line = (cells: readonly Cell[]) =>
    indent +
    widths
      .map((width, col) => {
        const text = String(cells[col] ?? '');
        return align[col] === 'right' ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = indent + widths.map((width) => '─'.repeat(width)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
