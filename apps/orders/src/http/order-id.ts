import { invalidRequest } from './order-problems';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An order id from a path, checked before it reaches a `uuid` column (where a bad one would be a 500). */
export function parseOrderId(value: string): string {
  if (!UUID.test(value)) throw invalidRequest([{ field: 'path:id', message: 'must be a UUID' }]);
  return value.toLowerCase();
}
