import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { listContacts: vi.fn() } };
});

import { IpcFailure, ipc } from '../ipc';
import MergeContact from './MergeContact.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;
const ana = { id: 'ana', name: 'Ana Costa', emails: ['ana@example.com'], phones: [], open_cases: 1, total_cases: 2 };
const ana2 = { id: 'ana2', name: 'A. Costa', emails: ['costa.a@example.org'], phones: ['+351912345678'], open_cases: 1, total_cases: 1 };

describe('MergeContact', () => {
  beforeEach(() => {
    mocked.listContacts.mockReset().mockResolvedValue([ana, ana2]);
  });

  it('finds the other contact, leaving out this one, and merges it after confirming', async () => {
    const onmerge = vi.fn().mockResolvedValue(undefined);
    render(MergeContact, { keep: { id: 'ana', name: 'Ana Costa' }, onmerge });
    await fireEvent.click(screen.getByTestId('contact-merge-start'));
    await fireEvent.input(screen.getByTestId('contact-merge-query'), { target: { value: 'costa' } });
    await waitFor(() => expect(screen.getAllByTestId('contact-merge-pick')).toHaveLength(1));
    expect(mocked.listContacts).toHaveBeenCalledWith('costa');
    const pick = screen.getByTestId('contact-merge-pick');
    expect(pick.textContent?.replace(/\s+/g, ' ').trim()).toBe('A. Costa costa.a@example.org, +351912345678 · 1 case');
    await fireEvent.click(pick);
    expect(screen.getByTestId('contact-merge-confirm-text').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      "Merge A. Costa into Ana Costa? A. Costa's 1 case, emails and phones move to Ana Costa.",
    );
    expect(onmerge).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('contact-merge-confirm'));
    expect(onmerge).toHaveBeenCalledWith('ana2');
    await waitFor(() => expect(screen.queryByTestId('contact-merge-form')).toBeNull());
  });

  it('says when no other contact matches', async () => {
    mocked.listContacts.mockResolvedValue([ana]);
    render(MergeContact, { keep: { id: 'ana', name: 'Ana Costa' }, onmerge: vi.fn() });
    await fireEvent.click(screen.getByTestId('contact-merge-start'));
    await fireEvent.input(screen.getByTestId('contact-merge-query'), { target: { value: 'ana' } });
    expect(await screen.findByTestId('contact-merge-none')).toBeTruthy();
  });

  it("shows the core's refusal and stays open", async () => {
    const onmerge = vi.fn().mockRejectedValue(new IpcFailure('invalid_input', "A contact can't be merged into itself"));
    render(MergeContact, { keep: { id: 'ana', name: 'Ana Costa' }, onmerge });
    await fireEvent.click(screen.getByTestId('contact-merge-start'));
    await fireEvent.input(screen.getByTestId('contact-merge-query'), { target: { value: 'costa' } });
    await fireEvent.click(await screen.findByTestId('contact-merge-pick'));
    await fireEvent.click(screen.getByTestId('contact-merge-confirm'));
    expect((await screen.findByTestId('form-error')).textContent).toBe("A contact can't be merged into itself");
    expect(screen.getByTestId('contact-merge-form')).toBeTruthy();
  });
});
