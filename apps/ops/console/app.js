/**
 * The console's state and wiring: the token prompt, the four panels (groups, failed messages, redrive jobs,
 * audit), the detail and redrive dialogs. State is small and lives here; each panel's module draws it.
 * A 401 from any call brings the token prompt back; any other failed call shows the problem's detail in
 * the alert bar, per panel, until that panel loads again.
 */
import { renderAudit, renderJobs } from './activity.js';
import { api, tokenStore, UnauthorizedError } from './api.js';
import { renderDeadLetters } from './dead-letters.js';
import { count, fill, h } from './dom.js';
import { renderGroups } from './groups.js';
import { renderDetail, renderDetailState } from './message-detail.js';
import { redriveFlow, resumeFlow } from './redrive.js';

const $ = (id) => document.getElementById(id);

/** Messages fetched per listing; the per-code counts still cover every record. */
const LIMIT = 500;
const GROUPS_EVERY_MS = 5_000;

const state = {
  filter: { group: '', errorCode: '', eventType: '', includeHandled: false },
  listing: undefined,
  /** groupId → ids ticked */
  selected: new Map(),
  /** Every group with a dead-letter topic seen so far (the group filter's choices). */
  knownGroups: new Set(),
  /** groupId → pending dead letters, from the last listing without a filter (the groups panel's column). */
  pending: undefined,
  groups: undefined,
  groupsLoading: false,
  alerts: new Map(),
  started: false,
};

/**
 * Calls of one panel can overlap (the first load and a filter applied at once): only the latest call's
 * answer, or error, is shown, so a slow earlier answer cannot overwrite a newer one.
 */
const calls = { listing: 0, jobs: 0, audit: 0, detail: 0 };
const latestCall = (panel) => {
  const call = ++calls[panel];
  return () => call === calls[panel];
};

// ---------------------------------------------------------------------------------------------------------
// Alerts and errors

function renderAlerts() {
  const alert = $('alert');
  const texts = [...state.alerts.values()];
  alert.hidden = texts.length === 0;
  fill(
    alert,
    texts.map((text) => h('p', {}, text)),
  );
}

function reportError(source, error) {
  if (error instanceof UnauthorizedError) {
    askForToken(`The admin API refused the token: ${error.describe()}`);
    return;
  }
  state.alerts.set(
    source,
    `${source}: ${typeof error.describe === 'function' ? error.describe() : error.message}`,
  );
  renderAlerts();
}

function clearError(source) {
  if (state.alerts.delete(source)) renderAlerts();
}

// ---------------------------------------------------------------------------------------------------------
// The token

function askForToken(reason) {
  tokenStore.clear();
  const dialog = $('token-dialog');
  const error = $('token-error');
  error.hidden = !reason;
  error.textContent = reason ?? '';
  $('forget-token').hidden = true;
  if (!dialog.open) dialog.showModal();
  $('token-input').focus();
}

