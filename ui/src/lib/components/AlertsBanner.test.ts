import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import AlertsBanner from './AlertsBanner.svelte';
import type { CaseSummary } from '../types';
import { lateCases } from '../alerts';

// The core's now at fetch: Ana has waited 2 h 14 min since 12:00, so it is 14:14.
const FETCHED = 1_000_000;
function late(number: number, name: string, state: 'overdue' | 'due_soon', due_at: string): CaseSummary {
  return {
    id: `case_${number}`,
    number,
    subject: 'Parcel not arrived',
    status: 'open',
    priority: 'normal',
    category: 'delivery',
    channel: 'email',
    contact_id: 'ct_1',
    contact_name: name,
    waiting_since: '2026-11-25T12:00:00Z',
    waiting_secs: 8040,
    clock: { state, target_secs: 7200, elapsed_secs: 8040, warn_at: '2026-11-25T12:00:00Z', due_at, hard_limit_at: null },
    last_shop_reply_at: null,
    remind_at: null,
    last_activity_at: '2026-11-25T12:00:00Z',
    created_at: '2026-11-25T12:00:00Z',
  };
}

describe('AlertsBanner', () => {
  const items = [
    late(1001, 'Ana Costa', 'overdue', '2026-11-25T13:04:00Z'),
    late(1002, 'Ben Okafor', 'due_soon', '2026-11-25T14:34:00Z'),
  ];

  it('says how many are late and links each case with its time', async () => {
    const ondismiss = vi.fn();
    render(AlertsBanner, { late: lateCases(items), fetchedAt: FETCHED, now: FETCHED, notificationError: null, ondismiss });
    const banner = screen.getByTestId('alerts-banner');
    expect(banner.textContent).toContain('1 customer waiting past their reply target, 1 more due soon');
    const links = screen.getAllByTestId('alerts-item');
    expect(links.map((a) => a.getAttribute('data-case-number'))).toEqual(['1001', '1002']);
    expect(links[0].getAttribute('href')).toBe('#/case/1001');
    expect(links[0].textContent).toContain('overdue 1 h 10 min');
    expect(links[1].textContent).toContain('due in 20 min');
    expect(screen.queryByTestId('alerts-notification-error')).toBeNull();
    await fireEvent.click(screen.getByTestId('alerts-dismiss'));
    expect(ondismiss).toHaveBeenCalledOnce();
  });

  it('times move on with the client clock between checks', () => {
    render(AlertsBanner, { late: lateCases(items), fetchedAt: FETCHED, now: FETCHED + 10 * 60_000, notificationError: null, ondismiss: () => {} });
    const links = screen.getAllByTestId('alerts-item');
    expect(links[0].textContent).toContain('overdue 1 h 20 min');
    expect(links[1].textContent).toContain('due in 10 min');
  });

  it('lists the cases sent in full and says how many more the queue has', async () => {
    const many = Array.from({ length: 8 }, (_, i) => late(2001 + i, `Customer ${i}`, 'overdue', '2026-11-25T13:04:00Z'));
    render(AlertsBanner, { late: lateCases(many, 6), fetchedAt: FETCHED, now: FETCHED, notificationError: null, ondismiss: () => {} });
    expect(screen.getByTestId('alerts-banner').textContent).toContain('8 customers waiting past their reply target');
    expect(screen.getAllByTestId('alerts-item')).toHaveLength(5);
    await fireEvent.click(screen.getByText('Show the first 6'));
    expect(screen.getAllByTestId('alerts-item')).toHaveLength(6);
    expect(screen.getByTestId('alerts-rest').textContent).toContain('and 2 more');
  });

  it('says why desktop notifications did not show', () => {
    render(AlertsBanner, { late: lateCases(items), fetchedAt: FETCHED, now: FETCHED, notificationError: 'no notification daemon', ondismiss: () => {} });
    expect(screen.getByTestId('alerts-notification-error').textContent).toContain(
      'Desktop notifications are unavailable: no notification daemon',
    );
  });
});
