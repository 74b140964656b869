import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import QueueRow from './QueueRow.svelte';
import type { CaseSummary } from '../types';

const item: CaseSummary = {
  id: 'case_1',
  number: 1001,
  subject: 'Parcel not arrived',
  status: 'waiting_on_third_party',
  priority: 'urgent',
  category: 'delivery',
  channel: 'phone',
  contact_id: 'ct_1',
  contact_name: 'Ana Costa',
  waiting_since: '2026-11-25T12:00:00Z',
  waiting_secs: 8040,
  clock: {
    state: 'paused',
    target_secs: 7200,
    elapsed_secs: 3600,
    warn_at: null,
    due_at: null,
    hard_limit_at: null,
  },
  last_shop_reply_at: null,
  remind_at: null,
  last_activity_at: '2026-11-25T12:00:00Z',
  created_at: '2026-11-25T12:00:00Z',
};

describe('QueueRow', () => {
  it('shows who, what, the case number and how long they wait', () => {
    render(QueueRow, { item, waitingSecs: 2 * 3600 + 14 * 60 });
    const row = screen.getByTestId('queue-row');
    expect(row.getAttribute('data-case-number')).toBe('1001');
    expect(row.getAttribute('href')).toBe('#/case/1001');
    expect(screen.getByTestId('queue-row-number').textContent).toBe('#1001');
    expect(screen.getByTestId('queue-row-contact').textContent).toBe('Ana Costa');
    expect(screen.getByTestId('queue-row-subject').textContent).toBe('Parcel not arrived');
    expect(screen.getByTestId('queue-row-waiting').textContent).toBe('2 h 14 min');
    expect(screen.getByTestId('queue-row-status').textContent).toBe('Waiting on third party');
    expect(row.textContent).toContain('Urgent');
    expect(screen.getByTestId('queue-row-waiting-state').textContent).toBe('paused — waiting on third party');
  });

  it('says how late an overdue case is, in words as well as in red', () => {
    // waiting since 12:00 for 2 h 14 min: the core's now is 14:14; due at 13:04.
    const overdue = {
      ...item,
      status: 'open' as const,
      clock: { state: 'overdue' as const, target_secs: 3840, elapsed_secs: 8040, warn_at: '2026-11-25T12:48:00Z', due_at: '2026-11-25T13:04:00Z', hard_limit_at: null },
    };
    render(QueueRow, { item: overdue, waitingSecs: 2 * 3600 + 14 * 60 });
    const state = screen.getByTestId('queue-row-waiting-state');
    expect(state.textContent).toBe('overdue 1 h 10 min');
    expect(state.closest('[data-clock-state]')?.getAttribute('data-clock-state')).toBe('overdue');
  });

  it('shows no number for an answered case, and says it is not waiting', () => {
    render(QueueRow, { item: { ...item, priority: 'normal', waiting_secs: null, clock: null }, waitingSecs: null });
    expect(screen.getByTestId('queue-row-waiting').textContent).not.toMatch(/\d/);
    expect(screen.getByTestId('queue-row').textContent).toContain('not waiting');
    expect(screen.getByTestId('queue-row').textContent).not.toContain('Normal');
  });
});
