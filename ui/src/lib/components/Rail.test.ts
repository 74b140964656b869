import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import Rail from './Rail.svelte';

const base = { active: 'queue' as const, waiting: 3, themeChoice: 'system' as const, onhelp: vi.fn(), ontheme: vi.fn(), canFetch: true };

describe('Rail: a first look at the mailbox', () => {
  it('shows how far it is', () => {
    render(Rail, { ...base, firstFetch: { done: 2400, total: 20000 } });
    const shown = screen.getByTestId('fetch-progress');
    expect(shown.textContent?.replace(/\s+/g, ' ').trim()).toBe('Bringing in your mailbox: 2,400 of 20,000');
    const bar = shown.querySelector('progress') as HTMLProgressElement;
    expect([bar.value, bar.max]).toEqual([2400, 20000]);
  });

  it('shows nothing when no first look is under way', () => {
    render(Rail, { ...base, firstFetch: null });
    expect(screen.queryByTestId('fetch-progress')).toBeNull();
  });
});
