import { describe, expect, it } from 'vitest';
import { SHORTCUTS, isPaletteChord, isSubmitChord, isTypingTarget, matchShortcut } from './shortcuts';

describe('matchShortcut', () => {
  const single: [string, string | null][] = [
    ['1', 'go-queue'],
    ['2', 'go-contacts'],
    ['n', 'new-case'],
    ['/', 'focus-search'],
    ['?', 'help'],
    ['j', 'next'],
    ['k', 'prev'],
    ['Enter', 'open'],
    ['Escape', 'escape'],
    ['x', null],
  ];
  it.each(single)('%s -> %s', (key, action) => {
    expect(matchShortcut({ key }, null)).toEqual({ action, pending: null });
  });

  it('on a case, r n l e s act on it, and n is a note rather than a new case', () => {
    const onCase: [string, string][] = [
      ['r', 'reply'],
      ['n', 'note'],
      ['l', 'log-call'],
      ['e', 'solve'],
      ['s', 'remind'],
      ['j', 'next'],
      ['?', 'help'],
    ];
    for (const [key, action] of onCase) expect(matchShortcut({ key }, null, true)).toEqual({ action, pending: null });
    for (const key of ['r', 'l', 'e', 's']) expect(matchShortcut({ key }, null).action).toBeNull();
    expect(matchShortcut({ key: 'n' }, 'g', true)).toEqual({ action: 'new-case', pending: null });
    expect(SHORTCUTS.some((s) => s.keys.some((k) => k.join('') === 'r') && /reply/.test(s.description))).toBe(true);
  });

  it('g waits for a second key', () => {
    expect(matchShortcut({ key: 'g' }, null)).toEqual({ action: null, pending: 'g' });
    expect(matchShortcut({ key: 'q' }, 'g')).toEqual({ action: 'go-queue', pending: null });
    expect(matchShortcut({ key: 'c' }, 'g')).toEqual({ action: 'go-contacts', pending: null });
    expect(matchShortcut({ key: 'o' }, 'g')).toEqual({ action: 'go-outbox', pending: null });
    expect(matchShortcut({ key: 'z' }, 'g')).toEqual({ action: null, pending: null });
  });

  it('leaves keys with Ctrl, Cmd or Alt to the webview', () => {
    expect(matchShortcut({ key: 'n', ctrlKey: true }, null).action).toBeNull();
    expect(matchShortcut({ key: 'k', metaKey: true }, null).action).toBeNull();
    expect(matchShortcut({ key: '1', altKey: true }, null).action).toBeNull();
  });
});

describe('isTypingTarget', () => {
  it('is true in text fields, textareas, selects and editable content', () => {
    const input = document.createElement('input');
    const search = Object.assign(document.createElement('input'), { type: 'search' });
    const area = document.createElement('textarea');
    const select = document.createElement('select');
    const editable = document.createElement('div');
    editable.contentEditable = 'true';
    // jsdom does not compute isContentEditable; the webview does.
    Object.defineProperty(editable, 'isContentEditable', { value: true });
    for (const el of [input, search, area, select, editable]) expect(isTypingTarget(el)).toBe(true);
  });
  it('is false on buttons, checkboxes, links and the page', () => {
    const button = document.createElement('button');
    const check = Object.assign(document.createElement('input'), { type: 'checkbox' });
    const link = document.createElement('a');
    for (const el of [button, check, link, document.body, null]) expect(isTypingTarget(el)).toBe(false);
  });
});

describe('isSubmitChord', () => {
  it('is Ctrl+Enter or Cmd+Enter only', () => {
    expect(isSubmitChord({ key: 'Enter', ctrlKey: true })).toBe(true);
    expect(isSubmitChord({ key: 'Enter', metaKey: true })).toBe(true);
    expect(isSubmitChord({ key: 'Enter' })).toBe(false);
    expect(isSubmitChord({ key: 'a', ctrlKey: true })).toBe(false);
  });
});

describe('isPaletteChord', () => {
  it('is Ctrl+K or Cmd+K, either case, without Alt', () => {
    expect(isPaletteChord({ key: 'k', ctrlKey: true })).toBe(true);
    expect(isPaletteChord({ key: 'K', metaKey: true })).toBe(true);
    expect(isPaletteChord({ key: 'k' })).toBe(false);
    expect(isPaletteChord({ key: 'k', ctrlKey: true, altKey: true })).toBe(false);
    expect(isPaletteChord({ key: 'j', ctrlKey: true })).toBe(false);
  });
  it('is listed in the ? overlay with /', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys.map((k) => k.join('+')));
    expect(keys).toContain('Ctrl+K');
    expect(keys).toContain('/');
  });
});
