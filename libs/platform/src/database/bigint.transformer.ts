import type { ValueTransformer } from 'typeorm';

/**
 * node-postgres returns `bigint` (int8) columns as strings because they may exceed 2^53. Amounts in cents
 * stay far below that, so entities read them as numbers; a value that would lose precision fails loudly
 * instead of being rounded.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | number | null): number | null => {
    if (value === null) return null;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed)) {
      throw new RangeError(`bigint value ${String(value)} does not fit a JavaScript number`);
    }
    return parsed;
  },
};
