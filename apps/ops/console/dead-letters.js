/**
 * The failed-messages panel: one section per consumer group with a dead-letter topic, its messages grouped
 * by error code (the codes the failure headers carry), each with what is known about its failure and
 * whether a redrive job dealt with it. Selection, detail and redrive are the app's (callbacks); this module
 * only draws.
 */
import { count, fill, h, orDash, pill, time } from './dom.js';

const UNKNOWN_CODE = 'UNKNOWN';
const codeOf = (m) => m.errorCode ?? UNKNOWN_CODE;

function original(m) {
  const { topic, partition, offset } = m.original;
  if (topic === undefined) return orDash(undefined);
  return `${topic} [${partition ?? '?'}] @${offset ?? '?'}`;
}

/**
 * @param container where the sections go
 * @param listing GET /api/dead-letters' answer
 * @param view the current filter, the ticked ids per group (a Map of Sets) and the listing's limit
 * @param actions show(message), redriveOne(message), redriveSelected(groupId),
 *   redriveMatching(groupId, errorCode?) and toggle(message, checked)
 */
export function renderDeadLetters(container, listing, view, actions) {
  const byGroup = new Map(listing.groups.map((g) => [g.groupId, []]));
  for (const m of listing.messages) byGroup.get(m.groupId)?.push(m);
  const withRecords = listing.groups.filter((g) => g.total > 0);
  const empty = listing.groups.filter((g) => g.total === 0).map((g) => g.groupId);

  const sections = withRecords.map((group) =>
    groupSection(group, byGroup.get(group.groupId) ?? [], view, actions),
  );
  fill(
    container,
    withRecords.length === 0
      ? h(
          'p',
          { class: 'empty', dataset: { testid: 'dead-letters-empty' } },
          listing.groups.length === 0
            ? 'No consumer group has a dead-letter topic yet.'
            : 'No failed messages: every dead-letter topic is empty.',
        )
      : sections,
    empty.length > 0 && h('p', { class: 'muted' }, `Empty dead-letter topics: ${empty.sort().join(', ')}.`),
    listing.messages.length >= view.limit &&
      h(
        'p',
        { class: 'muted' },
        `Showing the first ${view.limit} messages; narrow the filter to see the others (the counts cover all).`,
      ),
  );
}

function groupSection(group, messages, view, actions) {
  const selected = view.selected.get(group.groupId) ?? new Set();
  const filtered = Boolean(view.filter.errorCode || view.filter.eventType);
  const matching = group.byErrorCode.reduce((sum, e) => sum + e.count, 0);
  const codes = group.byErrorCode.map((e) => e.errorCode);
  for (const m of messages) if (!codes.includes(codeOf(m))) codes.push(codeOf(m));
  const headingId = `dlt-${group.groupId}`.replace(/[^A-Za-z0-9_-]/g, '_');

  return h(
    'section',
    {
      class: 'dlt-group',
      'aria-labelledby': headingId,
      dataset: { testid: 'dlt-group', group: group.groupId },
    },
    h(
      'div',
      { class: 'panel-head' },
      h(
        'h3',
        { id: headingId },
        group.groupId,
        ' ',
        h(
          'span',
          { class: 'muted' },
          `${group.pending} pending · ${count(group.total, 'record')} in ${group.topic}`,
        ),
      ),
      h(
        'div',
        { class: 'tools' },
        h(
          'button',
          {
            type: 'button',
            dataset: { testid: 'redrive-selected' },
            disabled: selected.size === 0,
            onclick: () => actions.redriveSelected(group.groupId),
          },
          `Redrive selected (${selected.size})`,
        ),
        h(
          'button',
          {
            type: 'button',
            dataset: { testid: 'redrive-matching' },
            disabled: matching === 0,
            onclick: () => actions.redriveMatching(group.groupId),
          },
          filtered ? `Redrive all matching the filter (${matching})` : `Redrive all (${matching})`,
        ),
      ),
    ),
    messages.length === 0
      ? h(
          'p',
          { class: 'empty' },
          view.filter.includeHandled
            ? 'No message matches the filter.'
            : 'Nothing pending here: every record was redriven or quarantined, or none matches the filter. Tick "Show handled" to see them.',
        )
      : codes.map((code) =>
          errorSection(
            group,
            code,
            messages.filter((m) => codeOf(m) === code),
            group.byErrorCode.find((e) => e.errorCode === code)?.count ?? 0,
            selected,
            actions,
          ),
        ),
  );
}

