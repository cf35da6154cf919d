// Polling and throttling: a poll never overlaps its previous round (a slow silo is never asked twice at once).

/**
 * Runs `fn` now and then `ms` after each round ends, while `active()` holds (checked before each round). Returns a
 * handle: `now()` runs a round at once (or right after the one in flight), `stop()` ends the loop.
 */
export function every(ms, fn, active = () => true) {
  let timer = null;
  let stopped = false;
  let running = false;
  let again = false;
  async function round() {
    clearTimeout(timer);
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (active()) {
      running = true;
      try {
        await fn();
      } catch (error) {
        // The round shows its own errors on the page; a failed round is simply tried again at the next tick.
        console.debug('poll failed', error);
      } finally {
        running = false;
      }
    }
    if (stopped) return;
    if (again) {
      again = false;
      round();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(round, ms);
  }
  round();
  return {
    now: round,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** `fn` at most once per `ms`: a call within the window runs once at its end (so the last change is never lost). */
export function throttle(ms, fn) {
  let last = 0;
  let timer = null;
  return function throttled() {
    const wait = last + ms - Date.now();
    if (wait <= 0 && timer === null) {
      last = Date.now();
      fn();
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, Math.max(wait, 0));
    }
  };
}
