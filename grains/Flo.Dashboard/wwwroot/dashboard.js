// The dashboard's entry: the namespace (?ns=, default "default"), the tabs (#hash), the token prompt, the event stream
// and what is polled. The page never reloads: a namespace or tab change, a new token and every event update it in place.

import { get, onUnauthorized, setToken, token } from './api.js';
import { refreshActions } from './actions.js';
import { refreshCluster } from './cluster.js';
import { byId, el } from './dom.js';
import { follow } from './live.js';
import { refreshQueues } from './queues.js';
import { initRuns, onRunEvent, reloadRuns, setRunsNamespace } from './runs.js';
import { initSchedules, refreshSchedules, setSchedulesNamespace } from './schedules.js';
import { refreshStats } from './stats.js';
import { refreshStreams } from './streams.js';
import { every, throttle } from './timing.js';
import { refreshWorkers } from './workers.js';

// Set once per page load: a test that finds it unchanged knows the page was not reloaded.
window.floLoadId = `${Date.now()}-${Math.random().toString(36).slice(2)}`;

const TABS = ['overview', 'runs', 'schedules', 'actions', 'workers', 'queues', 'streams'];
let ns = new URLSearchParams(location.search).get('ns') || 'default';
let tab = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'overview';
let stream = null;
const polls = [];

const visible = (name) => () => tab === name && !document.hidden;
const refreshStatsSoon = throttle(500, () => refreshStats(ns));
const refreshSchedulesSoon = throttle(300, () => refreshSchedules());

function showTab(name) {
  tab = name;
  for (const button of document.querySelectorAll('[data-tab]')) {
    const active = button.dataset.tab === name;
    button.classList.toggle('active', active);
    button.setAttribute('aria-selected', String(active));
  }
  for (const panel of document.querySelectorAll('[data-tab-panel]')) {
    panel.hidden = panel.dataset.tabPanel !== name;
  }
  document.body.dataset.tab = name;
  history.replaceState(null, '', `${location.pathname}${location.search}#${name}`);
  // What a tab shows is read as it opens, then polled while it stays open.
  for (const poll of polls) poll.now();
}

function setLive(state) {
  const live = byId('live');
  live.dataset.state = state;
  live.textContent = state;
}

function onEvent(event) {
  onRunEvent(event);
  refreshStatsSoon();
  if (typeof event.kind === 'string' && event.kind.startsWith('schedule_')) refreshSchedulesSoon();
}

function connect() {
  if (stream) stream.close();
  stream = follow(ns, {
    onEvent,
    // Events sent while the stream was down are gone: what they would have changed is read again.
    onConnected: () => {
      reloadRuns();
      refreshSchedules();
      refreshStatsSoon();
    },
    onState: setLive,
  });
}

async function loadNamespaces() {
  const select = byId('ns-select');
  let names = [];
  try {
    names = (await get('/v1/namespaces')).namespaces || [];
  } catch {
    // The selector keeps the current namespace; the other sections show their own errors.
  }
  if (!names.includes(ns)) names = [ns, ...names];
  select.replaceChildren(...names.map((name) => el('option', { value: name, selected: name === ns }, name)));
}

function setNamespace(name) {
  ns = name;
  const url = new URL(location.href);
  url.searchParams.set('ns', name);
  history.replaceState(null, '', url);
  document.body.dataset.ns = name;
  connect();
  setRunsNamespace(name);
  setSchedulesNamespace(name);
  for (const poll of polls) poll.now();
}

function askForToken() {
  const panel = byId('token-panel');
  if (!panel.hidden) return;
  panel.hidden = false;
  byId('token-error').textContent = token() ? 'The silo refused this token.' : '';
  byId('token-input').focus();
}

function initToken() {
  onUnauthorized(askForToken);
  byId('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = byId('token-input').value.trim();
    if (!value) return;
    setToken(value);
    byId('token-panel').hidden = true;
    byId('token-input').value = '';
    // Everything again with the token, the stream included (its URL carries it).
    loadNamespaces();
    setNamespace(ns);
  });
}

function start() {
  document.body.dataset.ns = ns;
  initToken();
  initRuns();
  initSchedules(showTab);
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => showTab(button.dataset.tab));
  }
  byId('ns-select').addEventListener('change', (e) => setNamespace(e.target.value));
  polls.push(
    every(2000, () => refreshCluster(), visible('overview')),
    every(5000, () => refreshStats(ns), visible('overview')),
    every(5000, () => refreshSchedules(), visible('schedules')),
    every(5000, () => refreshActions(ns), visible('actions')),
    every(5000, () => refreshWorkers(ns), visible('workers')),
    every(5000, () => refreshQueues(ns), visible('queues')),
    every(5000, () => refreshStreams(ns), visible('streams')));
  showTab(tab);
  loadNamespaces();
  setRunsNamespace(ns);
  setSchedulesNamespace(ns);
  connect();
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) for (const poll of polls) poll.now();
  });
}

start();
