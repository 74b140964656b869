import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return {
    ...real,
    ipc: {
      savedReplies: vi.fn(),
      placeholders: vi.fn(),
      addSavedReply: vi.fn(),
      updateSavedReply: vi.fn(),
      deleteSavedReply: vi.fn(),
    },
  };
});

import { IpcFailure, ipc } from '../ipc';
import type { NewSavedReply, SavedReply } from '../types';
import SavedRepliesSection from './SavedRepliesSection.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;
const at = '2026-11-01T00:00:00Z';
const reply = (id: string, title: string, body: string, position = 0): SavedReply => ({ id, title, body, position, updated_at: at });

const rows = () => screen.queryAllByTestId('saved-reply-row-title').map((r) => r.textContent);

describe('Settings → Saved replies', () => {
  beforeEach(() => {
    mocked.savedReplies.mockReset().mockResolvedValue([
      reply('r1', 'We got your message', 'Hello {customer.first_name},\n\nThanks.'),
      reply('r2', 'Payment declined', 'Hello {customer.first_name}, order {order.ref} was declined.', 1),
    ]);
    mocked.placeholders.mockReset().mockResolvedValue([
      { name: 'customer.first_name', meaning: "the customer's first name" },
      { name: 'order.ref', meaning: 'the order number on the case' },
    ]);
    mocked.addSavedReply.mockReset().mockImplementation(async (input: NewSavedReply) => reply('r3', input.title.trim(), input.body, 2));
    mocked.updateSavedReply.mockReset().mockImplementation(async (id: string, input: NewSavedReply) => reply(id, input.title.trim(), input.body));
    mocked.deleteSavedReply.mockReset().mockResolvedValue(null);
  });

  it('lists the replies and what each placeholder means', async () => {
    render(SavedRepliesSection);
    await vi.waitFor(() => expect(rows()).toEqual(['We got your message', 'Payment declined']));
    const help = await screen.findByTestId('saved-replies-placeholders');
    expect(help.textContent).toContain('{order.ref}');
    expect(help.textContent).toContain('the order number on the case');
  });

  it('adds a reply, inserting a placeholder at the cursor, and warns about braces Shopdesk does not know', async () => {
    render(SavedRepliesSection);
    await fireEvent.click(await screen.findByTestId('saved-reply-add'));
    await fireEvent.input(screen.getByTestId('saved-reply-title'), { target: { value: 'Parcel delayed' } });
    const body = screen.getByTestId('saved-reply-body') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Order  is late. {order.number}' } });
    expect(screen.getByTestId('saved-reply-unknown').textContent).toContain('{order.number} is not a placeholder');
    body.setSelectionRange(6, 6);
    const chips = screen.getAllByTestId('saved-reply-insert-placeholder');
    await fireEvent.click(chips.find((c) => c.textContent === '{order.ref}')!);
    expect(body.value).toBe('Order {order.ref} is late. {order.number}');
    await fireEvent.input(body, { target: { value: 'Order {order.ref} is late.' } });
    expect(screen.queryByTestId('saved-reply-unknown')).toBeNull();
    await fireEvent.click(screen.getByTestId('saved-reply-save'));
    expect(mocked.addSavedReply).toHaveBeenCalledWith({ title: 'Parcel delayed', body: 'Order {order.ref} is late.' });
    await vi.waitFor(() => expect(rows()).toEqual(['We got your message', 'Payment declined', 'Parcel delayed']));
    expect(screen.getByTestId('saved-reply-done').textContent).toBe('Saved “Parcel delayed”.');
  });

  it('edits a reply and keeps the input when the core refuses', async () => {
    mocked.updateSavedReply.mockRejectedValueOnce(new IpcFailure('invalid_input', 'That saved reply no longer exists'));
    render(SavedRepliesSection);
    await vi.waitFor(() => expect(rows().length).toBe(2));
    await fireEvent.click(screen.getAllByTestId('saved-reply-edit')[1]);
    const title = screen.getByTestId('saved-reply-title') as HTMLInputElement;
    expect(title.value).toBe('Payment declined');
    expect((screen.getByTestId('saved-reply-body') as HTMLTextAreaElement).value).toContain('{order.ref}');
    await fireEvent.input(title, { target: { value: 'Card declined' } });
    await fireEvent.click(screen.getByTestId('saved-reply-save'));
    expect((await screen.findByTestId('form-error')).textContent).toBe('That saved reply no longer exists');
    expect((screen.getByTestId('saved-reply-title') as HTMLInputElement).value).toBe('Card declined');
    await fireEvent.click(screen.getByTestId('saved-reply-save'));
    await vi.waitFor(() => expect(rows()).toEqual(['We got your message', 'Card declined']));
    expect(mocked.updateSavedReply).toHaveBeenLastCalledWith('r2', { title: 'Card declined', body: 'Hello {customer.first_name}, order {order.ref} was declined.' });
  });

  it('asks before deleting, and a "keep it" keeps it', async () => {
    render(SavedRepliesSection);
    await vi.waitFor(() => expect(rows().length).toBe(2));
    await fireEvent.click(screen.getAllByTestId('saved-reply-delete')[0]);
    expect(screen.getByTestId('saved-reply-delete-dialog').textContent).toContain('“We got your message”');
    await fireEvent.click(screen.getByTestId('saved-reply-delete-cancel'));
    expect(mocked.deleteSavedReply).not.toHaveBeenCalled();
    expect(screen.queryByTestId('saved-reply-delete-dialog')).toBeNull();

    await fireEvent.click(screen.getAllByTestId('saved-reply-delete')[0]);
    await fireEvent.click(screen.getByTestId('saved-reply-delete-confirm'));
    expect(mocked.deleteSavedReply).toHaveBeenCalledWith('r1');
    await vi.waitFor(() => expect(rows()).toEqual(['Payment declined']));
  });

  it('refuses an empty title before asking the core', async () => {
    render(SavedRepliesSection);
    await fireEvent.click(await screen.findByTestId('saved-reply-add'));
    await fireEvent.input(screen.getByTestId('saved-reply-body'), { target: { value: 'Text' } });
    await fireEvent.click(screen.getByTestId('saved-reply-save'));
    expect((await screen.findByTestId('form-error')).textContent).toContain('Give the saved reply a title');
    expect(mocked.addSavedReply).not.toHaveBeenCalled();
  });
});