async function submitToken(event) {
  event.preventDefault();
  const input = $('token-input');
  const token = input.value.trim();
  if (token.length === 0) return;
  tokenStore.set(token);
  $('token-submit').disabled = true;
  try {
    // The cheapest authenticated call: it proves the token before the panels load.
    await api.jobs();
    input.value = '';
    $('token-dialog').close();
    start();
  } catch (error) {
    tokenStore.clear();
    const text =
      error instanceof UnauthorizedError
        ? error.describe()
        : `The admin API did not answer: ${error.message}`;
    fill($('token-error'), text).hidden = false;
  } finally {
    $('token-submit').disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Panels

async function loadGroups() {
  if (state.groupsLoading) return;
  state.groupsLoading = true;
  $('groups-status').textContent =
    state.groups === undefined ? 'Loading consumer groups…' : $('groups-status').textContent;
  try {
    state.groups = (await api.groups()).items;
    renderGroups($('groups-body'), state.groups, state.pending);
    const lagging = state.groups.filter((g) => g.lag > 0).length;
    $('groups-status').textContent =
      `${count(state.groups.length, 'group')}, ${lagging} lagging · updated ${new Date().toLocaleTimeString()}`;
    clearError('Consumer groups');
  } catch (error) {
    reportError('Consumer groups', error);
  } finally {
    state.groupsLoading = false;
  }
}

async function loadDeadLetters() {
  const { group, errorCode, eventType, includeHandled } = state.filter;
  $('failed-status').textContent = 'Loading failed messages…';
  const isLatest = latestCall('listing');
  try {
    const listing = await api.deadLetters({
      group,
      errorCode,
      eventType,
      includeHandled: includeHandled ? 'true' : undefined,
      limit: LIMIT,
    });
    if (!isLatest()) return;
    state.listing = listing;
    for (const g of listing.groups) state.knownGroups.add(g.groupId);
    if (!group && !errorCode && !eventType) {
      state.pending = new Map(listing.groups.map((g) => [g.groupId, g.pending]));
      if (state.groups) renderGroups($('groups-body'), state.groups, state.pending);
    }
    pruneSelection(listing);
    renderGroupChoices();
    renderListing();
    const pending = listing.groups.reduce((sum, g) => sum + g.pending, 0);
    $('failed-status').textContent =
      `${count(pending, 'message')} pending in ${count(listing.groups.filter((g) => g.pending > 0).length, 'group')}` +
      `${group || errorCode || eventType ? ' (filtered)' : ''} · updated ${new Date().toLocaleTimeString()}`;
    clearError('Failed messages');
  } catch (error) {
    if (!isLatest()) return;
    $('failed-status').textContent = '';
    reportError('Failed messages', error);
  }
}

function renderListing() {
  if (!state.listing) return;
  renderDeadLetters(
    $('dead-letters'),
    state.listing,
    { filter: state.filter, selected: state.selected, limit: LIMIT },
    { show: showDetail, redriveOne, redriveSelected, redriveMatching, toggle },
  );
}

function renderGroupChoices() {
  const select = $('filter-group');
  const current = state.filter.group;
  fill(
    select,
    h('option', { value: '' }, 'All groups'),
    [...state.knownGroups].sort().map((g) => h('option', { value: g, selected: g === current }, g)),
  );
}

async function loadJobs() {
  const isLatest = latestCall('jobs');
  try {
    const { items } = await api.jobs();
    if (!isLatest()) return;
    renderJobs($('jobs-body'), items, resumeJob);
    clearError('Redrive jobs');
  } catch (error) {
    if (isLatest()) reportError('Redrive jobs', error);
  }
}

async function loadAudit() {
  const isLatest = latestCall('audit');
  try {
    const { items } = await api.audit(50);
    if (!isLatest()) return;
    renderAudit($('audit-body'), items);
    clearError('Audit trail');
  } catch (error) {
    if (isLatest()) reportError('Audit trail', error);
  }
}

const reloadAll = () => Promise.all([loadGroups(), loadDeadLetters(), loadJobs(), loadAudit()]);

// ---------------------------------------------------------------------------------------------------------
// Selection

function pruneSelection(listing) {
  const present = new Set(listing.messages.map((m) => m.id));
  for (const [groupId, ids] of state.selected) {
    for (const id of ids) if (!present.has(id)) ids.delete(id);
    if (ids.size === 0) state.selected.delete(groupId);
  }
}

function toggle(message, checked) {
  const ids = state.selected.get(message.groupId) ?? new Set();
  if (checked) ids.add(message.id);
  else ids.delete(message.id);
  state.selected.set(message.groupId, ids);
  // Only the group's button changes; redrawing the table would move the focus away from the checkbox.
  const section = document.querySelector(
    `[data-testid="dlt-group"][data-group="${CSS.escape(message.groupId)}"]`,
  );
  const button = section?.querySelector('[data-testid="redrive-selected"]');
  if (button) {
    button.disabled = ids.size === 0;
    button.textContent = `Redrive selected (${ids.size})`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Detail and redrive

async function showDetail(message) {
  const dialog = $('detail-dialog');
  const content = $('detail-content');
  const close = () => dialog.close();
  renderDetailState(content, message.id, h('p', { class: 'muted' }, 'Loading…'), close);
  if (!dialog.open) dialog.showModal();
  const isLatest = latestCall('detail');
  try {
    const shown = await api.deadLetter(message.id);
    if (!isLatest()) return;
    renderDetail(content, shown, {
      close,
      redrive: (m) => {
        dialog.close();
        redriveOne(m);
      },
    });
  } catch (error) {
    if (!isLatest()) return;
    if (error instanceof UnauthorizedError) {
      dialog.close();
      reportError('Message', error);
      return;
    }
    const text = typeof error.describe === 'function' ? error.describe() : error.message;
    renderDetailState(content, message.id, h('p', { class: 'error', role: 'alert' }, text), close);
  }
  // Looking at a message is audited.
  void loadAudit();
}

function openRedrive(request, about) {
  void redriveFlow({
    dialog: $('action-dialog'),
    content: $('action-content'),
    request,
    about,
    onError: (error) => {
      if (error instanceof UnauthorizedError) {
        $('action-dialog').close();
        reportError('Redrive', error);
      }
    },
    onChange: () => {
      state.selected.delete(request.groupId);
      void reloadAll();
    },
  });
}

function redriveOne(message) {
  openRedrive(
    {
      groupId: message.groupId,
      filter: { ids: [message.id] },
      // Picked by hand: redrive it again even if a job redrove it before.
      ...(message.status === 'failed' ? {} : { includeRedriven: true }),
    },
    `Message ${message.id}${message.eventType ? ` (${message.eventType})` : ''}, back to group ${message.groupId}.`,
  );
}

function redriveSelected(groupId) {
  const ids = [...(state.selected.get(groupId) ?? [])];
  if (ids.length === 0) return;
  const handled = state.listing.messages.some((m) => ids.includes(m.id) && m.status !== 'failed');
  openRedrive(
    { groupId, filter: { ids }, ...(handled ? { includeRedriven: true } : {}) },
    `${count(ids.length, 'selected message')} of group ${groupId}.`,
  );
}

function redriveMatching(groupId, errorCode) {
  const filter = {};
  const code = errorCode ?? state.filter.errorCode;
  if (code) filter.errorCode = code;
  if (state.filter.eventType) filter.eventType = state.filter.eventType;
  const includeRedriven = state.filter.includeHandled;
  const what = [code && `with error code ${code}`, filter.eventType && `of type ${filter.eventType}`]
    .filter(Boolean)
    .join(' and ');
  openRedrive(
    {
      groupId,
      ...(Object.keys(filter).length > 0 ? { filter } : { all: true }),
      ...(includeRedriven ? { includeRedriven: true } : {}),
    },
    `Every message in ${groupId}’s dead-letter topic${what ? ` ${what}` : ''}` +
      `${includeRedriven ? ', those redriven before included' : ' not redriven yet'}.`,
  );
}

function resumeJob(job) {
  resumeFlow({
    dialog: $('action-dialog'),
    content: $('action-content'),
    job,
    onError: (error) => {
      if (error instanceof UnauthorizedError) {
        $('action-dialog').close();
        reportError('Resume', error);
      }
    },
    onChange: () => void reloadAll(),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Start

function readFilter() {
  state.filter = {
    group: $('filter-group').value,
    errorCode: $('filter-error-code').value.trim(),
    eventType: $('filter-event-type').value.trim(),
    includeHandled: $('filter-handled').checked,
  };
}

function start() {
  $('main').hidden = false;
  $('forget-token').hidden = false;
  void reloadAll();
  if (!state.started) {
    state.started = true;
    setInterval(() => {
      if ($('groups-auto').checked && !document.hidden && tokenStore.get() && !$('token-dialog').open) {
        void loadGroups();
      }
    }, GROUPS_EVERY_MS);
  }
}

function wire() {
  $('token-form').addEventListener('submit', (event) => void submitToken(event));
  // Without a token there is nothing to show: Escape does not dismiss the prompt.
  $('token-dialog').addEventListener('cancel', (event) => event.preventDefault());
  $('forget-token').addEventListener('click', () => askForToken());
  $('groups-refresh').addEventListener('click', () => void loadGroups());
  $('failed-refresh').addEventListener('click', () => void loadDeadLetters());
  $('jobs-refresh').addEventListener('click', () => void loadJobs());
  $('audit-refresh').addEventListener('click', () => void loadAudit());
  $('filter').addEventListener('submit', (event) => {
    event.preventDefault();
    readFilter();
    void loadDeadLetters();
  });
  for (const id of ['filter-group', 'filter-handled']) {
    $(id).addEventListener('change', () => {
      readFilter();
      void loadDeadLetters();
    });
  }
  $('filter-clear').addEventListener('click', () => {
    $('filter').reset();
    readFilter();
    void loadDeadLetters();
  });
}

wire();
if (tokenStore.get()) start();
else askForToken();