function errorSection(group, code, messages, total, selected, actions) {
  if (messages.length === 0) return null;
  const pendingHere = messages.filter((m) => m.status === 'failed').length;
  return h(
    'div',
    { class: 'dlt-error', dataset: { testid: 'dlt-error', errorCode: code } },
    h(
      'div',
      { class: 'panel-head' },
      h(
        'h4',
        {},
        h('code', {}, code),
        ' ',
        h('span', { class: 'badge', title: 'messages with this error code' }, total),
        pendingHere !== messages.length && h('span', { class: 'muted' }, ` ${pendingHere} pending`),
      ),
      code !== UNKNOWN_CODE &&
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            dataset: { testid: 'redrive-error-code' },
            onclick: () => actions.redriveMatching(group.groupId, code),
          },
          `Redrive all ${code}`,
        ),
    ),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'grid' },
        h(
          'caption',
          { class: 'visually-hidden' },
          `${group.groupId}: failed messages with error code ${code}`,
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Select')),
            [
              'Message',
              'Status',
              'Event type · ce_id',
              'Error',
              'Reason · attempts',
              'Original topic [partition] @offset',
              'First · last failure',
              'Redrives',
            ].map((label) => h('th', { scope: 'col' }, label)),
          ),
        ),
        h(
          'tbody',
          {},
          messages.map((m) => messageRow(m, selected.has(m.id), actions)),
        ),
      ),
    ),
  );
}

function messageRow(m, isSelected, actions) {
  return h(
    'tr',
    { dataset: { testid: 'dlt-message', messageId: m.id, eventId: m.eventId, status: m.status } },
    h(
      'td',
      {},
      h('input', {
        type: 'checkbox',
        'aria-label': `Select ${m.id}`,
        checked: isSelected,
        onchange: (event) => actions.toggle(m, event.target.checked),
      }),
    ),
    h(
      'th',
      { scope: 'row' },
      h('code', {}, m.id),
      h(
        'div',
        { class: 'row-actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => actions.show(m),
            'aria-label': `Details of ${m.id}`,
          },
          'Details',
        ),
        h(
          'button',
          { type: 'button', onclick: () => actions.redriveOne(m), 'aria-label': `Redrive ${m.id}` },
          'Redrive',
        ),
      ),
    ),
    h(
      'td',
      {},
      pill(m.status, 'message-status'),
      m.handledBy && h('div', { class: 'muted', title: `job ${m.handledBy.jobId}` }, time(m.handledBy.at)),
    ),
    h(
      'td',
      {},
      h('div', {}, orDash(m.eventType)),
      m.eventId && h('div', {}, h('code', { class: 'muted' }, m.eventId)),
    ),
    h(
      'td',
      { class: 'error-cell' },
      h('code', {}, m.errorCode ?? UNKNOWN_CODE),
      m.errorMessage && h('div', { class: 'muted clip', title: m.errorMessage }, m.errorMessage),
    ),
    h(
      'td',
      {},
      h('div', {}, orDash(m.reason)),
      m.attempts !== undefined && h('div', { class: 'muted' }, count(m.attempts, 'attempt')),
    ),
    h('td', {}, original(m)),
    h('td', {}, h('div', {}, time(m.firstFailureAt)), h('div', {}, time(m.lastFailureAt))),
    h('td', { class: 'num' }, m.redriveCount),
  );
}
