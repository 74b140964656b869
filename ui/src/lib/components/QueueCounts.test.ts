import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import QueueCounts from './QueueCounts.svelte';

const text = () => screen.getByTestId('queue-counts').textContent?.replace(/\s+/g, ' ').trim();

describe('QueueCounts', () => {
  it('shows the totals when nothing is filtered', () => {
    render(QueueCounts, { matching: 12345, totalOpen: 12345, waiting: 42, filtered: false, onclear: vi.fn() });
    expect(text()).toBe('12,345 open 42 waiting');
    expect(screen.queryByTestId('queue-clear-filters')).toBeNull();
  });

  it('says how many of the open cases a filter shows, and clears it', async () => {
    const onclear = vi.fn();
    render(QueueCounts, { matching: 1, totalOpen: 77, waiting: 42, filtered: true, onclear });
    expect(text()).toBe('Showing 1 of 77 open cases 42 waiting in all Clear filters');
    await fireEvent.click(screen.getByTestId('queue-clear-filters'));
    expect(onclear).toHaveBeenCalledOnce();
  });

  it('counts with separators when filtered too', () => {
    render(QueueCounts, { matching: 1234, totalOpen: 7700, waiting: 42, filtered: true, onclear: vi.fn() });
    expect(screen.getByTestId('queue-matching').textContent?.replace(/\s+/g, ' ').trim()).toBe('Showing 1,234 of 7,700 open cases');
  });

  it('counts the solved cases when it lists them, with the way back', async () => {
    const onclear = vi.fn();
    render(QueueCounts, { matching: 1204, totalOpen: 77, waiting: 42, filtered: true, finished: 'solved', onclear });
    expect(text()).toBe('1,204 solved, most recent first 77 open Back to the open cases');
    await fireEvent.click(screen.getByTestId('queue-clear-filters'));
    expect(onclear).toHaveBeenCalledOnce();
  });
});
