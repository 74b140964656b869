// Saved replies in the composer: the menu, the "/" key, the filled text and the line that names
// the placeholders still to fill in.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { savedReplies: vi.fn(), placeholders: vi.fn(), fillSavedReply: vi.fn() } };
});

import { IpcFailure, ipc } from '../ipc';
import type { SavedReply } from '../types';
import Composer from './Composer.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

const reply = (id: string, title: string, body: string): SavedReply => ({ id, title, body, position: 0, updated_at: '2026-11-01T00:00:00Z' });
const LIST = [
  reply('r1', 'We got your message', 'Hello {customer.first_name}, case {case.number}.'),
  reply('r2', 'Replacement or refund (our fault)', 'Hello {customer.first_name}, order {order.ref} is on us.'),
];

function renderComposer(extra: Record<string, unknown> = {}) {
  return render(Composer, {
    contactName: 'Ana Costa',
    defaultChannel: 'email',
    caseNumber: 1001,
    onsubmit: vi.fn().mockResolvedValue(undefined),
    emailTo: 'ana@example.com',
    ...extra,
  });
}

describe('Saved replies in the composer', () => {
  beforeEach(() => {
    localStorage.clear();
    mocked.savedReplies.mockReset().mockResolvedValue(LIST);
    mocked.placeholders.mockReset().mockResolvedValue([
      { name: 'customer.first_name', meaning: "the customer's first name" },
      { name: 'case.number', meaning: 'the case number' },
      { name: 'order.ref', meaning: 'the order number on the case' },
    ]);
    mocked.fillSavedReply.mockReset().mockImplementation(async (id: string) =>
      id === 'r2'
        ? { text: 'Hello Ana, order {order.ref} is on us.', missing: ['order.ref'] }
        : { text: 'Hello Ana, case #1001.', missing: [] },
    );
  });

  it('inserts the chosen reply filled from the case, and names what is left to fill in', async () => {
    renderComposer();
    await fireEvent.click(screen.getByTestId('saved-replies-button'));
    const items = await screen.findAllByTestId('saved-reply-item');
    expect(items.map((i) => i.getAttribute('data-title'))).toEqual(['We got your message', 'Replacement or refund (our fault)']);
    await fireEvent.click(items[1]);
    expect(mocked.fillSavedReply).toHaveBeenCalledWith('r2', 1001);
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await vi.waitFor(() => expect(body.value).toBe('Hello Ana, order {order.ref} is on us.'));
    expect(screen.queryByTestId('saved-replies-menu')).toBeNull();
    expect(screen.getByTestId('composer-missing').textContent).toContain('Fill in the order number ({order.ref}) before sending.');
    // The gap is selected, so typing the order number replaces it.
    await vi.waitFor(() => expect(body.value.slice(body.selectionStart, body.selectionEnd)).toBe('{order.ref}'));

    // Filling it in by hand makes the line go away.
    await fireEvent.input(body, { target: { value: 'Hello Ana, order 1187 is on us.' } });
    expect(screen.queryByTestId('composer-missing')).toBeNull();
    // Typing one back brings it back.
    await fireEvent.input(body, { target: { value: 'Hello Ana, order {order.ref} or { order.ref }' } });
    expect(screen.getByTestId('composer-missing').textContent).toContain('{order.ref}');
  });

  it('opens with "/" in an empty composer; type to filter, Enter inserts, the reply replaces the one inserted before', async () => {
    renderComposer();
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await fireEvent.keyDown(body, { key: '/' });
    const filter = (await screen.findByTestId('saved-replies-filter')) as HTMLInputElement;
    await fireEvent.input(filter, { target: { value: 'refund' } });
    expect(screen.getAllByTestId('saved-reply-item').map((i) => i.getAttribute('data-title'))).toEqual([
      'Replacement or refund (our fault)',
    ]);
    await fireEvent.keyDown(filter, { key: 'Enter' });
    await vi.waitFor(() => expect(body.value).toBe('Hello Ana, order {order.ref} is on us.'));

    // Inserting another while the text is unchanged replaces it.
    await fireEvent.click(screen.getByTestId('saved-replies-button'));
    await fireEvent.keyDown(await screen.findByTestId('saved-replies-filter'), { key: 'Enter' });
    await vi.waitFor(() => expect(body.value).toBe('Hello Ana, case #1001.'));
    expect(screen.queryByTestId('composer-missing')).toBeNull();
  });

  it('"/" is text in a composer that holds some, and Escape closes the menu', async () => {
    renderComposer();
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'and/or' } });
    await fireEvent.keyDown(body, { key: '/' });
    expect(screen.queryByTestId('saved-replies-menu')).toBeNull();

    await fireEvent.click(screen.getByTestId('saved-replies-button'));
    await fireEvent.keyDown(await screen.findByTestId('saved-replies-filter'), { key: 'Escape' });
    expect(screen.queryByTestId('saved-replies-menu')).toBeNull();
    expect(body.value).toBe('and/or');
  });

  it('keeps what was typed: a reply goes in at the cursor', async () => {
    renderComposer();
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Dear Ana,\n' } });
    body.setSelectionRange(10, 10);
    await fireEvent.click(screen.getByTestId('saved-replies-button'));
    await fireEvent.click((await screen.findAllByTestId('saved-reply-item'))[0]);
    await vi.waitFor(() => expect(body.value).toBe('Dear Ana,\nHello Ana, case #1001.'));
  });

  it('shows why a reply could not be filled in, and the backend refusal when sent anyway', async () => {
    mocked.fillSavedReply.mockRejectedValueOnce(new IpcFailure('invalid_input', 'That saved reply no longer exists'));
    const onsendemail = vi.fn().mockRejectedValue(
      new IpcFailure('invalid_input', 'Fill in {order.ref} before sending: the customer would see it as written'),
    );
    renderComposer({ onsendemail });
    await fireEvent.click(screen.getByTestId('saved-replies-button'));
    await fireEvent.click((await screen.findAllByTestId('saved-reply-item'))[0]);
    expect((await screen.findByTestId('form-error')).textContent).toBe('That saved reply no longer exists');

    await fireEvent.click(screen.getByTestId('saved-replies-button'));
    await fireEvent.click((await screen.findAllByTestId('saved-reply-item'))[1]);
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await vi.waitFor(() => expect(body.value).toContain('{order.ref}'));
    expect(screen.queryByTestId('form-error')).toBeNull();
    await fireEvent.click(screen.getByTestId('composer-send-email'));
    expect((await screen.findByTestId('form-error')).textContent).toBe(
      'Fill in {order.ref} before sending: the customer would see it as written',
    );
    expect(body.value).toBe('Hello Ana, order {order.ref} is on us.');
  });

  it('has no saved replies where there is no case', () => {
    render(Composer, { contactName: 'Ana Costa', onsubmit: vi.fn() });
    expect(screen.queryByTestId('saved-replies-button')).toBeNull();
  });
});
