// The namespace's workers, from their heartbeats (GET /v1/ns/{ns}/workers).

import { get, nsPath } from './api.js';
import { byId, el, fmtTime, replaceRows, showError, td } from './dom.js';

/** Reads the workers of `ns` once and shows them. */
export async function refreshWorkers(ns) {
  const error = byId('workers-error');
  try {
    const answer = await get(nsPath(ns, '/workers'));
    replaceRows(byId('workers-body'), answer.workers.map((w) => el('tr', { data: { workerId: w.worker_id, alive: w.alive } },
      td(el('code', {}, w.worker_id)),
      td(w.host),
      td(w.actions.join(', ')),
      td(String(w.concurrency)),
      td(String(w.cpu_concurrency)),
      td(String(w.runs.length)),
      td(String(w.finished)),
      td(w.alive ? 'yes' : 'no'),
      td(fmtTime(w.last_heartbeat_ms)))));
    showError(error, null);
  } catch (e) {
    showError(error, e);
  }
}
