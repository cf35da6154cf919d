// The namespace's event stream (server-sent events): every message is one run or schedule event as JSON, with no
// event name. EventSource reconnects by itself after a dropped connection; an answer that is not a stream (401, 404,
// a silo going away) closes it for good, so then this module opens a new one, waiting longer each time.

import { eventsUrl } from './api.js';

/**
 * Follows `ns`'s events: `onEvent(event)` per message, `onConnected()` on each (re)connection (events sent while
 * disconnected are lost: the page reloads what it shows), `onState('live'|'reconnecting'|'connecting')`.
 * Returns a handle with `close()`.
 */
export function follow(ns, { onEvent, onConnected, onState }) {
  let source = null;
  let retry = null;
  let delay = 1000;
  let closed = false;

  function open() {
    if (closed) return;
    onState('connecting');
    source = new EventSource(eventsUrl(ns));
    source.onopen = () => {
      delay = 1000;
      onState('live');
      onConnected();
    };
    source.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return; // Not an event (a comment or keep-alive would not reach onmessage; anything else is ignored).
      }
      onEvent(event);
    };
    source.onerror = () => {
      if (closed) return;
      onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(retry);
        retry = setTimeout(open, delay);
        delay = Math.min(delay * 2, 30_000);
      }
    };
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      if (source) source.close();
    },
  };
}
