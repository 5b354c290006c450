// Live data through Consul blocking queries: each Source keeps the last
// X-Consul-Index as its cursor and asks again with ?index=, waits a little
// between polls, backs off on errors, and every open request is aborted while
// the tab is hidden and resumed when it shows again.

import { api } from './api.js';

/** Pause between two polls of one source after a change (Consul's UI: 2 s). */
export const THROTTLE_MS = 2000;
/** Retry interval for network errors and 5xx (Consul's UI: 3 s). */
export const RETRY_MS = 3000;
const MAX_BACKOFF_MS = 30000;
/** Sources without blocking support (no X-Consul-Index) are polled this often. */
export const POLL_MS = 5000;

const active = new Set();

/** Whether live updates are on (Settings; default on). */
export function liveEnabled() {
  try { return localStorage.getItem('consul:blocking') !== 'off'; } catch { return true; }
}

/** Turn live updates on or off. */
export function setLiveEnabled(on) {
  localStorage.setItem('consul:blocking', on ? 'on' : 'off');
}

/**
 * One live data source. `onData(data, res)` runs on the first answer and on
 * every change; `onError(err)` on failures (it keeps retrying, except 403).
 */
export class Source {
  constructor(path, opts, onData, onError) {
    Object.assign(this, { path, opts: opts || {}, onData, onError });
    this.cursor = 0;
    this.stopped = true;
    this.backoff = RETRY_MS;
  }

  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    active.add(this);
    this.loop();
    return this;
  }

  stop() {
    this.stopped = true;
    active.delete(this);
    clearTimeout(this.timer);
    if (this.ctrl) this.ctrl.abort();
  }

  /** Abort the open request; `resume` continues from the same cursor. */
  pause() {
    this.paused = true;
    clearTimeout(this.timer);
    if (this.ctrl) this.ctrl.abort();
  }

  resume() {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.loop();
  }

  /** Fetch again now (after a write of our own, say). */
  refresh() {
    this.cursor = 0;
    clearTimeout(this.timer);
    if (this.ctrl) this.ctrl.abort();
    this.loop();
  }

  schedule(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), ms);
  }

  async loop() {
    if (this.stopped || this.paused) return;
    if (document.hidden) {
      // Started or woken while the tab is hidden: wait for it to show.
      this.paused = true;
      return;
    }
    const ctrl = new AbortController();
    if (this.ctrl) this.ctrl.abort();
    this.ctrl = ctrl;
    const blocking = this.cursor > 0 && liveEnabled();
    const query = { ...(this.opts.query || {}) };
    if (blocking) Object.assign(query, { index: this.cursor, wait: this.opts.wait || '5m' });
    let res;
    try {
      res = await api(this.path, { ...this.opts, query, signal: ctrl.signal });
    } catch (err) {
      if (ctrl !== this.ctrl || this.stopped) return;
      if (err.name === 'AbortError') return;
      if (this.onError) this.onError(err);
      if (err.status === 403 || (err.status >= 400 && err.status < 500)) return;
      // Network errors and 5xx: retry, slower each time up to 30 s.
      this.schedule(this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      return;
    }
    if (ctrl !== this.ctrl || this.stopped) return;
    this.backoff = RETRY_MS;
    const index = res.index;
    const changed = !blocking || !index || index !== this.cursor;
    // An index that goes backwards resets the cursor; it never goes below 1.
    this.cursor = index ? (index < this.cursor ? 0 : Math.max(index, 1)) : 0;
    if (changed) this.onData(res.data, res);
    if (!liveEnabled()) return;
    if (!index) this.schedule(POLL_MS);
    else this.schedule(changed ? THROTTLE_MS : 0);
  }
}

/** Stop every source (on navigation). */
export function stopAll() {
  for (const s of [...active]) s.stop();
}

document.addEventListener('visibilitychange', () => {
  for (const s of active) (document.hidden ? s.pause() : s.resume());
});
