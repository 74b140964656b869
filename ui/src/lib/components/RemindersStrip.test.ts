import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { sendFollowUp: vi.fn() } };
});

import { IpcFailure, ipc } from '../ipc';
import type { Alert } from '../types';
import RemindersStrip from './RemindersStrip.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

const alert = (n: number, threshold: Alert['threshold']): Alert => ({
  case_id: `id-${n}`,
  case_number: n,
  contact_name: 'Ana Costa',
  subject: 'Parcel',
  threshold,
  thresholds: [threshold],
  waiting_since: '2026-11-20T09:00:00Z',
  waiting_secs: 4 * 86400,
});

describe('RemindersStrip follow-up', () => {
  beforeEach(() => mocked.sendFollowUp.mockReset());

  it('offers the saved follow-up only for quiet customers, and only when mail can be sent', async () => {
    const { unmount } = render(RemindersStrip, { items: [alert(1001, 'follow_up'), alert(1002, 'keep_posted')], canSend: false });
    expect(screen.queryByTestId('reminders-follow-up')).toBeNull();
    unmount();
    render(RemindersStrip, { items: [alert(1001, 'follow_up'), alert(1002, 'keep_posted')], canSend: true });
    const buttons = screen.getAllByTestId('reminders-follow-up');
    expect(buttons.map((b) => b.dataset.caseNumber)).toEqual(['1001']);
  });

  it('sends it in one click and says so, or says why not', async () => {
    mocked.sendFollowUp.mockResolvedValueOnce({});
    render(RemindersStrip, { items: [alert(1001, 'follow_up'), alert(1003, 'follow_up')], canSend: true });
    const [first, second] = screen.getAllByTestId('reminders-follow-up');
    await fireEvent.click(first);
    await vi.waitFor(() => expect(screen.getByTestId('reminders-follow-up-result').textContent).toBe('Follow-up in the outbox'));
    expect(mocked.sendFollowUp).toHaveBeenCalledWith(1001);
    mocked.sendFollowUp.mockRejectedValueOnce(new IpcFailure('invalid_input', 'Ana Costa has no email address'));
    await fireEvent.click(second);
    await vi.waitFor(() => expect(screen.getAllByTestId('reminders-follow-up-result')[1].textContent).toContain('no email address'));
  });
});
