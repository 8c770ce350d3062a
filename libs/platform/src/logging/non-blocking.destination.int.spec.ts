/**
 * The service logger against a real pipe whose reader has stopped reading: the process must neither block
 * while logging nor hang on exit. (pino's default destination fails both: it waits for the pipe on exit.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const FLOOD = join(__dirname, 'test', 'log-flood.process.ts');

describe('the service logger on a stdout nobody reads', () => {
  it('logs 20 MB and exits at once, dropping what the pipe cannot take', async () => {
    const child = spawn(process.execPath, ['--conditions=@orderstream/source', '--import', 'tsx', FLOOD], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    // The reader stops reading: the pipe (and the child's write queue) fills up.
    child.stdout.pause();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, stderr: stderr.trim() }).toEqual({
      code: 0,
      signal: null,
      stderr: 'logged 20000 lines',
    });
    child.stdout.destroy();
  }, 30_000);
});
