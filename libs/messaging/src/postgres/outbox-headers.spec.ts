import { fromStoredHeaders, toStoredHeaders } from './outbox-headers';

describe('outbox headers', () => {
  it('stores text headers as plain strings', () => {
    expect(toStoredHeaders({ ce_id: 'abc', ce_type: 'test.Type' })).toEqual({
      ce_id: 'abc',
      ce_type: 'test.Type',
    });
  });

  it('keeps binary header values byte for byte', () => {
    const bytes = Buffer.from([0, 255, 10, 13, 128]);
    const stored = toStoredHeaders({ 'x-binary': bytes, ce_id: 'abc' });
    expect(stored).toEqual({ 'x-binary': { base64: 'AP8KDYA=' }, ce_id: 'abc' });
    // What the jsonb column hands back is what JSON round-trips.
    const restored = fromStoredHeaders(JSON.parse(JSON.stringify(stored)) as typeof stored);
    expect(restored).toEqual({ 'x-binary': bytes, ce_id: 'abc' });
  });

  it('treats missing headers as none', () => {
    expect(toStoredHeaders(undefined)).toEqual({});
  });
});
