// The queue's virtual window: which rows a scrolled list shows (fixed row height), which pages of
// the core's queue those rows live in, and where to scroll so a selected row is in view.

/** Rows asked of the core at a time (a page); the core counts positions, so any page can be read. */
export const QUEUE_PAGE = 100;

/** Rows [start, end) to render: those in the viewport plus `overscan` either side. */
export function visibleWindow(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan: number,
): { start: number; end: number } {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, Math.max(start, last + overscan));
  return { start, end };
}

/** The pages holding rows [start, end). */
export function pagesFor(start: number, end: number, pageSize = QUEUE_PAGE): number[] {
  if (end <= start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/** The scroll position that brings row `index` into view with the least movement; null if it is. */
export function scrollToShow(index: number, scrollTop: number, viewport: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return null;
}
