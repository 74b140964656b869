// Scrolling a part of a page into view when the page above it is still filling in: sections that
// load their own data grow after the first frame and push the part down again.

const USER_SCROLLS = ['wheel', 'keydown', 'pointerdown', 'touchstart'] as const;

/** Scrolls `el` to the top of its scroller now and again whenever it has moved, frame by frame,
 *  for up to `ms` or until the user scrolls or clicks. Returns a function that stops it early. */
export function scrollIntoViewSettled(el: HTMLElement, ms = 1500): () => void {
  let frame = 0;
  let stopped = false;
  const until = performance.now() + ms;
  const stop = () => {
    stopped = true;
    cancelAnimationFrame(frame);
    for (const type of USER_SCROLLS) window.removeEventListener(type, stop, true);
  };
  for (const type of USER_SCROLLS) window.addEventListener(type, stop, true);
  el.scrollIntoView({ block: 'start' });
  let top = el.getBoundingClientRect().top;
  const check = () => {
    if (stopped) return;
    const now = el.getBoundingClientRect().top;
    if (Math.abs(now - top) > 1) {
      el.scrollIntoView({ block: 'start' });
      top = el.getBoundingClientRect().top;
    }
    if (performance.now() < until) frame = requestAnimationFrame(check);
    else stop();
  };
  frame = requestAnimationFrame(check);
  return stop;
}
