// DOM helpers. Data from the API is only ever set as text (textContent, attributes), never parsed as HTML, so a run's
// error or a schedule's description cannot inject markup.

/** An element with properties (className, id, title, hidden, type, dataset values under `data`) and children (nodes or text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'data') {
      for (const [name, v] of Object.entries(value)) node.dataset[name] = String(v);
    } else if (key === 'on') {
      for (const [name, handler] of Object.entries(value)) node.addEventListener(name, handler);
    } else {
      node[key] = value;
    }
  }
  append(node, children);
  return node;
}

/** Appends children: nodes as they are, anything else as text (null and undefined skipped). */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A table cell with text (or nodes). */
export function td(...children) {
  return el('td', {}, ...children);
}

/** A status badge: styled per status, found by tests through data-status. */
export function statusBadge(status) {
  return el('span', { className: 'status', data: { status } }, status ?? '');
}

/** Replaces a tbody's rows. */
export function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

/** The element with this id (the page's markup defines every one the scripts use). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The page has no element #${id}.`);
  return node;
}

/** Shows an error's message in an element (empty clears it). */
export function showError(node, error) {
  node.textContent = error ? (error.message || String(error)) : '';
}

const pad = (n) => String(n).padStart(2, '0');

/** A time in ms since the epoch as local `YYYY-MM-DD HH:MM:SS`; empty for none. */
export function fmtTime(ms) {
  if (ms === null || ms === undefined || ms === 0) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A time of day, `HH:MM:SS` (the full time in the element's title); empty for none. */
export function fmtClock(ms) {
  if (ms === null || ms === undefined || ms === 0) return '';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A duration in ms, short: 250 ms, 30 s, 5 min, 2 h, 1 d. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const units = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1000, 's']];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A byte count: 512 B, 1.5 KiB, 20.0 MiB. */
export function fmtBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** A number with one decimal, or a dash when the silo does not know it (null). */
export function fmtRate(v) {
  return v === null || v === undefined ? '–' : Number(v).toFixed(1);
}

/** A run or schedule id shortened for a table (the full id stays in the title and data attributes). */
export function shortId(id) {
  return id && id.length > 12 ? id.slice(0, 12) + '…' : (id ?? '');
}

// Control characters other than tab, newline and carriage return: such a payload is shown as base64, not as text.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A base64 payload as its UTF-8 text when it is printable text; else its size and base64. */
export function decodePayload(base64) {
  if (base64 === null || base64 === undefined) return '(none)';
  if (base64 === '') return '(empty)';
  let bytes;
  try {
    bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return base64;
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!CONTROL.test(text)) return text;
  } catch {
    // Not UTF-8: shown as base64 below.
  }
  return `(${bytes.length} bytes, binary) ${base64}`;
}
