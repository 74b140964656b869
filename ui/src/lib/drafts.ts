// Unsent text survives a crash or a restart: the composer keeps its draft in localStorage,
// one key per case, and forgets it once the message is logged.
const PREFIX = 'shopdesk.draft.';

export interface Draft {
  body: string;
  direction?: string;
}

function store(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage can be disabled; drafts then live only in memory
  }
}

export function loadDraft(key: string): Draft | null {
  const raw = store()?.getItem(PREFIX + key);
  if (!raw) return null;
  try {
    const d = JSON.parse(raw) as unknown;
    if (d && typeof d === 'object' && typeof (d as Draft).body === 'string') return d as Draft;
  } catch {
    // a damaged draft is dropped below
  }
  store()?.removeItem(PREFIX + key);
  return null;
}

/** Saves the draft, or forgets it when there is nothing worth keeping. */
export function saveDraft(key: string, draft: Draft): void {
  const s = store();
  if (!s) return;
  try {
    if (draft.body.trim() === '') s.removeItem(PREFIX + key);
    else s.setItem(PREFIX + key, JSON.stringify(draft));
  } catch {
    // quota full: the draft stays on screen, just not on disk
  }
}

export function clearDraft(key: string): void {
  store()?.removeItem(PREFIX + key);
}
