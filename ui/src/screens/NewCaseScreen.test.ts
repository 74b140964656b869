import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return { ...real, ipc: { listContacts: vi.fn(), openCase: vi.fn(), getContact: vi.fn() } };
});

import { IpcFailure, ipc } from '../lib/ipc';
import NewCaseScreen from './NewCaseScreen.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;
const ana = { id: 'ct_1', name: 'Ana Costa', emails: ['ana@example.com'], phones: [], open_cases: 0, total_cases: 0 };

describe('NewCaseScreen', () => {
  beforeEach(() => {
    mocked.listContacts.mockReset().mockResolvedValue([ana]);
    mocked.openCase.mockReset();
    location.hash = '#/new';
  });

  it('opens a case for a contact found by search, then shows the case', async () => {
    mocked.openCase.mockResolvedValue({ number: 1001 });
    render(NewCaseScreen);
    await fireEvent.input(screen.getByTestId('newcase-contact-search'), { target: { value: 'ana' } });
    await fireEvent.click(await screen.findByTestId('newcase-contact-option'));
    expect(mocked.listContacts).toHaveBeenCalledWith('ana');
    await fireEvent.input(screen.getByTestId('newcase-subject'), { target: { value: 'Parcel not arrived' } });
    await fireEvent.input(screen.getByTestId('newcase-body'), { target: { value: 'She phoned.' } });
    await fireEvent.click(screen.getByTestId('newcase-submit'));

    expect(mocked.openCase).toHaveBeenCalledWith({
      contact: { existing: 'ct_1' },
      subject: 'Parcel not arrived',
      priority: 'normal',
      category: 'other',
      first_message: {
        direction: 'from_customer',
        channel: 'phone',
        author: 'Ana Costa',
        body: 'She phoned.',
        happened_at: null,
      },
    });
    await vi.waitFor(() => expect(location.hash).toBe('#/case/1001'));
  });

  it("shows the core's refusal for a new contact and keeps every field", async () => {
    mocked.openCase.mockRejectedValue(new IpcFailure('invalid_input', '"12" is not a phone number.'));
    render(NewCaseScreen);
    await fireEvent.input(screen.getByTestId('newcase-new-contact-name'), { target: { value: 'Bruno Dias' } });
    await fireEvent.input(screen.getByTestId('newcase-new-contact-phone'), { target: { value: '12' } });
    await fireEvent.input(screen.getByTestId('newcase-subject'), { target: { value: 'Refund' } });
    await fireEvent.input(screen.getByTestId('newcase-body'), { target: { value: 'Wants a refund.' } });
    await fireEvent.click(screen.getByTestId('newcase-submit'));

    const error = await screen.findByTestId('form-error');
    expect(error.textContent).toBe('"12" is not a phone number.');
    expect(mocked.openCase.mock.calls[0][0].contact).toEqual({
      new: { name: 'Bruno Dias', emails: [], phones: ['12'], address: '', notes: '', tags: [] },
    });
    expect((screen.getByTestId('newcase-new-contact-phone') as HTMLInputElement).value).toBe('12');
    expect((screen.getByTestId('newcase-body') as HTMLTextAreaElement).value).toBe('Wants a refund.');
    expect(location.hash).toBe('#/new');
  });
});
