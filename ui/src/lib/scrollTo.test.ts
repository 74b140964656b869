import { afterEach, describe, expect, it, vi } from 'vitest';
import { scrollIntoViewSettled } from './scrollTo';

describe('scrollIntoViewSettled', () => {
  afterEach(() => vi.useRealTimers());

  function element(tops: number[]) {
    const el = document.createElement('div');
    let i = 0;
    el.getBoundingClientRect = () => ({ top: tops[Math.min(i, tops.length - 1)] }) as DOMRect;
    el.scrollIntoView = vi.fn(() => {
      i++;
    });
    return el;
  }

  it('scrolls again when what loads above pushes the part down, then stops', async () => {
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
    // After the first scroll the part sits at 0; a section above grows and pushes it to 300; the
    // second scroll brings it back to 0.
    const tops = [500, 0, 300, 0];
    const el = document.createElement('div');
    let shown = 1;
    el.getBoundingClientRect = () => ({ top: tops[shown] }) as DOMRect;
    el.scrollIntoView = vi.fn(() => {
      shown = shown === 2 ? 3 : shown;
    });
    scrollIntoViewSettled(el, 1000);
    expect(el.scrollIntoView).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(50);
    shown = 2; // the section above has grown
    vi.advanceTimersByTime(50);
    expect(el.scrollIntoView).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(2000);
    expect(el.scrollIntoView).toHaveBeenCalledTimes(2);
  });

  it('leaves the page alone once the user scrolls', () => {
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
    const el = element([0]);
    let top = 0;
    el.getBoundingClientRect = () => ({ top }) as DOMRect;
    scrollIntoViewSettled(el, 1000);
    window.dispatchEvent(new WheelEvent('wheel'));
    top = 400;
    vi.advanceTimersByTime(100);
    expect(el.scrollIntoView).toHaveBeenCalledTimes(1);
  });
});
