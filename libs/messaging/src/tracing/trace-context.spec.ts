import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  contextOfHeaders,
  formatTraceparent,
  parseTraceparent,
  producerParent,
  startMessagingSpan,
} from './trace-context';

// No SDK is registered in this file: the API is the no-op, which is what the library sees when tracing is
// entirely absent (tracing.spec.ts registers one).
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traceparent header', () => {
  it('reads a W3C traceparent into a remote span context and writes it back unchanged', () => {
    const spanContext = parseTraceparent(Buffer.from(TRACEPARENT));
    expect(spanContext).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(formatTraceparent(spanContext)).toBe(TRACEPARENT);
    expect(formatTraceparent({ ...spanContext!, traceFlags: 0 })).toBe(TRACEPARENT.replace(/01$/, '00'));
  });

  it.each([
    ['a missing traceparent', undefined],
    ['a malformed traceparent', 'abc'],
    ['a traceparent with an all-zero trace id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
    ['an upper-case traceparent', TRACEPARENT.toUpperCase()],
    ['a version ff traceparent', TRACEPARENT.replace(/^00/, 'ff')],
  ])('ignores %s: the record starts a new trace', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(contextOfHeaders(value === undefined ? {} : { traceparent: Buffer.from(value) })).toBe(
      ROOT_CONTEXT,
    );
  });

  it('writes nothing for an invalid span context', () => {
    expect(formatTraceparent(undefined)).toBeUndefined();
    expect(
      formatTraceparent(
        trace
          .wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })
          .spanContext(),
      ),
    ).toBeUndefined();
  });
});

describe('without an SDK', () => {
  it('passes a record’s context on unchanged: the no-op span is its parent', () => {
    const span = startMessagingSpan({
      operation: 'process',
      destination: 'orders.events',
      parent: contextOfHeaders({ traceparent: Buffer.from(TRACEPARENT) }),
    });
    expect(formatTraceparent(span.spanContext())).toBe(TRACEPARENT);
    expect(span.isRecording()).toBe(false);
  });

  it('falls back from an explicit traceparent to the active span to the cause', () => {
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    expect(formatTraceparent(trace.getSpanContext(producerParent(other, TRACEPARENT)))).toBe(other);
    expect(formatTraceparent(trace.getSpanContext(producerParent(undefined, TRACEPARENT)))).toBe(TRACEPARENT);
    expect(producerParent(undefined, undefined)).toBe(ROOT_CONTEXT);
  });
});
