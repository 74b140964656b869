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

  it('sends an email reply with Ctrl+Enter and forgets the draft only once it is queued', async () => {
    localStorage.clear();
    let resolve: () => void = () => {};
    const onsendemail = vi.fn().mockImplementation(() => new Promise<void>((r) => (resolve = r)));
    const onsubmit = vi.fn();
    render(Composer, {
      contactName: 'Ana Costa',
      defaultChannel: 'email',
      draftKey: 'case.1002',
      onsubmit,
      emailTo: 'ana@example.com',
      onsendemail,
    });
    expect(screen.getByText('Email to ana@example.com')).toBeTruthy();
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Hi Ana, it is on its way.' } });
    await fireEvent.keyDown(body, { key: 'Enter', ctrlKey: true });
    expect(onsendemail).toHaveBeenCalledWith('Hi Ana, it is on its way.', null);
    expect(onsubmit).not.toHaveBeenCalled();
    expect(localStorage.getItem('shopdesk.draft.case.1002')).not.toBeNull();
    resolve();
    await vi.waitFor(() => expect(body.value).toBe(''));
    expect(localStorage.getItem('shopdesk.draft.case.1002')).toBeNull();
  });

  it('keeps the reply when sending is refused', async () => {
    const onsendemail = vi.fn().mockRejectedValue(new IpcFailure('invalid_input', 'Ana Costa has no email address.'));
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit: vi.fn(), emailTo: 'ana@example.com', onsendemail });
    const body = screen.getByTestId('log-body') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Hello' } });
    await fireEvent.click(screen.getByTestId('composer-send-email'));
    expect((await screen.findByTestId('form-error')).textContent).toBe('Ana Costa has no email address.');
    expect(body.value).toBe('Hello');
  });

  it('schedules an email for later at the local time chosen', async () => {
    const onsendemail = vi.fn().mockResolvedValue(undefined);
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit: vi.fn(), emailTo: 'ana@example.com', onsendemail });
    await fireEvent.input(screen.getByTestId('log-body'), { target: { value: 'Good morning!' } });
    await fireEvent.click(screen.getByTestId('composer-send-later'));
    const at = screen.getByTestId('composer-send-at') as HTMLInputElement;
    expect(at.value).toMatch(/T09:00$/); // tomorrow morning by default
    await fireEvent.input(at, { target: { value: '2099-11-26T09:30' } });
    await fireEvent.click(screen.getByTestId('composer-send-later-confirm'));
    expect(onsendemail).toHaveBeenCalledWith('Good morning!', '2099-11-26T08:30:00Z');
    await vi.waitFor(() => expect(screen.queryByTestId('composer-send-at')).toBeNull());
  });

  it('refuses a time that has passed', async () => {
    const onsendemail = vi.fn();
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit: vi.fn(), emailTo: 'ana@example.com', onsendemail });
    await fireEvent.input(screen.getByTestId('log-body'), { target: { value: 'Hi' } });
    await fireEvent.click(screen.getByTestId('composer-send-later'));
    await fireEvent.input(screen.getByTestId('composer-send-at'), { target: { value: '2020-01-01T09:00' } });
    await fireEvent.click(screen.getByTestId('composer-send-later-confirm'));
    expect((await screen.findByTestId('form-error')).textContent).toBe('That time has already passed; choose a time in the future.');
    expect(onsendemail).not.toHaveBeenCalled();
  });

  it('still logs calls and notes, and a reply sent elsewhere with "Log only"', async () => {
    const onsubmit = vi.fn().mockResolvedValue(undefined);
    const onsendemail = vi.fn();
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit, emailTo: 'ana@example.com', onsendemail });
    await fireEvent.input(screen.getByTestId('log-body'), { target: { value: 'Replied from my phone' } });
    expect(screen.getByTestId('log-submit').textContent?.trim()).toBe('Log only');
    await fireEvent.click(screen.getByTestId('log-submit'));
    expect(onsubmit).toHaveBeenCalledWith(expect.objectContaining({ channel: 'email', direction: 'from_shop' }));

    expect(onsendemail).not.toHaveBeenCalled();
  });

  it('on another channel, logs with Ctrl+Enter and still offers "Send email" as a button', async () => {
    const onsubmit = vi.fn().mockResolvedValue(undefined);
    const onsendemail = vi.fn().mockResolvedValue(undefined);
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'phone', onsubmit, emailTo: 'ana@example.com', onsendemail });
    const body = screen.getByTestId('log-body');
    expect(screen.getByTestId('log-submit').textContent?.trim()).toBe('Log message');
    await fireEvent.input(body, { target: { value: 'Called: explained the refund' } });
    await fireEvent.keyDown(body, { key: 'Enter', ctrlKey: true });
    expect(onsubmit).toHaveBeenCalledWith(expect.objectContaining({ channel: 'phone' }));
    expect(onsendemail).not.toHaveBeenCalled();

    await fireEvent.input(body, { target: { value: 'Hi Ana, as promised on the phone…' } });
    await fireEvent.click(screen.getByTestId('composer-send-email'));
    expect(onsendemail).toHaveBeenCalledWith('Hi Ana, as promised on the phone…', null);
    expect(onsubmit).toHaveBeenCalledTimes(1);
  });

  it('offers no email for a note', async () => {
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit: vi.fn(), emailTo: 'ana@example.com', onsendemail: vi.fn() });
    await fireEvent.change(screen.getByTestId('log-direction'), { target: { value: 'note' } });
    expect(screen.queryByTestId('composer-send-email')).toBeNull();
    expect(screen.getByTestId('log-submit').textContent?.trim()).toBe('Add note');
  });

  it('points to Settings when the mail account is not set up', () => {
    render(Composer, { contactName: 'Ana Costa', defaultChannel: 'email', onsubmit: vi.fn(), mailHint: 'setup' });
    const hint = screen.getByTestId('composer-mail-hint');
    expect(hint.textContent?.trim()).toBe('Set up your mail account to send emails from Shopdesk.');
    expect(hint.querySelector('a')?.getAttribute('href')).toBe('#/settings');
    expect(screen.queryByTestId('composer-send-email')).toBeNull();
  });
});
