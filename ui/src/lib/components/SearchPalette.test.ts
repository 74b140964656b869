import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return { ...real, ipc: { search: vi.fn() } };
});

import { IpcFailure, ipc } from '../ipc';
import type { SearchHit, SearchResults } from '../types';
import SearchPalette from './SearchPalette.svelte';

const search = (ipc as unknown as { search: ReturnType<typeof vi.fn> }).search;

const hit = (n: number, snippet: string, extra: Partial<SearchHit> = {}): SearchHit => ({
  case_number: n,
  case_subject: `Case ${n}`,
  case_status: 'open',
  contact_name: 'Ana Costa',
  direction: 'from_customer',
  channel: 'email',
  at: '2026-01-05T10:00:00Z',
  snippet,
  ...extra,
});
const ana = { id: 'ct_1', name: 'Ana Costa', emails: ['ana@example.com'], phones: [], open_cases: 1, total_cases: 2 };
const none: SearchResults = { jump: null, contacts: [], hits: [] };

async function type(text: string) {
  const input = screen.getByTestId('search-input') as HTMLInputElement;
  await fireEvent.input(input, { target: { value: text } });
  return input;
}

describe('SearchPalette', () => {
  beforeEach(() => {
    search.mockReset().mockResolvedValue(none);
    location.hash = '#/queue';
  });

  it('starts with a hint and the input focused, asking nothing', () => {
    render(SearchPalette, { onclose: () => {} });
    expect(document.activeElement).toBe(screen.getByTestId('search-input'));
    expect(screen.getByTestId('search-hint').textContent).toContain('Search cases, messages and contacts');
    expect(search).not.toHaveBeenCalled();
  });

  it('asks the core once typing pauses and lists jump, contacts and hits in order', async () => {
    search.mockResolvedValue({
      jump: { type: 'case', number: 1042 },
      contacts: [ana],
      hits: [hit(1042, 'the \u0002parcel\u0003 never came', { case_subject: 'Parcel lost' }), hit(1001, 'x', { direction: null, channel: null })],
    } satisfies SearchResults);
    render(SearchPalette, { onclose: () => {} });
    await type('p');
    await type('parcel');
    await vi.waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(2));
    expect(search).toHaveBeenCalledTimes(1);
    expect(search).toHaveBeenCalledWith('parcel', null);

    const jump = screen.getByTestId('search-jump');
    expect(jump.textContent).toContain('Go to case #1042');
    expect(jump.textContent).toContain('Parcel lost');
    expect(screen.getByTestId('search-contact').textContent).toContain('Ana Costa');
    const [first, second] = screen.getAllByTestId('search-hit');
    expect(first.getAttribute('data-case-number')).toBe('1042');
    expect(first.textContent).toContain('#1042');
    expect(first.textContent).toContain('From customer · Email');
    const marks = first.querySelectorAll('mark');
    expect([...marks].map((m) => m.textContent)).toEqual(['parcel']);
    expect(first.querySelector('[data-testid="search-hit-snippet"]')!.textContent).toBe('the parcel never came');
    expect(second.textContent).toContain('Subject or reference');
    // The rows are in one list, jump first.
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options[0]).toBe(jump);
    expect(options[0].getAttribute('aria-selected')).toBe('true');
  });

  it('opens the selected row with Enter and moves with the arrow keys', async () => {
    const onclose = vi.fn();
    search.mockResolvedValue({ jump: { type: 'case', number: 1042 }, contacts: [ana], hits: [hit(1001, 'x')] });
    render(SearchPalette, { onclose });
    const input = await type('1042');
    await screen.findByTestId('search-jump');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(location.hash).toBe('#/case/1042');
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('Enter typed before the answer opens what the answer for the whole query puts first', async () => {
    const onclose = vi.fn();
    search.mockImplementation(async (query: string) =>
      query === '1042' ? { jump: { type: 'case', number: 1042 }, contacts: [], hits: [] } : { ...none, hits: [hit(1001, 'x')] },
    );
    render(SearchPalette, { onclose });
    const input = await type('10');
    await screen.findByTestId('search-hit'); // results for "10" on screen
    await type('1042');
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(location.hash).toBe('#/case/1042'));
    expect(search).toHaveBeenLastCalledWith('1042', null);
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('arrow keys reach contacts and hits, wrapping around', async () => {
    const onclose = vi.fn();
    search.mockResolvedValue({ jump: null, contacts: [ana], hits: [hit(1001, 'x')] });
    render(SearchPalette, { onclose });
    const input = await type('ana');
    await screen.findByTestId('search-hit');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getByTestId('search-hit').getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getByTestId('search-contact').getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(location.hash).toBe('#/contacts/ct_1');
    expect(onclose).toHaveBeenCalled();
  });

  it('a click opens a hit', async () => {
    search.mockResolvedValue({ jump: null, contacts: [], hits: [hit(1007, 'x')] });
    render(SearchPalette, { onclose: () => {} });
    await type('mug');
    await fireEvent.click(await screen.findByTestId('search-hit'));
    expect(location.hash).toBe('#/case/1007');
  });

  it('lists every command before anything is typed, and Enter goes there', async () => {
    const onclose = vi.fn();
    render(SearchPalette, { onclose });
    const commands = screen.getAllByTestId('search-command').map((el) => el.textContent?.trim());
    expect(commands).toContain('New case');
    expect(commands).toContain('Set up the mail account');
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'Enter' });
    expect(location.hash).toBe('#/new');
    expect(onclose).toHaveBeenCalledTimes(1);
    expect(search).not.toHaveBeenCalled();
  });

  it('a command typed opens with Enter when the search finds nothing else', async () => {
    const onclose = vi.fn();
    render(SearchPalette, { onclose });
    const input = await type('imap');
    expect(screen.getAllByTestId('search-command').map((el) => el.textContent?.trim())).toEqual(['Set up the mail account']);
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(location.hash).toBe('#/settings?section=mail'));
    expect(search).toHaveBeenLastCalledWith('imap', null);
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('a search stays a search: Enter opens what it found before a command of the same word', async () => {
    search.mockResolvedValue({ jump: null, contacts: [], hits: [hit(1009, 'my \u0002order\u0003 is late')] });
    render(SearchPalette, { onclose: () => {} });
    const input = await type('order');
    await fireEvent.keyDown(input, { key: 'Enter' });
    await vi.waitFor(() => expect(location.hash).toBe('#/case/1009'));
  });

  it('shows the matching commands below what the search finds, and says when it finds nothing', async () => {
    render(SearchPalette, { onclose: () => {} });
    await type('past mail');
    await screen.findByTestId('search-empty');
    expect(screen.getAllByTestId('search-command').map((el) => el.textContent?.trim())).toEqual(['Bring in past mail']);
    search.mockResolvedValue({ jump: null, contacts: [], hits: [hit(1001, 'the \u0002report\u0003')] });
    await type('report');
    await screen.findByTestId('search-hit');
    const rows = within(screen.getByRole('listbox')).getAllByRole('option').map((el) => el.getAttribute('data-testid'));
    expect(rows).toEqual(['search-hit', 'search-command']);
  });

  it('Escape closes', async () => {
    const onclose = vi.fn();
    render(SearchPalette, { onclose });
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
    expect(location.hash).toBe('#/queue');
  });

  it('says when nothing was found', async () => {
    render(SearchPalette, { onclose: () => {} });
    await type('zebra');
    expect((await screen.findByTestId('search-empty')).textContent).toBe('Nothing found for “zebra”');
  });

  it('never lets an older answer replace a newer one', async () => {
    let answerOld: (r: SearchResults) => void = () => {};
    search.mockImplementation((query: string) =>
      query === 'teap'
        ? new Promise<SearchResults>((resolve) => (answerOld = resolve))
        : Promise.resolve({ ...none, hits: [hit(1002, '\u0002teapot\u0003 cracked')] }),
    );
    render(SearchPalette, { onclose: () => {} });
    await type('teap');
    await vi.waitFor(() => expect(search).toHaveBeenCalledWith('teap', null));
    await type('teapot');
    await vi.waitFor(() => expect(screen.getByTestId('search-hit').getAttribute('data-case-number')).toBe('1002'));
    answerOld({ ...none, hits: [hit(1099, 'old')] });
    await new Promise((r) => setTimeout(r, 20));
    const hits = screen.getAllByTestId('search-hit');
    expect(hits.map((h) => h.getAttribute('data-case-number'))).toEqual(['1002']);
  });

  it('shows what a customer wrote as text, never as HTML', async () => {
    search.mockResolvedValue({
      ...none,
      hits: [hit(1003, 'hi <script>alert(1)</script> \u0002<img src=x onerror=alert(2)>\u0003', { case_subject: '<b>bold</b>' })],
    });
    render(SearchPalette, { onclose: () => {} });
    await type('script');
    const row = await screen.findByTestId('search-hit');
    expect(row.querySelector('script')).toBeNull();
    expect(row.querySelector('img')).toBeNull();
    expect(row.querySelector('b')).toBeNull();
    expect(row.textContent).toContain('<script>alert(1)</script>');
    expect(row.querySelector('mark')!.textContent).toBe('<img src=x onerror=alert(2)>');
    expect(row.textContent).toContain('<b>bold</b>');
  });

  it('passes the status and channel filters and asks again at once', async () => {
    render(SearchPalette, { onclose: () => {} });
    await type('mug');
    await vi.waitFor(() => expect(search).toHaveBeenCalledWith('mug', null));
    await fireEvent.change(screen.getByTestId('search-status'), { target: { value: 'solved' } });
    expect(search).toHaveBeenLastCalledWith('mug', { status: 'solved', channel: null, category: null, tag: null, since: null, until: null });
    await fireEvent.change(screen.getByTestId('search-channel'), { target: { value: 'phone' } });
    expect(search).toHaveBeenLastCalledWith('mug', { status: 'solved', channel: 'phone', category: null, tag: null, since: null, until: null });
    await fireEvent.change(screen.getByTestId('search-category'), { target: { value: 'delivery' } });
    await fireEvent.change(screen.getByTestId('search-period'), { target: { value: '30' } });
    await fireEvent.input(screen.getByTestId('search-tag'), { target: { value: 'wholesale' } });
    await vi.waitFor(() =>
      expect(search).toHaveBeenLastCalledWith('mug', expect.objectContaining({ category: 'delivery', tag: 'wholesale', since: expect.any(String) })),
    );
  });

  it("shows the core's refusal and keeps the query", async () => {
    search.mockRejectedValue(new IpcFailure('storage', 'The database file is locked by another program.'));
    render(SearchPalette, { onclose: () => {} });
    const input = await type('mug');
    expect((await screen.findByTestId('form-error')).textContent).toBe('The database file is locked by another program.');
    expect(input.value).toBe('mug');
  });

  it('clearing the query goes back to the hint and drops answers on their way', async () => {
    let answer: (r: SearchResults) => void = () => {};
    search.mockImplementation(() => new Promise<SearchResults>((resolve) => (answer = resolve)));
    render(SearchPalette, { onclose: () => {} });
    await type('mug');
    await vi.waitFor(() => expect(search).toHaveBeenCalled());
    await type('');
    answer({ ...none, hits: [hit(1001, 'x')] });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('search-hit')).toBeNull();
    expect(screen.getByTestId('search-hint')).toBeTruthy();
  });
});
