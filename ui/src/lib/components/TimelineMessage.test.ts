import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { messageHtml: vi.fn(), saveAttachment: vi.fn() } };
});

import { IpcFailure, ipc } from '../ipc';
import type { Delivery, Message } from '../types';
import TimelineMessage from './TimelineMessage.svelte';
import { queuedDelivery } from '../../mock/mailDefaults';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

beforeAll(() => {
  process.env.TZ = 'UTC';
});

const reply = (delivery: Partial<Delivery> | null, patch: Partial<Message> = {}): Message => ({
  id: 'msg_1',
  case_id: 'case_1',
  direction: 'from_shop',
  channel: 'email',
  author: 'Shop',
  body: 'Hi Ana, the parcel is on its way.',
  happened_at: '2026-11-25T13:00:00Z',
  recorded_at: '2026-11-25T13:00:00Z',
  automatic: false,
  delivery: delivery === null ? null : queuedDelivery(delivery),
  attachments: [],
  has_html: false,
  rating: null,
  ...patch,
});

describe('TimelineMessage delivery', () => {
  it.each([
    [{}, 'queued', /^Waiting to be sent$/, null, true],
    [{ scheduled: true }, 'queued', /^Scheduled for (26 Nov|Nov 26),? 2026/, 'Send now', true],
    [{ attempts: 2, last_error: 'The mail server did not answer' }, 'queued', /^Not sent yet — retrying \(The mail server did not answer\) · next try (26 Nov|Nov 26),? 2026/, 'Retry now', true],
    [{ state: 'held', attempts: 1, last_error: 'The server refused ana@example.com' }, 'held', /^Not sent — The server refused ana@example.com$/, 'Retry now', true],
    [{ state: 'sent', attempts: 1, sent_at: '2026-11-25T13:01:00Z' }, 'sent', /^Sent to ana@example.com (25 Nov|Nov 25),? 2026/, null, false],
    [{ state: 'cancelled' }, 'cancelled', /^Cancelled — not sent$/, null, false],
  ] as const)('%o', (delivery, state, text, retry, cancel) => {
    render(TimelineMessage, { message: reply(delivery), contactName: 'Ana Costa', ondelivery: vi.fn() });
    const status = screen.getByTestId('delivery-status');
    expect(status.getAttribute('data-state')).toBe(state);
    expect(status.textContent?.trim()).toMatch(text);
    expect(screen.queryByTestId('delivery-retry')?.textContent?.trim() ?? null).toBe(retry);
    expect(screen.queryByTestId('delivery-cancel') !== null).toBe(cancel);
  });

  it('retries and cancels through the handler, and says why when refused', async () => {
    const ondelivery = vi.fn().mockResolvedValueOnce(undefined).mockRejectedValueOnce(new IpcFailure('conflict', 'This email was already sent.'));
    render(TimelineMessage, { message: reply({ state: 'held', last_error: 'x' }), contactName: 'Ana Costa', ondelivery });
    await fireEvent.click(screen.getByTestId('delivery-retry'));
    expect(ondelivery).toHaveBeenLastCalledWith('retry', 'msg_1');
    await fireEvent.click(screen.getByTestId('delivery-cancel'));
    expect(ondelivery).toHaveBeenLastCalledWith('cancel', 'msg_1');
    expect((await screen.findByRole('alert')).textContent).toBe('This email was already sent.');
  });

  it('labels an acknowledgement as automatic', () => {
    render(TimelineMessage, { message: reply({ kind: 'acknowledgement' }, { automatic: true }), contactName: 'Ana Costa' });
    expect(screen.getByText('automatic acknowledgement')).toBeTruthy();
    expect(screen.queryByTestId('delivery-retry')).toBeNull(); // no handler: no buttons
  });

  it('labels a satisfaction check the way acknowledgements are labelled', () => {
    render(TimelineMessage, { message: reply({ kind: 'survey', state: 'sent', sent_at: '2026-11-25T13:01:00Z' }, { automatic: true }), contactName: 'Ana Costa' });
    expect(screen.getByTestId('message-survey').textContent?.trim()).toBe('satisfaction check');
    expect(screen.queryByText('automatic')).toBeNull();
  });

  it("shows a customer's rating instead of the generic automatic label", () => {
    render(TimelineMessage, {
      message: reply(null, { direction: 'from_customer', author: 'Ana Costa', body: '5, lovely service', automatic: true, rating: 5 }),
      contactName: 'Ana Costa',
    });
    const badge = screen.getByTestId('message-rating');
    expect(badge.textContent).toContain('Rated 5/5');
    expect(badge.getAttribute('data-rating')).toBe('5');
    expect(screen.queryByText('automatic')).toBeNull();
  });

  it('shows no status line for a logged message', () => {
    render(TimelineMessage, { message: reply(null), contactName: 'Ana Costa' });
    expect(screen.queryByTestId('delivery-status')).toBeNull();
  });
});

