/**
 * The orchestrated sagas' diagrams in docs/saga.md: generated from the definitions by `npm run
 * saga:diagram` (apps/orders/scripts/saga-diagram.cli.ts) between marker comments, and compared by a test,
 * so the page cannot drift from the code.
 */
import { sagaDiagram, type SagaDefinition } from '@orderstream/messaging';
import { orderCancellationSaga, orderFulfilmentSaga } from './order-sagas';

/** Timing does not show in a diagram (a step's sends do); any deadline draws the same. */
const DRAWN = { deadlineMs: 30_000 };

/** Each saga's mermaid diagram, by saga name. */
export function orderSagaDiagrams(): Record<string, string> {
  return Object.fromEntries(
    [orderFulfilmentSaga(DRAWN), orderCancellationSaga(DRAWN)].map((definition) => [
      definition.name,
      sagaDiagram(definition as SagaDefinition<never>),
    ]),
  );
}

const markers = (name: string) =>
  [`<!-- saga-diagram:${name}:start -->`, `<!-- saga-diagram:${name}:end -->`] as const;

/**
 * `markdown` with each saga's block between its markers replaced by its diagram, as a mermaid code block.
 * Throws when a saga's markers are missing: a diagram the page does not show is a page to fix.
 */
export function embedSagaDiagrams(markdown: string, diagrams: Record<string, string>): string {
  let out = markdown;
  for (const [name, diagram] of Object.entries(diagrams)) {
    const [start, end] = markers(name);
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/saga.md has no ${start} … ${end} block`);
    out = `${out.slice(0, from + start.length)}\n\n\`\`\`mermaid\n${diagram}\`\`\`\n\n${out.slice(to)}`;
  }
  return out;
}
