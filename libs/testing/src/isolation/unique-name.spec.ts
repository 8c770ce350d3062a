import { uniqueIdentifier, uniqueName } from './unique-name';

describe('uniqueName', () => {
  it('keeps the prefix and differs between calls', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('orders.events')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^orders\.events-[0-9a-f]{8}$/);
  });

  it('makes PostgreSQL-safe identifiers', () => {
    expect(uniqueIdentifier('Orders-Test')).toMatch(/^orders_test_[0-9a-f]{8}$/);
  });
});
