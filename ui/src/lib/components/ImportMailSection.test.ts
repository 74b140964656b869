import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tick } from 'svelte';

let progressHandler: ((p: { done: number; total: number }) => void) | null = null;

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return {
    ...real,
    ipc: { pickMail: vi.fn(), importMail: vi.fn(), stopImport: vi.fn() },
    events: {
      onImportProgress: vi.fn(async (h: (p: { done: number; total: number }) => void) => {
        progressHandler = h;
        return () => {};
      }),
    },
  };
});

import { IpcFailure, ipc } from '../ipc';
import ImportMailSection from './ImportMailSection.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

describe('ImportMailSection', () => {
  beforeEach(() => {
    progressHandler = null;
    mocked.pickMail.mockReset();
    mocked.importMail.mockReset();
    mocked.stopImport.mockReset().mockResolvedValue(undefined);
  });

  it('imports the picked files with a progress bar, then says what came in', async () => {
    mocked.pickMail.mockResolvedValue(['/home/shop/old.mbox']);
    let finish: (v: unknown) => void = () => {};
    mocked.importMail.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    render(ImportMailSection);
    await fireEvent.click(screen.getByTestId('import-mail-files'));
    await vi.waitFor(() => expect(mocked.importMail).toHaveBeenCalledWith(['/home/shop/old.mbox'], 30));
    expect(mocked.pickMail).toHaveBeenCalledWith(false);
    progressHandler?.({ done: 50, total: 200 });
    await tick();
    expect(screen.getByTestId('import-progress').textContent).toContain('50 of 200 emails');
    expect((screen.getByTestId('import-mail-folder') as HTMLButtonElement).disabled).toBe(true);
    finish({ stored: 200, duplicates: 0, new_cases: 120, new_contacts: 90, with_warnings: 0, closed_quiet: 0, stopped: false });
    await vi.waitFor(() =>
      expect(screen.getByTestId('import-result').textContent).toBe('Imported 200 emails; 120 new cases, 90 new contacts.'),
    );
    expect(screen.queryByTestId('import-progress')).toBeNull();
  });

  it('stops on request, keeping what came in', async () => {
    mocked.pickMail.mockResolvedValue(['/home/shop/old.mbox']);
    let finish: (v: unknown) => void = () => {};
    mocked.importMail.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    render(ImportMailSection);
    await fireEvent.click(screen.getByTestId('import-mail-files'));
    await vi.waitFor(() => expect(mocked.importMail).toHaveBeenCalled());
    progressHandler?.({ done: 2000, total: 9000 });
    await tick();
    const stop = screen.getByTestId('import-stop') as HTMLButtonElement;
    await fireEvent.click(stop);
    expect(mocked.stopImport).toHaveBeenCalledOnce();
    expect(stop.textContent).toBe('Stopping…');
    expect(stop.disabled).toBe(true);
    finish({ stored: 2000, duplicates: 0, new_cases: 500, new_contacts: 400, with_warnings: 0, closed_quiet: 0, stopped: true });
    await vi.waitFor(() => expect(screen.getByTestId('import-result').textContent).toMatch(/^Stopped\. Imported 2,000 emails/));
    expect(screen.queryByTestId('import-stop')).toBeNull();
  });

  it('closes long-quiet conversations unless the owner unticks it', async () => {
    mocked.pickMail.mockResolvedValue(['/home/shop/old.mbox']);
    mocked.importMail.mockResolvedValue({ stored: 3, duplicates: 0, new_cases: 2, new_contacts: 2, with_warnings: 0, closed_quiet: 0, stopped: false });
    render(ImportMailSection);
    const box = screen.getByTestId('import-close-quiet') as HTMLInputElement;
    expect(box.checked).toBe(true);
    await fireEvent.click(box);
    await fireEvent.click(screen.getByTestId('import-mail-files'));
    await vi.waitFor(() => expect(mocked.importMail).toHaveBeenCalledWith(['/home/shop/old.mbox'], null));
  });

  it('does nothing when the dialog is cancelled, and shows why an import failed', async () => {
    mocked.pickMail.mockResolvedValueOnce(null);
    render(ImportMailSection);
    await fireEvent.click(screen.getByTestId('import-mail-folder'));
    expect(mocked.pickMail).toHaveBeenCalledWith(true);
    expect(mocked.importMail).not.toHaveBeenCalled();

    mocked.pickMail.mockResolvedValueOnce(['/media/usb/mail']);
    mocked.importMail.mockRejectedValueOnce(new IpcFailure('invalid_input', 'Could not read /media/usb/mail: Permission denied'));
    await fireEvent.click(screen.getByTestId('import-mail-folder'));
    await vi.waitFor(() => expect(screen.getByText(/Permission denied/)).toBeTruthy());
    expect(screen.queryByTestId('import-result')).toBeNull();
  });
});
