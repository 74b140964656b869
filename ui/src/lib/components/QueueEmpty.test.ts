import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import QueueEmpty from './QueueEmpty.svelte';

describe('QueueEmpty', () => {
  it('leads a new shop to its mailbox and its past mail', () => {
    render(QueueEmpty, { isNew: true, loading: false, error: null, onloaddemo: vi.fn() });
    const connect = screen.getByTestId('welcome-connect-mail');
    expect(connect.getAttribute('href')).toBe('#/settings?section=mail');
    expect(screen.getByTestId('welcome-import-mail').getAttribute('href')).toBe('#/settings?section=import');
    expect(screen.getByTestId('welcome-mail').textContent).toContain("connect your shop's mailbox");
    expect(screen.getByTestId('load-demo')).toBeTruthy();
  });

  it('tells a shop with everything answered so, without the welcome', () => {
    render(QueueEmpty, { isNew: false, loading: false, error: null, onloaddemo: vi.fn() });
    expect(screen.getByRole('heading').textContent).toBe('Nobody is waiting');
    expect(screen.queryByTestId('welcome-mail')).toBeNull();
    expect(screen.queryByTestId('load-demo')).toBeNull();
  });
});
