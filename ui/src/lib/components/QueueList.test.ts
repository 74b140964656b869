import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { CaseSummary } from '../types';
import QueueList from './QueueList.svelte';

// jsdom has no layout: bind:clientHeight needs a ResizeObserver, and the viewport reads as 0 px,
// so the window is the overscan alone.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

const item = (i: number): CaseSummary => ({
  id: `id-${i}`,
  number: 1001 + i,
  subject: `Case ${i}`,
  status: 'new',
  priority: 'normal',
  category: 'delivery',
  channel: 'email',
  contact_id: 'c',
  contact_name: 'Ana',
  waiting_since: null,
  waiting_secs: null,
  clock: null,
  last_shop_reply_at: null,
  remind_at: null,
  last_activity_at: '2026-11-25T12:00:00Z',
  created_at: '2026-11-25T12:00:00Z',
});

describe('QueueList', () => {
  it('renders only a window of 10,000 rows and follows the scroll to the end', async () => {
    const onrange = vi.fn();
    render(QueueList, {
      count: 10_000,
      rowAt: (i: number) => (i < 100 || i >= 9_900 ? item(i) : undefined),
      fetchedAt: 0,
      now: 0,
      selected: 0,
      onselect: () => {},
      onrange,
    });
    const rows = () => screen.queryAllByTestId('queue-row');
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThan(40);
    expect(onrange).toHaveBeenLastCalledWith(0, rows().length);

    const list = screen.getByTestId('queue-list');
    Object.defineProperty(list, 'scrollTop', { configurable: true, value: 68 * 10_000 });
    await fireEvent.scroll(list);
    const numbers = rows().map((r) => Number(r.dataset.caseNumber));
    expect(numbers).toContain(11_000);
    expect(rows().length).toBeLessThan(40);
    expect(onrange).toHaveBeenLastCalledWith(10_000 - 8, 10_000);
  });

  it('shows a placeholder for rows whose page has not arrived', async () => {
    render(QueueList, {
      count: 1_000,
      rowAt: () => undefined,
      fetchedAt: 0,
      now: 0,
      selected: 0,
      onselect: () => {},
      onrange: () => {},
    });
    expect(screen.queryAllByTestId('queue-row')).toHaveLength(0);
    expect(screen.getAllByTestId('queue-row-loading').length).toBeGreaterThan(0);
  });
});
