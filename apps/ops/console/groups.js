/**
 * The consumer-groups panel: each group's state, members, lag in records and in seconds (how long the next
 * record it has not consumed has waited), counted like `npm run ops -- groups describe` and Kafka's own
 * tool (GET /api/groups), beside how many of its dead letters nobody has dealt with yet (from the last
 * failed-messages listing).
 */
import { age, count, fill, h, orDash } from './dom.js';

/** Lag in seconds; `null` when the next record could not be read. */
const seconds = (value) =>
  value === null || value === undefined ? h('span', { title: 'could not be read' }, '?') : age(value);

function partitionsTable(partitions) {
  return h(
    'table',
    { class: 'grid compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Topic', 'Partition', 'Committed', 'End', 'Lag', 'Lag (s)', 'Member'].map((label, i) =>
          h('th', { scope: 'col', class: i > 0 ? 'num' : undefined }, label),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      partitions.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, p.topic),
          h('td', { class: 'num' }, p.partition),
          h('td', { class: 'num' }, orDash(p.committedOffset)),
          h('td', { class: 'num' }, p.endOffset),
          h('td', { class: 'num' }, p.lag),
          h('td', { class: 'num' }, seconds(p.lagSeconds)),
          h('td', {}, p.memberId ? h('code', { class: 'clip' }, p.memberId) : orDash(undefined)),
        ),
      ),
    ),
  );
}

/**
 * @param body the table's tbody
 * @param groups GET /api/groups' items
 * @param pending dead letters pending per group id (undefined: not listed yet)
 */
export function renderGroups(body, groups, pending) {
  if (groups.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No consumer groups on this cluster.')));
    return;
  }
  const sorted = [...groups].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  fill(
    body,
    sorted.map((g) => {
      const waiting = pending?.get(g.groupId);
      return h(
        'tr',
        { dataset: { testid: 'group-row', group: g.groupId }, class: g.lag > 0 ? 'lagging' : undefined },
        h(
          'th',
          { scope: 'row' },
          g.partitions.length === 0
            ? g.groupId
            : h(
                'details',
                {},
                h(
                  'summary',
                  {},
                  g.groupId,
                  ' ',
                  h('span', { class: 'muted' }, count(g.partitions.length, 'partition')),
                ),
                partitionsTable(g.partitions),
              ),
        ),
        h('td', { dataset: { testid: 'group-state' } }, g.state),
        h('td', { class: 'num' }, g.members),
        h('td', { class: 'num', dataset: { testid: 'group-lag' } }, g.lag),
        h('td', { class: 'num', dataset: { testid: 'group-age' } }, seconds(g.oldestAgeSeconds)),
        h(
          'td',
          { class: waiting > 0 ? 'num attention' : 'num', dataset: { testid: 'group-dead-letters' } },
          orDash(waiting),
        ),
      );
    }),
  );
}
