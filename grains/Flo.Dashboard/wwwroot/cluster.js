// The cluster overview: every silo with its activations, CPU, memory, grain calls received and calls per second (GET /v1/cluster).

import { get } from './api.js';
import { byId, el, fmtBytes, fmtRate, replaceRows, showError, statusBadge, td } from './dom.js';

/** Reads the cluster once and shows it. */
export async function refreshCluster() {
  const error = byId('cluster-error');
  try {
    const cluster = await get('/v1/cluster');
    byId('cluster-activations').textContent = String(cluster.activations ?? '–');
    byId('cluster-cps').textContent = fmtRate(cluster.calls_per_second);
    replaceRows(byId('silos-body'), (cluster.silos || []).map(siloRow));
    showError(error, null);
  } catch (e) {
    showError(error, e);
  }
}

function siloRow(silo) {
  return el('tr', { data: { silo: silo.address, siloName: silo.name ?? '' } },
    td(silo.name ?? ''),
    td(el('code', {}, silo.address)),
    td(statusBadge(silo.status)),
    td(String(silo.activations ?? '')),
    td(fmtRate(silo.cpu_usage)),
    td(fmtBytes(silo.memory_bytes)),
    td(silo.calls == null ? '–' : String(silo.calls)),
    td(fmtRate(silo.calls_per_second)),
    td(silo.gateway ?? '–'));
}
