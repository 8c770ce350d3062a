import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageHandler, Middleware } from '../core/handler';
import { buildPipeline, describePipeline, PIPELINE_STAGES, type PipelineParts } from './pipeline';

/** A middleware that records its name on the way in. */
const named =
  (name: string, trace: string[]): Middleware =>
  (next) =>
  (message, context) => {
    trace.push(name);
    return next(message, context);
  };

describe('buildPipeline', () => {
  it('composes every stage in PIPELINE_STAGES order, whatever order the parts are given in', async () => {
    const trace: string[] = [];
    const stages = PIPELINE_STAGES.filter((s) => s !== 'routes');
    const parts = Object.fromEntries(
      [...stages].reverse().map((stage) => [stage, named(stage, trace)]),
    ) as PipelineParts;
    const routes: MessageHandler = () => {
      trace.push('routes');
      return Promise.resolve();
    };
    await buildPipeline(parts, routes)({} as never, {} as never);
    expect(trace).toEqual([...PIPELINE_STAGES]);
  });

  it('keeps the order inside an insertion point and leaves out stages not given', async () => {
    const trace: string[] = [];
    const handler = buildPipeline(
      {
        inner: [named('inner-a', trace), named('inner-b', trace)],
        decode: named('decode', trace),
        outer: [named('outer-a', trace)],
      },
      () => Promise.resolve(),
    );
    await handler({} as never, {} as never);
    expect(trace).toEqual(['outer-a', 'decode', 'inner-a', 'inner-b']);
  });
});

describe('describePipeline', () => {
  it('marks the insertion points and shows the transaction only under effectively-once', () => {
    expect(describePipeline('effectively-once')).toBe(
      'skip-unrouted → metrics → ‹outer› → retry-and-dead-letter → immediate-retry → transaction → trace → decode → ‹inner› → routes',
    );
    expect(describePipeline('at-least-once')).toBe(
      'skip-unrouted → metrics → ‹outer› → retry-and-dead-letter → immediate-retry → trace → decode → ‹inner› → routes',
    );
  });
});

describe('docs/messaging.md', () => {
  it('quotes the pipeline as the code builds it, for both kinds of delivery', () => {
    const page = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'messaging.md'), 'utf8');
    expect(page).toContain(`\n${describePipeline('effectively-once')}\n`);
    expect(page).toContain(`\n${describePipeline('at-least-once')}\n`);
  });
});
