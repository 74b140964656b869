import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { queue: vi.fn(), reminders: vi.fn().mockResolvedValue([]), appInfo: vi.fn() } };
});

import { ipc } from '../ipc';
import { QUEUE_PAGE } from '../queueWindow';
import type { CaseSummary, Queue, QueueFilter, QueuePage } from '../types';
import { FRESH_MS, queue } from './queue.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

const row = (position: number, tag = ''): CaseSummary =>
  ({ id: `id-${position}`, number: 1001 + position, subject: `Case ${position}${tag}` }) as unknown as CaseSummary;

/** A core with `total` open cases answering pages as `queue(filter, page)` does. */
function core(total: number, tag = '') {
  mocked.queue.mockImplementation(async (_filter: QueueFilter, page: QueuePage | null): Promise<Queue> => {
    const offset = page?.offset ?? 0;
    const end = Math.min(total, offset + (page?.limit ?? total));
    return {
      items: Array.from({ length: Math.max(0, end - offset) }, (_, i) => row(offset + i, tag)),
      offset,
      matching: total,
      total_open: total,
      waiting: 0,
      by_status: {},
      now: '2026-11-25T13:00:00Z',
    };
  });
}

const asked = () => mocked.queue.mock.calls.map(([, page]) => (page as QueuePage).offset / QUEUE_PAGE);

describe('the queue state, a page at a time', () => {
  beforeEach(async () => {
    mocked.queue.mockReset();
    queue.showRange(0, 0);
    queue.selected = 0;
  });

  it('loads the first page with the counts, then only the pages scrolled into view', async () => {
    core(10_000);
    await queue.load();
    expect(queue.count).toBe(10_000);
    expect(asked()).toEqual([0]);
    expect(queue.itemAt(0)?.number).toBe(1001);
    expect(queue.itemAt(QUEUE_PAGE)).toBeUndefined();

    mocked.queue.mockClear();
    queue.showRange(9_982, 10_000);
    await queue.ensure(9_982, 10_000);
    expect(asked()).toEqual([99]);
    expect(queue.itemAt(9_999)?.number).toBe(11_000);
    // Rows already there or on their way are not asked for twice.
    mocked.queue.mockClear();
    queue.showRange(9_990, 10_000);
    await queue.ensure(9_950, 10_000);
    expect(asked()).toEqual([]);
  });

  it('refreshes the pages in view, so the list keeps its place', async () => {
    core(10_000);
    await queue.load();
    queue.showRange(5_020, 5_050);
    await queue.ensure(5_020, 5_050);
    core(10_000, ' (updated)');
    mocked.queue.mockClear();
    await queue.load();
    expect(asked().sort((a, b) => a - b)).toEqual([0, 50]);
    expect(queue.itemAt(5_030)?.subject).toBe('Case 5030 (updated)');
    expect(queue.itemAt(0)?.subject).toBe('Case 0 (updated)');
  });

  it('keeps the rows in view when the list moved while a refresh was on its way', async () => {
    // Found by the reliability suite's load fault: back on the queue, the list scrolls to the selected
    // row far down while the refresh the screen started asks for the pages of the list's old place; its
    // answer dropped the page in view, and the rows there turned into placeholders for a moment.
    core(10_000);
    const far = Math.floor(6_005 / QUEUE_PAGE);
    await queue.load();
    queue.showRange(6_000, 6_020);
    await queue.ensure(6_000, 6_020);
    queue.showRange(10, 20);
    mocked.queue.mockClear();
    const refresh = queue.load(); // asks for page 0 only
    queue.showRange(6_000, 6_020); // the list moves back meanwhile (the far page is still held)
    let blank = 0;
    for (let i = 0; i < 20; i++) {
      await Promise.resolve();
      if (queue.itemAt(6_005) === undefined) blank++;
    }
    await refresh;
    if (queue.itemAt(6_005) === undefined) blank++;
    expect(blank).toBe(0);
    // and the rows kept from before the refresh are fetched anew
    await vi.waitFor(() => expect(asked()).toEqual([0, far]));
  });

  it('moves the selection across pages and fetches the page it lands on', async () => {
    core(250);
    await queue.load();
    queue.selected = QUEUE_PAGE - 1;
    mocked.queue.mockClear();
    queue.move(1);
    expect(queue.selected).toBe(QUEUE_PAGE);
    expect(await queue.selectedItem()).toMatchObject({ number: 1001 + QUEUE_PAGE });
    expect(asked()).toEqual([1]);
    queue.move(1_000);
    expect(queue.selected).toBe(249);
    expect((await queue.selectedItem())?.number).toBe(1250);
  });

  it('fetches again when the window gets the focus, unless a fetch is on its way or just came in', async () => {
    core(250);
    await queue.load();
    const fetched = queue.fetchedAt;
    mocked.queue.mockClear();

    queue.refresh(fetched + FRESH_MS - 1); // the focus right after a fetch
    expect(mocked.queue).not.toHaveBeenCalled();

    queue.refresh(fetched + FRESH_MS); // back later
    expect(asked()).toEqual([0]);
    // The focus again while that fetch is on its way: it is not asked twice (a second fetch
    // would throw the first one's answer away and the list would wait for its own).
    queue.refresh(fetched + 10 * FRESH_MS);
    expect(asked()).toEqual([0]);
    await vi.waitFor(() => expect(queue.loading).toBe(false));
    expect(asked()).toEqual([0]);
    expect(queue.fetchedAt).toBeGreaterThanOrEqual(fetched);
  });
});
