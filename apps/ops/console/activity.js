/**
 * What operators did: the redrive jobs (GET /api/redrive-jobs; a job that stopped can be resumed) and the
 * audit trail (GET /api/audit: every list-changing action and every message someone looked at, dry runs
 * included, by the name its token has in OPS_ADMIN_TOKENS or the CLI's user).
 */
import { fill, h, orDash, pill, time } from './dom.js';

/** @param onResume (job) => void */
export function renderJobs(body, jobs, onResume) {
  if (jobs.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 10, class: 'empty' }, 'No redrive jobs yet.')));
    return;
  }
  fill(
    body,
    jobs.map((job) =>
      h(
        'tr',
        { dataset: { testid: 'job-row', jobId: job.jobId, status: job.status } },
        h('td', {}, time(job.createdAt)),
        h('th', { scope: 'row' }, h('code', { title: job.jobId }, job.jobId.slice(0, 8))),
        h('td', {}, job.groupId),
        h('td', {}, job.actor),
        h(
          'td',
          {},
          pill(job.status),
          job.error && h('div', { class: 'error clip', title: job.error }, job.error),
        ),
        h('td', { class: 'num' }, job.redriven),
        h('td', { class: 'num' }, job.quarantined),
        h('td', { class: 'num' }, job.skipped),
        h('td', {}, time(job.finishedAt)),
        h(
          'td',
          {},
          job.status !== 'completed' &&
            h(
              'button',
              { type: 'button', onclick: () => onResume(job), 'aria-label': `Resume job ${job.jobId}` },
              'Resume…',
            ),
        ),
      ),
    ),
  );
}

export function renderAudit(body, records) {
  if (records.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'Nothing recorded yet.')));
    return;
  }
  fill(
    body,
    records.map((r) =>
      h(
        'tr',
        { dataset: { testid: 'audit-row', action: r.action, dryRun: String(r.dryRun) } },
        h('td', {}, time(r.at)),
        h('td', {}, r.actor.name, h('span', { class: 'muted' }, ` (${r.actor.via})`)),
        h('th', { scope: 'row' }, h('code', {}, r.action)),
        h('td', {}, h('code', {}, r.target)),
        h('td', {}, r.dryRun ? 'yes' : 'no'),
        h('td', { class: 'num' }, r.affected),
        h('td', {}, pill(r.outcome === 'ok' ? 'ok' : 'failed')),
        h(
          'td',
          {},
          r.detail && Object.keys(r.detail).length > 0
            ? h(
                'details',
                {},
                h('summary', {}, 'Detail'),
                h(
                  'pre',
                  { class: 'payload' },
                  JSON.stringify({ request: r.request, detail: r.detail }, null, 2),
                ),
              )
            : orDash(undefined),
        ),
      ),
    ),
  );
}
