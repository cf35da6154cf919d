// Registered actions of the namespace (GET /v1/ns/{ns}/actions).

import { get, nsPath } from './api.js';
import { byId, el, fmtDuration, fmtTime, replaceRows, showError, td } from './dom.js';

/** Reads the actions of `ns` once and shows them. */
export async function refreshActions(ns) {
  const error = byId('actions-error');
  try {
    const answer = await get(nsPath(ns, '/actions'));
    replaceRows(byId('actions-body'), answer.actions.map((a) => el('tr', { data: { action: a.name } },
      td(a.name),
      td(fmtDuration(a.timeout_ms)),
      td(String(a.max_retries)),
      td(fmtDuration(a.retry_delay_ms)),
      td(String(a.backoff)),
      td(String(a.priority)),
      td(fmtDuration(a.retention_ms)),
      td(String(a.partitions)),
      td(fmtTime(a.registered_at_ms)))));
    showError(error, null);
  } catch (e) {
    showError(error, e);
  }
}
