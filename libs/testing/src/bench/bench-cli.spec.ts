import { positiveIntegerOptions } from './bench-cli';

describe('positiveIntegerOptions', () => {
  const defaults = { orders: 2_000, 'rate-seconds': 20 };

  it('gives the defaults when nothing is passed', () => {
    expect(positiveIntegerOptions(defaults, [])).toEqual({ orders: 2_000, 'rate-seconds': 20 });
  });

  it('reads --name N over the default', () => {
    expect(positiveIntegerOptions(defaults, ['--rate-seconds', '5'])).toEqual({
      orders: 2_000,
      'rate-seconds': 5,
    });
  });

  it.each(['0', '-3', '1.5', 'ten'])('refuses %p, naming the option', (raw) => {
    expect(() => positiveIntegerOptions(defaults, [`--orders=${raw}`])).toThrow(
      `--orders must be a positive integer, got ${raw}`,
    );
  });

  it('refuses an option it does not know', () => {
    expect(() => positiveIntegerOptions(defaults, ['--oders', '5'])).toThrow(/oders/);
  });
});
