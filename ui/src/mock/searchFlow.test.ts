// Search against the dev mock backend: ipc.ts's command name and arguments, the mock's matching
// and marks, and the palette on top of them.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import SearchPalette from '../lib/components/SearchPalette.svelte';
import { ipc } from '../lib/ipc';
import { snippetParts } from '../lib/snippet';
import { installMockBackend } from './devBackend';

beforeAll(async () => {
  installMockBackend();
  await ipc.loadDemo();
});

describe('search against the dev mock', () => {
  it('finds words in messages, case-insensitively, with the matches marked', async () => {
    const found = await ipc.search('PARCEL arrived', null);
    expect(found.jump).toBeNull();
    const message = found.hits.find((h) => h.direction === 'from_customer');
    expect(message).toMatchObject({ case_number: 1001, contact_name: 'Ana Costa', channel: 'email' });
    const marked = snippetParts(message!.snippet).filter((p) => p.match).map((p) => p.text.toLowerCase());
    expect(marked).toEqual(expect.arrayContaining(['parcel', 'arrived']));
    // The subject matched too: a case hit, first.
    expect(found.hits[0]).toMatchObject({ case_number: 1001, direction: null, channel: null });
  });

  it('jumps to a case by number or order reference and to a contact by email or phone', async () => {
    expect((await ipc.search('#1002', null)).jump).toEqual({ type: 'case', number: 1002 });
    expect((await ipc.search('10482', null)).jump).toEqual({ type: 'case', number: 1001 });
    const byEmail = await ipc.search('Ana.Costa@example.com', null);
    expect(byEmail.jump).toMatchObject({ type: 'contact' });
    expect(byEmail.contacts.map((c) => c.name)).toEqual(['Ana Costa']);
    expect((await ipc.search('+351912345678', null)).jump).toMatchObject({ type: 'contact' });
    expect((await ipc.search('#9999', null)).jump).toBeNull();
  });

  it('narrows cases and messages by status and channel', async () => {
    expect((await ipc.search('invoice', null)).hits.length).toBeGreaterThan(0);
    expect((await ipc.search('invoice', { status: 'open', channel: null, category: null, tag: null, since: null, until: null })).hits).toEqual([]);
    expect((await ipc.search('invoice', { status: 'solved', channel: 'email', category: null, tag: null, since: null, until: null })).hits.length).toBeGreaterThan(0);
  });

  it('opens what the palette found', async () => {
    render(SearchPalette, { onclose: () => {} });
    await fireEvent.input(screen.getByTestId('search-input'), { target: { value: 'mug' } });
    const hit = await screen.findAllByTestId('search-hit', {}, { timeout: 2000 });
    expect(hit[0].getAttribute('data-case-number')).toBe('1002');
    expect(hit[0].querySelector('mark')?.textContent?.toLowerCase()).toBe('mug');
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'Enter' });
    await vi.waitFor(() => expect(location.hash).toBe('#/case/1002'));
  });

  it('opens from Ctrl+K (even in a field), Cmd+K, / and the rail, and Escape closes it', async () => {
    location.hash = '#/queue';
    render(App);
    expect(screen.queryByTestId('search-palette')).toBeNull();
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    expect(screen.getByTestId('search-palette')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId('search-input'));
    // Shortcuts are text while the palette is open.
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'n' });
    expect(location.hash).toBe('#/queue');
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'Escape' });
    expect(screen.queryByTestId('search-palette')).toBeNull();

    await fireEvent.keyDown(document.body, { key: 'k', metaKey: true });
    expect(screen.getByTestId('search-palette')).toBeTruthy();
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'k', ctrlKey: true });
    expect(screen.queryByTestId('search-palette')).toBeNull();

    await fireEvent.keyDown(document.body, { key: '/' });
    expect(screen.getByTestId('search-palette')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('search-palette').parentElement!);
    expect(screen.queryByTestId('search-palette')).toBeNull();

    await fireEvent.click(screen.getByTestId('nav-search'));
    expect(screen.getByTestId('search-palette')).toBeTruthy();
  });

  it('/ on the contacts screen still focuses its own search field', async () => {
    location.hash = '#/contacts';
    render(App);
    const field = await screen.findByTestId('contacts-search');
    await fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(field);
    expect(screen.queryByTestId('search-palette')).toBeNull();
  });
});
