import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { embedSagaDiagrams, orderSagaDiagrams } from './order-saga.diagrams';

describe('the orchestrated sagas in docs/saga.md', () => {
  it('shows the diagrams the definitions generate (run `npm run saga:diagram` after changing a saga)', () => {
    const page = readFileSync(resolve(__dirname, '..', '..', '..', '..', 'docs', 'saga.md'), 'utf8');
    expect(embedSagaDiagrams(page, orderSagaDiagrams())).toBe(page);
  });

  it('draws the fulfilment: a timeout undoes the step that timed out, a failure reply only the ones before', () => {
    expect(orderSagaDiagrams()['order-fulfilment']).toContain(
      '  ReserveStock --> UndoReserveStock: timeout ×3\n',
    );
    expect(orderSagaDiagrams()['order-fulfilment']).toContain(
      '  ReserveStock --> UndoAuthorizePayment: StockRejected\n',
    );
  });

  it('refuses a page without a saga block', () => {
    expect(() => embedSagaDiagrams('# no diagrams here\n', orderSagaDiagrams())).toThrow(
      /saga-diagram:order-fulfilment:start/,
    );
  });
});
