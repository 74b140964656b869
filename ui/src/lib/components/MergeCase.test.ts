import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { mergeCases: vi.fn() } };
});

import { IpcFailure, ipc } from '../ipc';
import MergeCase from './MergeCase.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;

describe('MergeCase', () => {
  beforeEach(() => mocked.mergeCases.mockReset());

  it('merges with the case typed (with or without #) and says which number stayed', async () => {
    mocked.mergeCases.mockResolvedValue({ number: 1003 });
    const onmerged = vi.fn();
    render(MergeCase, { number: 1007, onmerged });
    await fireEvent.click(screen.getByTestId('merge-start'));
    await fireEvent.input(screen.getByTestId('merge-other'), { target: { value: ' #1003 ' } });
    await fireEvent.click(screen.getByTestId('merge-confirm'));
    await vi.waitFor(() => expect(onmerged).toHaveBeenCalledWith(1003));
    expect(mocked.mergeCases).toHaveBeenCalledWith(1007, 1003);
    expect(screen.queryByTestId('merge-form')).toBeNull();
  });

  it('asks for a number, and shows why the core refused', async () => {
    const onmerged = vi.fn();
    render(MergeCase, { number: 1007, onmerged });
    await fireEvent.click(screen.getByTestId('merge-start'));
    await fireEvent.input(screen.getByTestId('merge-other'), { target: { value: 'Ana' } });
    await fireEvent.click(screen.getByTestId('merge-confirm'));
    expect(screen.getByTestId('form-error').textContent).toContain('number of the other case');
    expect(mocked.mergeCases).not.toHaveBeenCalled();

    mocked.mergeCases.mockRejectedValueOnce(new IpcFailure('invalid_input', 'Case #1002 was merged into #1001; work on #1001 instead'));
    await fireEvent.input(screen.getByTestId('merge-other'), { target: { value: '1002' } });
    await fireEvent.click(screen.getByTestId('merge-confirm'));
    await vi.waitFor(() => expect(screen.getByTestId('form-error').textContent).toContain('work on #1001 instead'));
    expect(onmerged).not.toHaveBeenCalled();
  });
});
