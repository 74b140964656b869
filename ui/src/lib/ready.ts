// Announces, once, that the first real data is on screen. End-to-end tests wait for it and the
// start-time benchmark (bench/app-start.sh) measures up to it.
import { ipc, startCalls } from './ipc';

let announced = false;
/** The frame after the first data has been painted (what `ui_ready` reports). */
let shown = false;

/**
 * Runs `work` once the first data has been painted (or after `atMostMs` if no screen says so):
 * what the window asks for at start besides its own screen (the late-cases banner, thousands of
 * cases at 10,000 open) then neither queues in front of the first queue (the commands run one at
 * a time) nor keeps its first frame from being painted (issue 7).
 */
export function afterReady(work: () => void, atMostMs = 10_000): void {
  if (shown || typeof window === 'undefined') {
    work();
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    window.removeEventListener('shopdesk:shown', once);
    work();
  };
  const timer = setTimeout(once, atMostMs);
  window.addEventListener('shopdesk:shown', once);
}

/** Milliseconds since the page's navigation started (performance.timeOrigin). */
const since = () => Math.round(performance.now() * 10) / 10;

export function markReady(): void {
  if (announced || typeof window === 'undefined') return;
  announced = true;
  document.body.dataset.ready = '1';
  window.dispatchEvent(new CustomEvent('shopdesk:ready'));
  const dataMs = since();
  const mount = performance.getEntriesByName('shopdesk:mount')[0];
  // The data is in the DOM now; it is on screen once the next frame has been painted: after the
  // next animation frame, a task later.
  const send = () => {
    const timings = {
      origin_ms: performance.timeOrigin,
      mount_ms: mount ? Math.round(mount.startTime * 10) / 10 : null,
      data_ms: dataMs,
      painted_ms: since(),
      calls: startCalls.map((c) => c.join(':')).join(' '),
    };
    // The shell logs the moment; nothing waits for the answer (outside the app it just fails).
    try {
      ipc.uiReady(timings).catch(() => undefined);
    } catch {
      // a test's stand-in ipc without uiReady
    }
    shown = true;
    window.dispatchEvent(new CustomEvent('shopdesk:shown'));
  };
  const paintThenSend = () => {
    if (typeof requestAnimationFrame !== 'function') send();
    else requestAnimationFrame(() => setTimeout(send, 0));
  };
  // The shell shows the window once the page has loaded (src-tauri/src/first_show.rs): data
  // that comes before is on screen with the first frame after that. A hidden window paints no
  // frames, so this waits until it is shown.
  if (document.visibilityState !== 'hidden') {
    paintThenSend();
    return;
  }
  const whenVisible = () => {
    if (document.visibilityState === 'hidden') return;
    document.removeEventListener('visibilitychange', whenVisible);
    paintThenSend();
  };
  document.addEventListener('visibilitychange', whenVisible);
}
