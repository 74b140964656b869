import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IpcFailure } from '../ipc';
import Composer from './Composer.svelte';

beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});

describe('Composer', () => {
  it('logs with Ctrl+Enter, converting "happened at" from local time to UTC', async () => {
    const onsubmit = vi.fn().mockResolvedValue(undefined);
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit });
    const direction = screen.getByTestId('log-direction') as HTMLSelectElement;
    const channel = screen.getByTestId('log-channel') as HTMLSelectElement;
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    expect(channel.value).toBe('email');

    await fireEvent.change(direction, { target: { value: 'from_customer' } });
    await fireEvent.change(channel, { target: { value: 'voicemail' } });
    await fireEvent.input(screen.getByTestId('log-happened-at'), { target: { value: '2026-11-25T09:15' } });
    await fireEvent.input(body, { target: { value: 'Voicemail: where is my parcel?' } });
    await fireEvent.keyDown(body, { key: 'Enter', ctrlKey: true });

    expect(onsubmit).toHaveBeenCalledWith({
      direction: 'from_customer',
      channel: 'voicemail',
      author: 'Ana Costa',
      body: 'Voicemail: where is my parcel?',
      happened_at: '2026-11-25T08:15:00Z',
    });
    await vi.waitFor(() => expect(body.value).toBe(''));
  });

  it('sends null for "now" and keeps the draft when the core refuses', async () => {
    const onsubmit = vi.fn().mockRejectedValue(new IpcFailure('not_found', 'There is no case #1001.'));
    render(Composer, { contactName: 'Ana Costa', onsubmit });
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Called back' } });
    await fireEvent.click(screen.getByTestId('log-submit'));

    expect(onsubmit.mock.calls[0][0]).toMatchObject({ direction: 'from_shop', author: 'Shop', happened_at: null });
    expect((await screen.findByTestId('form-error')).textContent).toBe('There is no case #1001.');
    expect(body.value).toBe('Called back');
  });

  it('brings back an unsent draft after a restart and forgets it once logged', async () => {
    localStorage.setItem('shopdesk.draft.case.1001', JSON.stringify({ body: 'Half-written reply', direction: 'note' }));
    const onsubmit = vi.fn().mockResolvedValue(undefined);
    render(Composer, { contactName: 'Ana Costa', draftKey: 'case.1001', onsubmit });
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    expect(body.value).toBe('Half-written reply');
    expect((screen.getByTestId('log-direction') as HTMLSelectElement).value).toBe('note');
    await fireEvent.click(screen.getByTestId('log-submit'));
    await vi.waitFor(() => expect(localStorage.getItem('shopdesk.draft.case.1001')).toBeNull());
  });
});
