/**
 * One failed message in full (GET /api/dead-letters/{id}, which the audit trail records as `dlt.show`):
 * where it failed and why, every header as it is on the record, and the payload decoded through the schema
 * registry, or, when it cannot be decoded, the reason and the raw bytes in base64.
 */
import { fill, h, orDash, pill, time } from './dom.js';

function facts(m) {
  const rows = [
    ['Group', m.groupId],
    ['Status', pill(m.status, 'detail-status')],
    [
      'Handled by job',
      m.handledBy ? [h('code', {}, m.handledBy.jobId), ' at ', time(m.handledBy.at)] : undefined,
    ],
    ['Key', m.key],
    ['ce_id', m.eventId],
    ['Event type', m.eventType],
    ['Reason', m.reason],
    ['Error code', m.errorCode],
    ['Error class', m.errorClass],
    ['Error message', m.errorMessage],
    ['Attempts', m.attempts],
    ['Original topic', m.original.topic],
    ['Original partition', m.original.partition],
    ['Original offset', m.original.offset],
    ['Originally written', m.original.timestamp === undefined ? undefined : time(m.original.timestamp)],
    ['First failure', time(m.firstFailureAt)],
    ['Last failure', time(m.lastFailureAt)],
    ['Dead-lettered', time(m.deadLetteredAt)],
    ['Redriven before', m.redriveCount],
    ['Payload bytes', m.valueBytes],
  ];
  return h(
    'dl',
    { class: 'facts' },
    rows.map(([label, value]) => [
      h('dt', {}, label),
      h('dd', {}, value instanceof Node || Array.isArray(value) ? value : orDash(value)),
    ]),
  );
}

function headersTable(headers) {
  const names = Object.keys(headers).sort();
  if (names.length === 0) return h('p', { class: 'empty' }, 'The record has no headers.');
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'grid compact', dataset: { testid: 'detail-headers' } },
      h('caption', { class: 'visually-hidden' }, 'Record headers'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Header'), h('th', { scope: 'col' }, 'Value'))),
      h(
        'tbody',
        {},
        names.map((name) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('code', {}, name)),
            h('td', {}, h('code', { class: 'header-value' }, headers[name])),
          ),
        ),
      ),
    ),
  );
}

function payload(shown) {
  if ('decoded' in shown.payload) {
    return h(
      'pre',
      { class: 'payload', dataset: { testid: 'detail-payload' } },
      JSON.stringify(shown.payload.decoded, null, 2),
    );
  }
  return h(
    'div',
    { dataset: { testid: 'detail-payload' } },
    h(
      'p',
      { class: 'error', dataset: { testid: 'detail-decode-error' } },
      `Not decoded: ${shown.payload.error}`,
    ),
    shown.payload.base64 === null
      ? h('p', { class: 'muted' }, 'The record has no value (a tombstone).')
      : [
          h('p', { class: 'muted' }, 'The raw value, base64:'),
          h('pre', { class: 'payload' }, shown.payload.base64),
        ],
  );
}

/** @param actions redrive(message) and close() */
export function renderDetail(content, shown, actions) {
  const m = shown.message;
  fill(
    content,
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: 'detail-title' }, 'Failed message ', h('code', {}, m.id)),
      h('button', { type: 'button', class: 'secondary', onclick: actions.close }, 'Close'),
    ),
    facts(m),
    h('h3', {}, 'Headers'),
    headersTable(shown.headers),
    h('h3', {}, 'Payload'),
    payload(shown),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => actions.redrive(m) }, 'Redrive this message…'),
      h('button', { type: 'button', class: 'secondary', onclick: actions.close }, 'Close'),
    ),
  );
}

/** While the message loads, or when it could not be. */
export function renderDetailState(content, id, state, close) {
  fill(
    content,
    h(
      'div',
      { class: 'dialog-head' },
      h('h2', { id: 'detail-title' }, 'Failed message ', h('code', {}, id)),
      h('button', { type: 'button', class: 'secondary', onclick: close }, 'Close'),
    ),
    state,
  );
}
