// Schedules: the list (GET /v1/ns/{ns}/schedules) with Enable/Disable/Delete per row, and the create form
// (POST /v1/ns/{ns}/schedules). Problems the silo answers (a bad cron expression, an unknown action, a token that may
// not write) are shown next to the form or below the list.

import { del, get, nsPath, post } from './api.js';
import { byId, el, fmtDuration, fmtTime, replaceRows, shortId, showError, td } from './dom.js';
import { showRun } from './runs.js';

let ns = 'default';
let generation = 0;
let openTab = () => {};

/** Wires the form (once); `showRunsTab` switches to the runs tab when a last run is clicked. */
export function initSchedules(showRunsTab) {
  openTab = showRunsTab;
  const form = byId('schedule-form');
  const kind = byId('schedule-kind');
  kind.addEventListener('change', () => showKindFields(kind.value));
  showKindFields(kind.value);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    create();
  });
}

/** Shows `namespace`'s schedules. */
export function setSchedulesNamespace(namespace) {
  ns = namespace;
  return refreshSchedules();
}

/** Reads the list once and shows it. */
export async function refreshSchedules() {
  const mine = ++generation;
  const error = byId('schedules-error');
  try {
    const answer = await get(nsPath(ns, '/schedules'));
    if (mine !== generation) return;
    replaceRows(byId('schedules-body'), answer.schedules.map(scheduleRow));
    showError(error, null);
  } catch (e) {
    if (mine === generation) showError(error, e);
  }
}

function showKindFields(kind) {
  for (const label of document.querySelectorAll('#schedule-form [data-kind]')) {
    label.hidden = label.dataset.kind !== kind;
  }
}

function when(s) {
  switch (s.kind) {
    case 'cron':
      return `${s.cron} (${s.time_zone || 'UTC'})`;
    case 'interval':
      return `every ${fmtDuration(s.interval_ms)}`;
    case 'once':
      return `at ${fmtTime(s.at_ms)}`;
    default:
      return s.kind;
  }
}

function scheduleRow(s) {
  const lastRun = el('td', { data: { field: 'last-run' } });
  if (s.last_run_at_ms) lastRun.append(fmtTime(s.last_run_at_ms));
  if (s.last_run_id) {
    const link = el('button', { type: 'button', className: 'link', title: s.last_run_id, data: { runId: s.last_run_id } }, shortId(s.last_run_id));
    link.addEventListener('click', () => {
      openTab('runs');
      showRun(s.last_run_id);
    });
    lastRun.append(' ', link);
  }
  const toggle = el('button', { type: 'button', data: { op: s.enabled ? 'disable' : 'enable' } }, s.enabled ? 'Disable' : 'Enable');
  toggle.addEventListener('click', () => act(s.id, () => post(nsPath(ns, `/schedules/${s.id}/${s.enabled ? 'disable' : 'enable'}`))));
  const remove = el('button', { type: 'button', data: { op: 'delete' } }, 'Delete');
  remove.addEventListener('click', () => act(s.id, () => del(nsPath(ns, `/schedules/${s.id}`))));
  return el('tr', { data: { scheduleId: s.id, enabled: s.enabled, action: s.action, fired: s.fired } },
    td(el('code', { title: s.id }, shortId(s.id))),
    td(s.action),
    td(s.kind),
    td(when(s)),
    el('td', { data: { field: 'enabled' } }, s.enabled ? 'yes' : 'no'),
    el('td', { data: { field: 'fired' } }, String(s.fired)),
    el('td', { data: { field: 'missed' } }, String(s.missed)),
    lastRun,
    el('td', { data: { field: 'next-run' } }, fmtTime(s.next_run_at_ms)),
    td(s.description ?? ''),
    td(el('div', { className: 'row-buttons' }, toggle, remove)));
}

// A refused Enable/Disable/Delete (a read-only token, say) keeps its message until the next one succeeds: the list's
// own error line is cleared by every refresh, which follows at once.
async function act(id, operation) {
  try {
    await operation();
    showError(byId('schedule-op-error'), null);
  } catch (e) {
    showError(byId('schedule-op-error'), e);
  }
  await refreshSchedules();
}

/** The create request the form describes; throws with a message the form shows when a field is not valid. */
function body() {
  const form = byId('schedule-form');
  const value = (name) => form.elements[name].value.trim();
  const number = (name) => (value(name) === '' ? undefined : Number(value(name)));
  const request = { action: value('action'), kind: value('kind'), missed_runs: value('missed_runs') };
  if (request.kind === 'cron') {
    request.cron = value('cron');
    if (value('time_zone')) request.time_zone = value('time_zone');
  } else if (request.kind === 'interval') {
    request.interval_ms = number('interval_ms');
  } else if (request.kind === 'once') {
    // datetime-local is the browser's local time; the silo takes milliseconds since the epoch.
    const at = value('at') ? new Date(value('at')).getTime() : NaN;
    if (Number.isNaN(at)) throw new Error('Pick the date and time to run at.');
    request.at_ms = at;
  }
  if (value('args_json')) {
    try {
      request.args_json = JSON.parse(value('args_json'));
    } catch (e) {
      throw new Error(`The args are not JSON: ${e.message}`);
    }
  }
  if (value('description')) request.description = value('description');
  if (number('priority') !== undefined) request.priority = number('priority');
  if (number('max_retries') !== undefined) request.max_retries = number('max_retries');
  return request;
}

async function create() {
  const error = byId('schedule-form-error');
  try {
    const created = await post(nsPath(ns, '/schedules'), body());
    error.textContent = '';
    byId('schedule-form').dataset.createdId = created.id;
  } catch (e) {
    error.textContent = e.message;
    return;
  }
  await refreshSchedules();
}
