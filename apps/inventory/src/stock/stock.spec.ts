import { mergeLines, planReservation } from './reservation-plan';
import { transition, type StockOrderStatus } from './stock-order.state-machine';

describe('planReservation', () => {
  const stock = new Map([
    ['SKU-A', 5],
    ['SKU-B', 1],
    ['SKU-C', 0],
  ]);

  it('reserves every line when all fit, one line per SKU', () => {
    expect(
      planReservation(
        [
          { sku: 'SKU-A', quantity: 2 },
          { sku: 'SKU-B', quantity: 1 },
          { sku: 'SKU-A', quantity: 3 },
        ],
        stock,
      ),
    ).toEqual({
      kind: 'reserve',
      lines: [
        { sku: 'SKU-A', quantity: 5 },
        { sku: 'SKU-B', quantity: 1 },
      ],
    });
  });

  it('rejects on the sum of a SKU listed twice, although each line alone would fit', () => {
    expect(
      planReservation(
        [
          { sku: 'SKU-A', quantity: 3 },
          { sku: 'SKU-A', quantity: 3 },
        ],
        stock,
      ),
    ).toEqual({ kind: 'reject', sku: 'SKU-A', requested: 6, available: 5 });
  });

  it('names the first short SKU in the order of the lines', () => {
    expect(
      planReservation(
        [
          { sku: 'SKU-A', quantity: 1 },
          { sku: 'SKU-C', quantity: 1 },
          { sku: 'SKU-B', quantity: 2 },
        ],
        stock,
      ),
    ).toEqual({ kind: 'reject', sku: 'SKU-C', requested: 1, available: 0 });
  });

  it('treats an unknown SKU as having no units', () => {
    expect(planReservation([{ sku: 'SKU-NOPE', quantity: 1 }], stock)).toEqual({
      kind: 'reject',
      sku: 'SKU-NOPE',
      requested: 1,
      available: 0,
    });
  });

  it('merges lines keeping the first appearance order', () => {
    expect(
      mergeLines([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 2 },
      ]),
    ).toEqual([
      { sku: 'B', quantity: 3 },
      { sku: 'A', quantity: 1 },
    ]);
  });
});

describe('stock order state machine', () => {
  it('reserves an order it holds nothing for, once', () => {
    expect(transition(undefined, 'reserve')).toEqual({ kind: 'reserve' });
  });

  it.each<StockOrderStatus>(['RESERVED', 'REJECTED', 'RELEASED', 'CANCELLED'])(
    'never reserves an order that is %s (a late or duplicate PaymentAuthorized)',
    (status) => {
      expect(transition(status, 'reserve')).toEqual({ kind: 'refused', from: status, command: 'reserve' });
    },
  );

  it('releases a reserved order', () => {
    expect(transition('RESERVED', 'release')).toEqual({ kind: 'release' });
  });

  it('remembers a cancellation that overtook the payment', () => {
    expect(transition(undefined, 'release')).toEqual({ kind: 'cancel-unreserved' });
  });

  it.each<StockOrderStatus>(['REJECTED', 'RELEASED', 'CANCELLED'])(
    'never releases an order that is %s',
    (status) => {
      expect(transition(status, 'release')).toEqual({ kind: 'refused', from: status, command: 'release' });
    },
  );
});
