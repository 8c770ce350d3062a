// tools/docker/workspaces.mjs decides which workspace manifests and build outputs reach a service image.
// These tests run it against this repository, the way the Dockerfile does.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'tools', 'docker', 'workspaces.mjs');
const APPS = ['orders', 'payments', 'inventory', 'outbox-relay'];

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function dirs(...args: string[]): string[] {
  const result = run(...args);
  if (result.status !== 0) throw new Error(`workspaces.mjs ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

function manifest(dir: string): { name: string; dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
  };
}

describe('workspaces.mjs', () => {
  it('lists every workspace folder, each with a package.json', () => {
    const all = dirs('dirs');
    expect(all).toEqual(
      expect.arrayContaining([...APPS.map((app) => `apps/${app}`), 'libs/messaging', 'tools/docker']),
    );
    for (const dir of all) expect(existsSync(path.join(ROOT, dir, 'package.json'))).toBe(true);
  });

  describe.each(APPS)('for %s', (app) => {
    const closure = dirs('dirs', app);
    const all = dirs('dirs');
    const dirByName = new Map(all.map((dir) => [manifest(dir).name, dir]));

    it('includes the app and the workspaces it depends on', () => {
      expect(closure).toContain(`apps/${app}`);
      const direct = Object.keys(manifest(`apps/${app}`).dependencies ?? {})
        .map((name) => dirByName.get(name))
        .filter((dir): dir is string => dir !== undefined);
      expect(closure).toEqual(expect.arrayContaining(direct));
    });

    it('leaves out other apps and development-only workspaces', () => {
      expect(closure.filter((dir) => dir.startsWith('apps/'))).toEqual([`apps/${app}`]);
      expect(closure).not.toContain('libs/testing');
      expect(closure.filter((dir) => dir.startsWith('tools/') || dir === 'e2e')).toEqual([]);
    });
  });

  it('fails with a clear message when the service is missing or unknown', () => {
    // The Dockerfile passes "${SERVICE:-}", so a build without --build-arg SERVICE lands here.
    expect(run('dirs', '')).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(
        /^workspaces\.mjs: SERVICE is not set: build with --build-arg SERVICE=<app>, where <app> is one of: .*\borders\b/,
      ),
    });
    expect(run('dirs', 'no-such-app')).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/SERVICE must be one of: .*\borders\b/),
    });
  });
});
