import { plainLogger, silentLogger } from './logger';

describe('plainLogger', () => {
  it("merges a child's fields into every line, the nearer child's and the line's own winning", () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const at =
      (level: string) =>
      (fields: Record<string, unknown>, message: string): void => {
        lines.push({ level, fields, message });
      };
    const root = plainLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
    const child = root.child({ component: 'runner', groupId: 'g' }).child({ groupId: 'h', partition: 1 });
    root.info({ a: 1 }, 'root');
    child.debug({ partition: 2 }, 'grandchild');
    child.error({}, 'plain');
    expect(lines).toEqual([
      { level: 'info', fields: { a: 1 }, message: 'root' },
      { level: 'debug', fields: { component: 'runner', groupId: 'h', partition: 2 }, message: 'grandchild' },
      { level: 'error', fields: { component: 'runner', groupId: 'h', partition: 1 }, message: 'plain' },
    ]);
  });
});

describe('silentLogger', () => {
  it('is its own child', () => {
    expect(silentLogger.child({ any: 'thing' })).toBe(silentLogger);
  });
});