describe('TimelineMessage email content', () => {
  const received = reply(null, {
    direction: 'from_customer',
    author: 'Ana Costa',
    has_html: true,
    attachments: [
      { filename: 'photo.jpg', content_type: 'image/jpeg', size: 2_400_000 as unknown as bigint, hash: 'aa' },
      { filename: 'receipt.pdf', content_type: 'application/pdf', size: 48_213 as unknown as bigint, hash: 'bb' },
    ],
  });

  it('lists attachments with their size', () => {
    render(TimelineMessage, { message: received, contactName: 'Ana Costa' });
    const items = [...screen.getByTestId('message-attachments').querySelectorAll('li')].map((li) => li.textContent?.trim());
    expect(items).toEqual(['photo.jpg · 2.4 MB', 'receipt.pdf · 48 KB']);
  });

  it('saves an attachment where the owner chooses, and says so (or why not)', async () => {
    render(TimelineMessage, { message: received, contactName: 'Ana Costa' });
    mocked.saveAttachment.mockResolvedValueOnce(true);
    await fireEvent.click(screen.getAllByTestId('message-attachment')[1]);
    expect(mocked.saveAttachment).toHaveBeenCalledWith('bb', 'receipt.pdf');
    await vi.waitFor(() => expect(screen.getByTestId('message-attachment-note').textContent).toBe('Saved receipt.pdf.'));
    mocked.saveAttachment.mockRejectedValueOnce(new IpcFailure('invalid_input', 'That file is missing from the attachments folder'));
    await fireEvent.click(screen.getAllByTestId('message-attachment')[0]);
    await vi.waitFor(() => expect(screen.getByTestId('message-attachment-note').textContent).toContain('missing'));
  });

  it('shows the formatted version in a frame without scripts, remote images only on request', async () => {
    mocked.messageHtml.mockReset().mockImplementation(async (_id: string, remote: boolean) =>
      remote ? '<p>Hello</p><img src="https://example.com/a.png">' : '<p>Hello</p>',
    );
    render(TimelineMessage, { message: received, contactName: 'Ana Costa' });
    expect(screen.queryByTestId('message-html-frame')).toBeNull();
    await fireEvent.click(screen.getByTestId('message-show-html'));
    const frame = (await screen.findByTestId('message-html-frame')) as HTMLIFrameElement;
    expect(mocked.messageHtml).toHaveBeenCalledWith('msg_1', false);
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toBe('<p>Hello</p>');
    expect(frame.title).toContain('Ana Costa');

    await fireEvent.click(screen.getByTestId('message-remote-images'));
    expect(mocked.messageHtml).toHaveBeenLastCalledWith('msg_1', true);
    await vi.waitFor(() =>
      expect(screen.getByTestId('message-html-frame').getAttribute('srcdoc')).toContain('https://example.com/a.png'),
    );
    expect(screen.queryByTestId('message-remote-images')).toBeNull();
  });
});
