import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Case } from '../types';
import CaseFields from './CaseFields.svelte';

const kase: Case = {
  id: 'k1', number: 1042, subject: 'Parcel', contact_id: 'c1', status: 'open', priority: 'normal', category: 'delivery',
  fault: 'unknown', channel: 'email', order_ref: '', tracking_ref: '', third_party: '', tags: [],
  created_at: '2026-11-25T09:00:00Z', updated_at: '2026-11-25T09:00:00Z', merged_into: null, waiting_since: null,
  first_response_at: null, last_shop_reply_at: null, reply_target_mins: null, waiting_channel: null, remind_at: null,
};

describe('CaseFields: Remind me at another time', () => {
  it('sets a reminder at the local time chosen', async () => {
    const onremind = vi.fn();
    render(CaseFields, { kase, error: null, onpatch: vi.fn(), onremind });
    const select = screen.getByTestId('case-remind') as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'other' } });
    expect(select.value).toBe(''); // the select keeps showing the reminder set (none)
    expect(onremind).not.toHaveBeenCalled();
    const at = screen.getByTestId('case-remind-at') as HTMLInputElement;
    expect(at.value).toMatch(/T09:00$/); // tomorrow morning to start from
    await fireEvent.input(at, { target: { value: '2099-03-02T14:30' } });
    await fireEvent.click(screen.getByTestId('case-remind-set'));
    expect(onremind).toHaveBeenCalledWith(new Date(2099, 2, 2, 14, 30).toISOString().replace('.000Z', 'Z'));
    expect(screen.queryByTestId('case-remind-pick')).toBeNull();
  });

  it('refuses a time that has passed or is not a time, and keeps the picker open', async () => {
    const onremind = vi.fn();
    render(CaseFields, { kase, error: null, onpatch: vi.fn(), onremind });
    await fireEvent.change(screen.getByTestId('case-remind'), { target: { value: 'other' } });
    const at = screen.getByTestId('case-remind-at') as HTMLInputElement;
    await fireEvent.input(at, { target: { value: '2020-01-01T09:00' } });
    await fireEvent.keyDown(at, { key: 'Enter' });
    expect(screen.getByTestId('form-error').textContent).toBe('That time has already passed; choose a time in the future.');
    await fireEvent.input(at, { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('case-remind-set'));
    expect(screen.getByTestId('form-error').textContent).toBe('Choose when, like 2026-11-26 09:00.');
    expect(onremind).not.toHaveBeenCalled();
    expect(screen.getByTestId('case-remind-pick')).toBeTruthy();
  });
});
