import { describe, expect, it } from 'vitest';
import { QUEUE_PAGE, pagesFor, scrollToShow, visibleWindow } from './queueWindow';

describe('visibleWindow', () => {
  it.each([
    // scrollTop, viewport, rowHeight, count, overscan -> start, end
    [0, 680, 68, 10_000, 8, 0, 18], // top: 10 rows in view, 8 below
    [68 * 500, 680, 68, 10_000, 8, 492, 518], // middle: 8 either side
    [68 * 500 + 30, 680, 68, 10_000, 8, 492, 519], // a row cut at each edge
    [68 * 9_990, 680, 68, 10_000, 8, 9_982, 10_000], // the end is clamped
    [0, 680, 68, 3, 8, 0, 3], // fewer rows than fit
    [0, 680, 68, 0, 8, 0, 0], // empty
    [-50, 680, 68, 100, 0, 0, 10], // elastic overscroll above the top
    [68 * 200, 680, 68, 100, 8, 100, 100], // scrolled past a list that shrank: nothing to draw
  ])('scrollTop %i viewport %i row %i count %i overscan %i -> [%i, %i)', (top, viewport, h, count, over, start, end) => {
    expect(visibleWindow(top, viewport, h, count, over)).toEqual({ start, end });
  });
});

describe('pagesFor', () => {
  it.each([
    [0, 18, [0]],
    [90, 118, [0, 1]],
    [9_982, 10_000, [99]],
    [0, 0, []],
    [250, 251, [2]],
  ])('rows [%i, %i) are in pages %j', (start, end, pages) => {
    expect(pagesFor(start, end, QUEUE_PAGE)).toEqual(pages);
  });
});

describe('scrollToShow', () => {
  it.each([
    [5, 0, 680, 68, null], // already in view
    [10, 0, 680, 68, 68], // just below: scroll one row
    [3, 68 * 10, 680, 68, 68 * 3], // above: align to the top
    [9_999, 0, 680, 68, 68 * 10_000 - 680], // the last row, from the top
  ])('row %i from scrollTop %i', (index, top, viewport, h, expected) => {
    expect(scrollToShow(index, top, viewport, h)).toBe(expected);
  });
});
