import { renderTable } from './text-table';

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns number columns', () => {
    expect(
      renderTable(
        ['state', 'orders'],
        [
          ['CONFIRMED', 195],
          ['REJECTED', 7],
        ],
      ),
    ).toBe(
      ['  state      orders', '  ─────────  ──────', '  CONFIRMED     195', '  REJECTED        7'].join('\n'),
    );
  });

  it('takes explicit alignment and indent', () => {
    expect(renderTable(['a', 'b'], [['x', 'long']], { indent: '', align: ['right', 'left'] })).toBe(
      ['a  b', '─  ────', 'x  long'].join('\n'),
    );
  });
});
