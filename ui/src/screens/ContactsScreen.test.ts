import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../lib/ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/ipc')>();
  return {
    ...real,
    ipc: {
      listContacts: vi.fn(),
      createContact: vi.fn(),
      getContact: vi.fn(),
    },
  };
});

import { IpcFailure, ipc } from '../lib/ipc';
import ContactsScreen from './ContactsScreen.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

describe('ContactsScreen new-contact form', () => {
  beforeEach(() => {
    mocked.listContacts.mockReset().mockResolvedValue([]);
    mocked.createContact.mockReset();
  });

  it("shows the core's refusal next to the form and keeps what was typed", async () => {
    mocked.createContact.mockRejectedValue(
      new IpcFailure('conflict', 'Another contact (Ana Costa) already has the phone +351912345678.'),
    );
    render(ContactsScreen);
    await fireEvent.click(screen.getByTestId('new-contact'));
    const name = screen.getByTestId('contact-name') as HTMLInputElement;
    const phone = screen.getByTestId('contact-phone') as HTMLInputElement;
    await fireEvent.input(name, { target: { value: 'Bruno Dias' } });
    await fireEvent.input(phone, { target: { value: '+351 912 345 678' } });
    await fireEvent.click(screen.getByTestId('contact-save'));

    const error = await screen.findByTestId('form-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Another contact (Ana Costa) already has the phone +351912345678.');
    expect(mocked.createContact).toHaveBeenCalledWith({
      name: 'Bruno Dias',
      emails: [],
      phones: ['+351 912 345 678'],
      address: '',
      notes: '',
      tags: [],
    });
    expect(name.value).toBe('Bruno Dias');
    expect(phone.value).toBe('+351 912 345 678');
  });

  it('catches a missing name before asking the core', async () => {
    render(ContactsScreen);
    await fireEvent.click(screen.getByTestId('new-contact'));
    const email = screen.getByTestId('contact-email') as HTMLInputElement;
    await fireEvent.input(email, { target: { value: 'ana@example.com' } });
    await fireEvent.click(screen.getByTestId('contact-save'));
    await waitFor(() => expect(screen.getByTestId('form-error').textContent).toBe('Give the contact a name.'));
    expect(mocked.createContact).not.toHaveBeenCalled();
    expect(email.value).toBe('ana@example.com');
  });

  it('lists what the search finds', async () => {
    mocked.listContacts.mockResolvedValue([
      { id: 'ct_1', name: 'Ana Costa', emails: ['ana@example.com'], phones: [], open_cases: 1, total_cases: 2 },
    ]);
    render(ContactsScreen);
    const row = await screen.findByTestId('contact-row');
    expect(row.getAttribute('data-contact-id')).toBe('ct_1');
    expect(row.textContent).toContain('Ana Costa');
    expect(row.textContent).toContain('1 open');
  });
});
