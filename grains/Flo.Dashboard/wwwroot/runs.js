// Runs: newest first per status tab (GET /v1/ns/{ns}/runs, paged by next_cursor), kept current by the event stream,
// and a run's detail (GET /v1/ns/{ns}/runs/{id}) with its attempts, Cancel and Retry.

import { get, nsPath, post } from './api.js';
import { byId, decodePayload, el, fmtClock, fmtTime, replaceRows, shortId, showError, statusBadge, td } from './dom.js';
import { throttle } from './timing.js';

const PAGE = 50;
// Rows beyond this are dropped from the bottom as live runs arrive on top (the list is a view, not an archive).
const MAX_ROWS = 500;
const FINISHED = new Set(['completed', 'failed', 'cancelled', 'timed_out']);
const RETRYABLE = new Set(['failed', 'timed_out', 'cancelled']);
const RUN_KINDS = new Set(['created', 'started', 'retrying', 'completed', 'failed', 'cancelled', 'timed_out', 'released']);

let ns = 'default';
let status = '';
let action = '';
let cursor = null;
let loading = null;
// Events that arrive while a page is loading, applied on top of it (the page may be older than they are).
let buffered = [];
const rows = new Map();
let selected = null;

const refreshDetailSoon = throttle(300, () => {
  if (selected) showRun(selected, { keepMessage: true });
});

/** Wires the status tabs, the action filter, paging and the detail's buttons (once). */
export function initRuns() {
  for (const button of document.querySelectorAll('[data-status-filter]')) {
    button.addEventListener('click', () => {
      status = button.dataset.statusFilter;
      reloadRuns();
    });
  }
  const actionInput = byId('runs-action');
  actionInput.addEventListener('change', () => {
    action = actionInput.value.trim();
    reloadRuns();
  });
  byId('runs-more').addEventListener('click', () => loadPage(false));
  byId('run-close').addEventListener('click', closeDetail);
  byId('run-cancel').addEventListener('click', cancelSelected);
  byId('run-retry').addEventListener('click', retrySelected);
}

/** Shows `namespace`'s runs from the first page (a namespace change, a reconnection). */
export function setRunsNamespace(namespace) {
  if (namespace !== ns) closeDetail();
  ns = namespace;
  return reloadRuns();
}

/** Reloads the list from its first page. */
export function reloadRuns() {
  for (const button of document.querySelectorAll('[data-status-filter]')) {
    button.classList.toggle('active', button.dataset.statusFilter === status);
    button.setAttribute('aria-pressed', String(button.dataset.statusFilter === status));
  }
  byId('runs-table').dataset.filter = status || 'all';
  return loadPage(true);
}

async function loadPage(first) {
  if (first) cursor = null;
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (status) query.set('status', status);
  if (action) query.set('action', action);
  if (!first && cursor) query.set('cursor', cursor);
  const request = get(nsPath(ns, `/runs?${query}`));
  loading = request;
  buffered = [];
  const error = byId('runs-error');
  try {
    const page = await request;
    if (loading !== request) return; // A newer load replaced this one.
    if (first) rows.clear();
    const added = page.runs.filter((run) => !rows.has(run.run_id)).map((run) => {
      const row = runRow(run);
      rows.set(run.run_id, row);
      return row;
    });
    if (first) replaceRows(byId('runs-body'), added);
    else byId('runs-body').append(...added);
    cursor = page.next_cursor ?? null;
    byId('runs-more').hidden = cursor === null;
    showError(error, null);
  } catch (e) {
    if (loading === request) showError(error, e);
  } finally {
    if (loading === request) {
      loading = null;
      const late = buffered;
      buffered = [];
      late.forEach(applyEvent);
      updateEmpty();
    }
  }
}

/** A run event from the stream: the run's row changes in place, or a run new to this list goes on top. */
export function onRunEvent(event) {
  if (!RUN_KINDS.has(event.kind) || !event.run_id || event.namespace && event.namespace !== ns) return;
  if (loading) buffered.push(event);
  else applyEvent(event);
  if (event.run_id === selected) refreshDetailSoon();
}

function applyEvent(event) {
  const row = rows.get(event.run_id);
  const current = row?.dataset.status;
  // A finished run stays finished (a retry is another run): an older event applied late must not bring it back.
  const next = current && FINISHED.has(current) && !FINISHED.has(event.status) ? current : event.status;
  const matches = (!status || next === status) && (!action || event.action === action);
  if (row) {
    if (!matches) {
      row.remove();
      rows.delete(event.run_id);
    } else {
      updateRow(row, event, next);
    }
  } else if (matches) {
    const added = runRow({
      run_id: event.run_id,
      action: event.action,
      status: next,
      attempts: event.kind === 'created' ? 0 : event.attempt,
      submitted_at_ms: event.kind === 'created' ? event.at_ms : null,
      worker_id: event.worker_id,
      error: event.error,
    });
    rows.set(event.run_id, added);
    byId('runs-body').prepend(added);
    trim();
  }
  updateEmpty();
}

function updateRow(row, event, next) {
  row.dataset.status = next;
  row.querySelector('[data-field="status"]').replaceChildren(statusBadge(next));
  if (event.attempt && event.kind !== 'created') {
    const attempts = row.querySelector('[data-field="attempts"]');
    attempts.textContent = String(Math.max(Number(attempts.textContent) || 0, event.attempt));
  }
  if (event.worker_id) row.querySelector('[data-field="worker"]').textContent = event.worker_id;
  if (event.error) setError(row, event.error);
  else if (next === 'completed') setError(row, '');
}

