// Announces, once, that the first real data is on screen. End-to-end tests wait for it and the
// start-time benchmark measures up to it.
let announced = false;

export function markReady(): void {
  if (announced || typeof window === 'undefined') return;
  announced = true;
  document.body.dataset.ready = '1';
  window.dispatchEvent(new CustomEvent('shopdesk:ready'));
}
