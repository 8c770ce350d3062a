/**
 * The redrive conversation, in one dialog: first a dry run (what a job would redrive, and what it would
 * quarantine because the message was redriven too often already), then the operator confirms, then the
 * job's result. Nothing is sent back to a group without a preview the operator saw. Resuming a stopped job
 * goes through the same dialog.
 */
import { api } from './api.js';
import { count, fill, h, orDash, pill, time } from './dom.js';

function outcomesTable(outcomes, label) {
  if (outcomes.length === 0) return null;
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'grid compact' },
      h('caption', { class: 'visually-hidden' }, label),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Message', 'Event type', 'ce_id', 'Error code', 'Redriven before', 'Action'].map((l) =>
            h('th', { scope: 'col' }, l),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        outcomes.map((o) =>
          h(
            'tr',
            { dataset: { testid: 'redrive-outcome', messageId: o.id, action: o.action } },
            h('th', { scope: 'row' }, h('code', {}, o.id)),
            h('td', {}, orDash(o.eventType)),
            h('td', {}, o.eventId ? h('code', {}, o.eventId) : orDash(undefined)),
            h('td', {}, orDash(o.errorCode)),
            h('td', { class: 'num' }, o.redriveCount),
            h('td', {}, pill(o.action)),
          ),
        ),
      ),
    ),
  );
}

const errorText = (error) => (typeof error.describe === 'function' ? error.describe() : error.message);

/**
 * The shell every step draws into: a heading, what the action is about, a live status line and the step's
 * own content and buttons.
 */
function step(content, title, about, status, body, buttons) {
  fill(
    content,
    h('div', { class: 'dialog-head' }, h('h2', { id: 'action-title' }, title)),
    h('p', {}, about),
    h('p', { class: 'muted', 'aria-live': 'polite', dataset: { testid: 'action-status' } }, status),
    body,
    h('div', { class: 'actions' }, buttons),
  );
}

/**
 * The dialog shows one conversation at a time: an answer that arrives for an earlier one (cancelled while
 * its dry run was under way, then another redrive opened) must not draw over the current one.
 */
let conversations = 0;
function beginConversation(content) {
  const id = ++conversations;
  const current = () => id === conversations;
  return { current, draw: (...args) => current() && step(content, ...args) };
}

/**
 * Runs the conversation in `dialog` (drawn into `content`) for `request`, a redrive request without
 * `dryRun` ({ groupId, filter or all, includeRedriven }); `about` says in one sentence what is redriven.
 * `onError` is told of every failed call (a 401 brings the token prompt back); `onChange` is called once
 * the job ran or failed, so the app reloads its panels.
 */
export async function redriveFlow({ dialog, content, request, about, onChange, onError }) {
  const title = `Redrive — ${request.groupId}`;
  const close = () => dialog.close();
  const closeButton = (label = 'Cancel') =>
    h('button', { type: 'button', class: 'secondary', onclick: close }, label);
  const { current, draw } = beginConversation(content);

  draw(title, about, 'Asking for a dry run: what a redrive would do now…', null, closeButton());
  if (!dialog.open) dialog.showModal();

  let preview;
  try {
    preview = await api.redrive({ ...request, dryRun: true });
  } catch (error) {
    if (!current()) return;
    onError(error);
    draw(
      title,
      about,
      '',
      h('p', { class: 'error', role: 'alert' }, `The dry run failed: ${errorText(error)}`),
      closeButton('Close'),
    );
    return;
  }

  // Cancelled, or another conversation started, while the dry run was under way: nothing to confirm.
  if (!current() || !dialog.open) return;
  const acting = preview.redriven + preview.quarantined;
  const summary =
    `Dry run: ${preview.redriven} to redrive, ${preview.quarantined} to quarantine, ` +
    `${preview.skipped} not selected, ${count(preview.scanned, 'record')} read.`;
  const confirm = h(
    'button',
    {
      type: 'button',
      dataset: { testid: 'redrive-confirm' },
      disabled: acting === 0,
      onclick: () => void run(),
    },
    acting === 0
      ? 'Nothing to redrive'
      : preview.quarantined === 0
        ? `Redrive ${count(preview.redriven, 'message')}`
        : `Redrive ${preview.redriven}, quarantine ${preview.quarantined}`,
  );
  draw(
    title,
    about,
    '',
    [
      h('p', { class: 'preview', dataset: { testid: 'redrive-preview' } }, summary),
      preview.quarantined > 0 &&
        h(
          'p',
          { class: 'muted' },
          'A message redriven the maximum number of times already (OPS_MAX_REDRIVES) is quarantined: it goes to the group’s .quarantine topic, which nothing consumes, instead of its retry path.',
        ),
      outcomesTable(preview.outcomes, 'What the redrive would do, per message'),
    ],
    [confirm, closeButton()],
  );
  confirm.focus();

  async function run() {
    draw(title, about, 'Redriving…', null, []);
    try {
      const report = await api.redrive(request);
      const job = report.job;
      draw(
        title,
        about,
        '',
        [
          h(
            'p',
            { class: 'result', dataset: { testid: 'redrive-result' } },
            `Job ${job?.jobId ?? report.jobId} ${job?.status ?? 'done'}: ${report.redriven} redriven, ` +
              `${report.quarantined} quarantined, ${report.skipped} not selected.`,
          ),
          h(
            'p',
            { class: 'muted' },
            'Redriven messages are back on the group’s first retry topic; the group handles them like any retry (its inbox still takes each ce_id once).',
          ),
          outcomesTable(report.outcomes, 'What the redrive did, per message'),
        ],
        closeButton('Close'),
      );
    } catch (error) {
      onError(error);
      draw(
        title,
        about,
        '',
        h(
          'p',
          { class: 'error', role: 'alert' },
          `The redrive failed: ${errorText(error)}. A job that started is listed under Redrive jobs; resume it there.`,
        ),
        closeButton('Close'),
      );
    }
    onChange();
  }
}

/** Resumes a stopped job after the operator confirms; the job continues from its committed offsets. */
export function resumeFlow({ dialog, content, job, onChange, onError }) {
  const title = `Resume redrive job — ${job.groupId}`;
  const about = [
    'Job ',
    h('code', {}, job.jobId),
    ` by ${job.actor}, started `,
    time(job.createdAt),
    ', is ',
    pill(job.status),
    job.error ? ` (${job.error})` : '',
    '. Resuming continues from the offsets its last transaction committed, up to where it was told to stop.',
  ];
  const close = () => dialog.close();
  const { draw } = beginConversation(content);
  const run = async () => {
    draw(title, about, 'Resuming…', null, []);
    try {
      const report = await api.resumeJob(job.jobId);
      draw(
        title,
        about,
        '',
        h(
          'p',
          { class: 'result', dataset: { testid: 'resume-result' } },
          `Job ${job.jobId} ${report.job?.status ?? 'done'}: ${report.redriven} more redriven, ${report.quarantined} more quarantined.`,
        ),
        h('button', { type: 'button', class: 'secondary', onclick: close }, 'Close'),
      );
    } catch (error) {
      onError(error);
      draw(
        title,
        about,
        '',
        h('p', { class: 'error', role: 'alert' }, `Resuming failed: ${errorText(error)}`),
        h('button', { type: 'button', class: 'secondary', onclick: close }, 'Close'),
      );
    }
    onChange();
  };
  draw(title, about, '', null, [
    h('button', { type: 'button', onclick: () => void run() }, 'Resume the job'),
    h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'),
  ]);
  if (!dialog.open) dialog.showModal();
}
