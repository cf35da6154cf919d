// Stream lengths and consumer groups (lag, pending, dead letters) of the namespace (GET /v1/ns/{ns}/streams/overview).

import { get, nsPath } from './api.js';
import { byId, el, fmtBytes, replaceRows, showError, td } from './dom.js';

/** Reads the streams of `ns` once and shows them. */
export async function refreshStreams(ns) {
  const error = byId('streams-error');
  try {
    const answer = await get(nsPath(ns, '/streams/overview'));
    replaceRows(byId('streams-body'), answer.streams.map((s) => el('tr', { data: { stream: s.name } },
      td(s.name),
      el('td', { data: { field: 'length' } }, String(s.length ?? 0)),
      el('td', { data: { field: 'bytes' } }, fmtBytes(s.bytes)),
      el('td', { data: { field: 'partitions' } }, String(s.partitions ?? 1)),
      td(el('code', {}, s.first_id ?? '–')),
      td(el('code', {}, s.last_id ?? '–')),
      td(groups(s.groups || [])))));
    showError(error, null);
  } catch (e) {
    showError(error, e);
  }
}

function groups(list) {
  if (list.length === 0) return '–';
  return el('ul', { className: 'groups' }, list.map((g) => el('li', { data: { group: g.name, lag: g.lag, pending: g.pending } },
    el('strong', {}, g.name), `: ${g.consumers} consumers, ${g.pending} pending, lag ${g.lag}, DLQ ${g.dlq_size}`)));
}
