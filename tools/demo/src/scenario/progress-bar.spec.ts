import { ProgressBar, renderProgress } from './progress-bar';

describe('renderProgress', () => {
  it('draws the bar, the count and the percentage', () => {
    expect(renderProgress('Orders', 5, 10, '', 40)).toBe(
      `Orders [${'█'.repeat(10)}${'░'.repeat(10)}]  5/10  50%`,
    );
    expect(renderProgress('Orders', 10, 10, 'done', 200)).toBe(`Orders [${'█'.repeat(40)}] 10/10 100%  done`);
  });

  it('never draws past full, and treats an empty total as done', () => {
    expect(renderProgress('x', 12, 10, '', 30)).toContain('100%');
    expect(renderProgress('x', 0, 0, '', 30)).toContain('100%');
  });
});

describe('ProgressBar', () => {
  it('writes a line at the start and at every tenth when the output is not a terminal, and the last line once', () => {
    const lines: string[] = [];
    const bar = new ProgressBar(
      { write: (text: string) => lines.push(text), isTTY: false, columns: 60 },
      'n',
      20,
    );
    for (let i = 0; i < 20; i++) bar.tick();
    bar.finish();
    expect(lines).toHaveLength(11);
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
    expect(lines[10]).toContain('20/20 100%');
  });

  it('redraws in place on a terminal, at most every 100 ms, and always at the end', () => {
    const writes: string[] = [];
    let now = 0;
    const bar = new ProgressBar(
      { write: (text: string) => writes.push(text), isTTY: true, columns: 60 },
      'n',
      3,
      () => now,
    );
    bar.tick();
    now = 50;
    bar.tick();
    now = 150;
    bar.tick();
    bar.finish();
    expect(writes.filter((w) => w.startsWith('\r'))).toHaveLength(3);
    expect(writes[writes.length - 1]).toBe('\n');
  });
});
