// The namespace's numbers (GET /v1/ns/{ns}/overview): runs per status, throughput of the last 15 minutes as a small
// bar chart, workers, actions, schedules, queues and streams.

import { get, nsPath } from './api.js';
import { byId, showError } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const COUNTED = ['pending', 'running', 'retrying', 'delayed', 'completed', 'failed', 'cancelled', 'timed_out'];

/** Reads the overview of `ns` once and shows it. */
export async function refreshStats(ns) {
  const error = byId('overview-error');
  try {
    const overview = await get(nsPath(ns, '/overview'));
    byId('stats-ns').textContent = overview.namespace ?? ns;
    const runs = overview.runs || {};
    for (const status of COUNTED) {
      const cell = document.querySelector(`[data-count="${status}"]`);
      if (cell) cell.textContent = String(runs[status] ?? 0);
    }
    const workers = overview.workers || {};
    byId('fact-workers').textContent = `${workers.alive ?? 0} of ${workers.total ?? 0}`;
    byId('fact-worker-running').textContent = `${workers.running ?? 0} (concurrency ${workers.concurrency ?? 0})`;
    byId('fact-actions').textContent = String(overview.actions ?? 0);
    const schedules = overview.schedules || {};
    byId('fact-schedules').textContent = `${schedules.total ?? 0} (${schedules.enabled ?? 0})`;
    byId('fact-fired').textContent = `${schedules.fired ?? 0} / ${schedules.missed ?? 0}`;
    byId('fact-queues').textContent = String(overview.queues ?? 0);
    byId('fact-streams').textContent = String(overview.streams ?? 0);
    drawThroughput(byId('throughput-chart'), overview.throughput || []);
    showError(error, null);
  } catch (e) {
    showError(error, e);
  }
}

/** Completed (left) and failed (right) bars per minute, oldest first, scaled to the busiest minute. */
function drawThroughput(svg, minutes) {
  const width = 300;
  const height = 80;
  const slot = width / Math.max(minutes.length, 15);
  const max = Math.max(1, ...minutes.map((m) => Math.max(m.completed || 0, m.failed || 0)));
  const bars = [];
  minutes.forEach((minute, i) => {
    const group = document.createElementNS(SVG, 'g');
    group.dataset.minute = String(minute.minute_ms);
    const title = document.createElementNS(SVG, 'title');
    const at = new Date(minute.minute_ms);
    title.textContent = `${at.toLocaleTimeString()}: ${minute.completed || 0} completed, ${minute.failed || 0} failed, ${minute.created || 0} created`;
    group.append(title);
    group.append(bar(i * slot + 1, slot / 2 - 1, (minute.completed || 0) / max, 'bar-completed'));
    group.append(bar(i * slot + slot / 2, slot / 2 - 1, (minute.failed || 0) / max, 'bar-failed'));
    bars.push(group);
  });
  const baseline = document.createElementNS(SVG, 'line');
  baseline.setAttribute('x1', '0');
  baseline.setAttribute('x2', String(width));
  baseline.setAttribute('y1', String(height - 0.5));
  baseline.setAttribute('y2', String(height - 0.5));
  baseline.setAttribute('class', 'baseline');
  svg.replaceChildren(...bars, baseline);

  function bar(x, w, share, cls) {
    const h = Math.round(share * (height - 4));
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', x.toFixed(1));
    rect.setAttribute('y', String(height - h));
    rect.setAttribute('width', Math.max(w, 1).toFixed(1));
    rect.setAttribute('height', String(h));
    rect.setAttribute('class', cls);
    return rect;
  }
}
