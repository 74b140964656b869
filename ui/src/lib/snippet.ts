// A search snippet as plain-text parts. The core puts the matched words between U+0002 and
// U+0003 (control characters no text contains); the palette shows the parts as text and the
// matches in <mark>, so nothing a customer wrote is ever read as HTML.

export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

export interface SnippetPart {
  text: string;
  match: boolean;
}

/**
 * Splits a snippet into parts, matched or not. Lenient: a start without an end runs to the end,
 * a stray end is dropped, empty parts vanish and neighbours of the same kind are joined.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const push = (text: string, match: boolean) => {
    if (text === '') return;
    const last = parts[parts.length - 1];
    if (last && last.match === match) last.text += text;
    else parts.push({ text, match });
  };
  let match = false;
  let text = '';
  for (const ch of snippet) {
    if (ch === MATCH_START || ch === MATCH_END) {
      push(text, match);
      text = '';
      match = ch === MATCH_START;
    } else {
      text += ch;
    }
  }
  push(text, match);
  return parts;
}

/** The snippet as plain text, marks removed (for labels and titles). */
export function snippetText(snippet: string): string {
  return snippet.replaceAll(MATCH_START, '').replaceAll(MATCH_END, '');
}
