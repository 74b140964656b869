// Announces, once, that the first real data is on screen. End-to-end tests wait for it and the
// start-time benchmark measures up to it.
import { ipc } from './ipc';

let announced = false;

export function markReady(): void {
  if (announced || typeof window === 'undefined') return;
  announced = true;
  document.body.dataset.ready = '1';
  window.dispatchEvent(new CustomEvent('shopdesk:ready'));
  // The shell logs the moment; nothing waits for the answer (outside the app it just fails).
  try {
    ipc.uiReady().catch(() => undefined);
  } catch {
    // a test's stand-in ipc without uiReady
  }
}
