// Queue depths and dead-letter queues of the namespace (GET /v1/ns/{ns}/queues/overview).

import { get, nsPath } from './api.js';
import { byId, el, replaceRows, showError, td } from './dom.js';

const COLUMNS = ['depth', 'visible', 'delayed', 'in_flight', 'dlq_size', 'dlq_dropped', 'partitions', 'waiting'];

/** Reads the queues of `ns` once and shows them. */
export async function refreshQueues(ns) {
  const error = byId('queues-error');
  try {
    const answer = await get(nsPath(ns, '/queues/overview'));
    replaceRows(byId('queues-body'), answer.queues.map((q) => el('tr', { data: { queue: q.name } },
      td(q.name),
      COLUMNS.map((c) => el('td', { data: { field: c } }, String(q[c] ?? 0))))));
    showError(error, null);
  } catch (e) {
    showError(error, e);
  }
}