function setError(row, text) {
  const cell = row.querySelector('[data-field="error"]');
  cell.textContent = text;
  cell.title = text;
}

function trim() {
  const body = byId('runs-body');
  while (body.rows.length > MAX_ROWS) {
    const last = body.rows[body.rows.length - 1];
    rows.delete(last.dataset.runId);
    last.remove();
  }
}

function updateEmpty() {
  byId('runs-empty').hidden = rows.size > 0;
}

function runRow(run) {
  const error = td(run.error ?? '');
  error.dataset.field = 'error';
  error.className = 'error-cell';
  error.title = run.error ?? '';
  const row = el('tr', { className: 'run-row', data: { runId: run.run_id, status: run.status, action: run.action } },
    td(el('code', { title: run.run_id }, shortId(run.run_id))),
    td(run.action),
    el('td', { data: { field: 'status' } }, statusBadge(run.status)),
    el('td', { data: { field: 'attempts' } }, String(run.attempts ?? 0)),
    td(fmtTime(run.submitted_at_ms)),
    el('td', { data: { field: 'worker' } }, run.worker_id ?? ''),
    error);
  row.addEventListener('click', () => showRun(run.run_id));
  return row;
}

/** Opens a run's detail (from a row, or a schedule's last run). */
export async function showRun(runId, { keepMessage = false } = {}) {
  selected = runId;
  const panel = byId('run-detail');
  panel.hidden = false;
  panel.dataset.runId = runId;
  if (!keepMessage) showMessage('', false);
  for (const row of rows.values()) row.classList.toggle('selected', row.dataset.runId === runId);
  try {
    const run = await get(nsPath(ns, `/runs/${encodeURIComponent(runId)}`));
    if (selected !== runId) return;
    fillDetail(run);
  } catch (e) {
    if (selected === runId) showMessage(e.message, true);
  }
}

function fillDetail(run) {
  const panel = byId('run-detail');
  panel.dataset.status = run.status;
  byId('run-detail-id').textContent = run.run_id;
  byId('run-detail-action').textContent = run.action;
  byId('run-detail-status').replaceChildren(statusBadge(run.status));
  byId('run-detail-priority').textContent = String(run.priority);
  byId('run-detail-submitted').textContent = fmtTime(run.submitted_at_ms);
  byId('run-detail-started').textContent = fmtTime(run.started_at_ms);
  byId('run-detail-finished').textContent = fmtTime(run.finished_at_ms);
  byId('run-detail-next').textContent = fmtTime(run.next_attempt_at_ms);
  byId('run-detail-attempt-count').textContent = `${run.attempts.length} of ${run.max_attempts}`;
  byId('run-detail-worker').textContent = run.worker_id ?? '';
  byId('run-detail-key').textContent = run.idempotency_key ?? '';
  const error = byId('run-detail-error');
  error.textContent = run.error ?? '';
  error.hidden = !run.error;
  byId('run-detail-payload').textContent = decodePayload(run.payload);
  byId('run-detail-result').textContent = decodePayload(run.result);
  replaceRows(byId('run-attempts-body'), run.attempts.map((a) => el('tr', { data: { attempt: a.number, outcome: a.outcome } },
    td(String(a.number)),
    td(a.worker_id),
    el('td', { title: fmtTime(a.started_at_ms) }, fmtClock(a.started_at_ms)),
    el('td', { title: fmtTime(a.finished_at_ms) }, fmtClock(a.finished_at_ms)),
    td(statusBadge(a.outcome)),
    el('td', { className: 'error-cell', title: a.error ?? '' }, a.error ?? ''))));
  byId('run-cancel').hidden = FINISHED.has(run.status);
  byId('run-retry').hidden = !RETRYABLE.has(run.status);
}

function closeDetail() {
  selected = null;
  byId('run-detail').hidden = true;
  for (const row of rows.values()) row.classList.remove('selected');
}

async function cancelSelected() {
  const runId = selected;
  if (!runId) return;
  try {
    const answer = await post(nsPath(ns, `/runs/${encodeURIComponent(runId)}/cancel`));
    showMessage(answer.cancelled ? 'Cancelled.' : 'Not cancelled: the run had already finished.', !answer.cancelled);
  } catch (e) {
    showMessage(e.message, true);
  }
  if (selected === runId) showRun(runId, { keepMessage: true });
}

async function retrySelected() {
  const runId = selected;
  if (!runId) return;
  try {
    const answer = await post(nsPath(ns, `/runs/${encodeURIComponent(runId)}/retry`));
    const link = el('button', { type: 'button', className: 'link', id: 'run-retry-new', data: { newRunId: answer.run_id } }, answer.run_id);
    link.addEventListener('click', () => showRun(answer.run_id));
    showMessage('', false);
    byId('run-detail-message').replaceChildren('Retried as run ', link);
  } catch (e) {
    showMessage(e.message, true);
  }
}

function showMessage(text, isError) {
  const message = byId('run-detail-message');
  message.textContent = text;
  message.classList.toggle('error', Boolean(isError));
}
