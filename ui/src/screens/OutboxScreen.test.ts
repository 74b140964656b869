import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    ipc: {
      outbox: vi.fn(),
      mailStatus: vi.fn(),
      retryOutgoing: vi.fn(),
      cancelOutgoing: vi.fn(),
      fetchMailNow: vi.fn(),
      queue: vi.fn().mockResolvedValue({ items: [], total_open: 0, waiting: 0, by_status: {}, now: '2026-11-25T13:00:00Z' }),
      reminders: vi.fn().mockResolvedValue([]),
      appInfo: vi.fn().mockResolvedValue({ db_path: '/x', version: '0', is_empty: false }),
      slaCheck: vi.fn().mockResolvedValue([]),
      notificationError: vi.fn().mockResolvedValue(null),
    },
  };
});

import { IpcFailure, ipc } from '../lib/ipc';
import { mail } from '../lib/state/mail.svelte';
import type { Delivery, OutboxEntry } from '../lib/types';
import { queuedDelivery } from '../mock/mailDefaults';
import Rail from '../lib/components/Rail.svelte';
import OutboxScreen from './OutboxScreen.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

const delivery = (patch: Partial<Delivery>): Delivery => queuedDelivery(patch);
const entry = (id: string, number: number, d: Partial<Delivery>): OutboxEntry => ({
  message_id: id,
  case_number: number,
  case_subject: `Subject ${number}`,
  body: 'Hi Ana, the parcel is on its way.',
  delivery: delivery(d),
});

describe('OutboxScreen', () => {
  beforeEach(() => {
    mail.outbox = null;
    mocked.outbox.mockReset().mockResolvedValue([
      entry('m1', 1001, { state: 'held', attempts: 1, last_error: 'The server refused ana@example.com' }),
      entry('m2', 1002, { scheduled: true }),
      entry('m3', 1003, { state: 'sent', attempts: 1, sent_at: '2026-11-25T12:00:00Z' }),
    ]);
    mocked.mailStatus.mockReset().mockResolvedValue({
      waiting: 1,
      retrying: 0,
      held: 1,
      last_fetch_at: null,
      last_fetch_error: null,
      last_send_error: null,
    });
    mocked.retryOutgoing.mockReset().mockResolvedValue({});
    mocked.cancelOutgoing.mockReset().mockResolvedValue({});
  });

  it('lists what is waiting, held and sent, each linked to its case', async () => {
    render(OutboxScreen);
    const rows = await screen.findAllByTestId('outbox-row');
    expect(rows.map((r) => r.getAttribute('data-case-number'))).toEqual(['1001', '1002', '1003']);
    expect(rows[0].querySelector('a')?.getAttribute('href')).toBe('#/case/1001');
    expect(rows[0].textContent).toContain('Subject 1001');
    expect(rows[0].textContent).toContain('To ana@example.com');
    const states = screen.getAllByTestId('delivery-status').map((s) => s.getAttribute('data-state'));
    expect(states).toEqual(['held', 'queued', 'sent']);
    expect(screen.getAllByTestId('delivery-retry').map((b) => b.textContent?.trim())).toEqual(['Retry now', 'Send now']);
    expect(screen.getAllByTestId('delivery-cancel')).toHaveLength(2);
  });

  it('retries and cancels, then shows the outbox again', async () => {
    render(OutboxScreen);
    await screen.findAllByTestId('outbox-row');
    await fireEvent.click(screen.getAllByTestId('delivery-retry')[0]);
    expect(mocked.retryOutgoing).toHaveBeenCalledWith('m1');
    await vi.waitFor(() => expect(mocked.outbox).toHaveBeenCalledTimes(2));
    await fireEvent.click(screen.getAllByTestId('delivery-cancel')[1]);
    expect(mocked.cancelOutgoing).toHaveBeenCalledWith('m2');
    await vi.waitFor(() => expect(mocked.outbox).toHaveBeenCalledTimes(3));
  });

  it('says why a cancel was refused, next to the email', async () => {
    mocked.cancelOutgoing.mockRejectedValue(new IpcFailure('conflict', 'This email was already sent.'));
    render(OutboxScreen);
    await screen.findAllByTestId('outbox-row');
    await fireEvent.click(screen.getAllByTestId('delivery-cancel')[0]);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('This email was already sent.');
    expect(screen.getAllByTestId('outbox-row')[0].contains(alert)).toBe(true);
  });

  it('has a plain empty state', async () => {
    mocked.outbox.mockResolvedValue([]);
    render(OutboxScreen);
    expect((await screen.findByTestId('outbox-empty')).textContent).toContain('Nothing waiting');
  });
});

describe('Rail mail entries', () => {
  const props = { active: null, waiting: 3, themeChoice: 'system' as const, onhelp: () => {}, ontheme: () => {} };

  it('shows the outbox count only when something waits, and Check mail only when mail can be fetched', () => {
    const { rerender } = render(Rail, { ...props, outboxWaiting: 0 });
    expect(screen.getByTestId('rail-outbox').getAttribute('href')).toBe('#/outbox');
    expect(screen.queryByTestId('outbox-count')).toBeNull();
    expect(screen.queryByTestId('fetch-mail-now')).toBeNull();
    void rerender({ ...props, outboxWaiting: 2, canFetch: true });
    return vi.waitFor(() => {
      expect(screen.getByTestId('outbox-count').textContent).toBe('2');
      expect(screen.getByTestId('fetch-mail-now')).toBeTruthy();
    });
  });

  it('says what Check mail brought in, or why it failed', async () => {
    mocked.fetchMailNow
      .mockResolvedValueOnce({ fetched: 2, new_cases: 1, added_to_cases: 1, duplicates: 0, acknowledged: 0, warnings: [] })
      .mockRejectedValueOnce(new IpcFailure('storage', 'Could not reach imap.example.com'));
    await mail.fetchNow();
    expect(mail.fetchResult).toEqual({ text: '2 new emails, 1 new case', error: false });
    render(Rail, { ...props, canFetch: true, fetchResult: mail.fetchResult, onfetch: () => void mail.fetchNow() });
    expect(screen.getByTestId('fetch-mail-result').textContent?.trim()).toBe('2 new emails, 1 new case');
    await mail.fetchNow();
    expect(mail.fetchResult).toEqual({ text: 'Could not reach imap.example.com', error: true });
  });
});
