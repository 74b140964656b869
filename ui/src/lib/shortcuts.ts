// Keyboard shortcuts: which key does what, and the rule that keys typed into a field are text,
// never commands. The overlay (`?`) lists SHORTCUTS, so the list and the behaviour stay together.

export type ShortcutAction =
  | 'go-queue'
  | 'go-contacts'
  | 'go-outbox'
  | 'new-case'
  | 'focus-search'
  | 'help'
  | 'next'
  | 'prev'
  | 'open'
  | 'escape'
  // On a case:
  | 'reply'
  | 'note'
  | 'log-call'
  | 'solve'
  | 'remind';

/** The shortcuts that act on the open case; the case screen carries them out. */
export type CaseAction = Extract<ShortcutAction, 'reply' | 'note' | 'log-call' | 'solve' | 'remind'>;

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

export const SHORTCUTS: { keys: string[][]; description: string }[] = [
  { keys: [['g', 'q'], ['1']], description: 'Go to the queue' },
  { keys: [['g', 'c'], ['2']], description: 'Go to contacts' },
  { keys: [['g', 'o']], description: 'Go to the outbox (emails waiting or not sent)' },
  { keys: [['n']], description: 'New case (on a case: write an internal note)' },
  { keys: [['Ctrl', 'K'], ['⌘', 'K']], description: 'Search everything (cases, messages, contacts), or go anywhere: New case, Settings…' },
  { keys: [['/']], description: 'Search: the list on screen (contacts), or everything' },
  { keys: [['j'], ['k']], description: 'Next / previous case in the queue' },
  { keys: [['Enter']], description: 'Open the selected case' },
  { keys: [['r']], description: 'On a case: reply to the customer' },
  { keys: [['l']], description: 'On a case: log a phone call' },
  { keys: [['e']], description: 'On a case: solve it' },
  { keys: [['s']], description: 'On a case: remind me later (choose when)' },
  { keys: [['Ctrl', 'Enter']], description: 'Send / save what you are writing' },
  { keys: [['/']], description: 'In an empty reply on a case: insert a saved reply' },
  { keys: [['?']], description: 'Show this list' },
  { keys: [['Esc']], description: 'Close this list or the search' },
];

/** True when a key press belongs to a field the user is typing in. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
    return !['button', 'submit', 'reset', 'checkbox', 'radio'].includes(type);
  }
  return el.isContentEditable === true;
}

/**
 * Maps a key press to an action. `pending` is the first key of a two-key chord ("g") if one
 * was pressed just before; the result says which action fired (if any) and what is pending now.
 * `onCase`: a case is open, so r, n, l, e and s act on it ("n" is a note there, not a new case).
 */
export function matchShortcut(
  e: KeyLike,
  pending: string | null,
  onCase = false,
): { action: ShortcutAction | null; pending: string | null } {
  if (e.ctrlKey || e.metaKey || e.altKey) return { action: null, pending: null };
  if (pending === 'g') {
    if (e.key === 'q') return { action: 'go-queue', pending: null };
    if (e.key === 'c') return { action: 'go-contacts', pending: null };
    if (e.key === 'o') return { action: 'go-outbox', pending: null };
    if (e.key === 'n') return { action: 'new-case', pending: null };
    return { action: null, pending: null };
  }
  if (onCase) {
    const onThisCase: Record<string, CaseAction> = { r: 'reply', n: 'note', l: 'log-call', e: 'solve', s: 'remind' };
    if (e.key in onThisCase) return { action: onThisCase[e.key], pending: null };
  }
  switch (e.key) {
    case 'g':
      return { action: null, pending: 'g' };
    case '1':
      return { action: 'go-queue', pending: null };
    case '2':
      return { action: 'go-contacts', pending: null };
    case 'n':
      return { action: 'new-case', pending: null };
    case '/':
      return { action: 'focus-search', pending: null };
    case '?':
      return { action: 'help', pending: null };
    case 'j':
      return { action: 'next', pending: null };
    case 'k':
      return { action: 'prev', pending: null };
    case 'Enter':
      return { action: 'open', pending: null };
    case 'Escape':
      return { action: 'escape', pending: null };
    default:
      return { action: null, pending: null };
  }
}

/** Ctrl+K (Cmd+K on a Mac) opens the search palette, even while typing in a field. */
export function isPaletteChord(e: KeyLike): boolean {
  return e.key.toLowerCase() === 'k' && (e.ctrlKey === true || e.metaKey === true) && e.altKey !== true;
}

/** Ctrl+Enter (Cmd+Enter on a Mac) submits the form a textarea belongs to. */
export function isSubmitChord(e: KeyLike): boolean {
  return e.key === 'Enter' && (e.ctrlKey === true || e.metaKey === true);
}
