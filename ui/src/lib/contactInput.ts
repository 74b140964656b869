// Turning the contact form's text boxes into a NewContact, and the few checks worth making
// before asking the core (which has the final word and normalises emails and phones).
import type { Contact, NewContact } from './types';

/** "a@x.com, b@y.com;c@z.com" -> ["a@x.com", "b@y.com", "c@z.com"] */
export function splitList(value: string): string[] {
  return value
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Catches the obvious slips (no @, no dot in the domain, spaces); the core checks the rest. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim().replace(/^mailto:/i, ''));
}

export interface ContactDraft {
  name: string;
  emails: string;
  phones: string;
  address: string;
  notes: string;
}

export function emptyDraft(): ContactDraft {
  return { name: '', emails: '', phones: '', address: '', notes: '' };
}

export function draftToNewContact(d: ContactDraft, tags: string[] = []): NewContact {
  return {
    name: d.name.trim(),
    emails: splitList(d.emails),
    phones: splitList(d.phones),
    address: d.address.trim(),
    notes: d.notes.trim(),
    tags,
  };
}

/** The form's text boxes for editing an existing contact. */
export function contactToDraft(c: Contact): ContactDraft {
  return {
    name: c.name,
    emails: c.emails.join(', '),
    phones: c.phones.join(', '),
    address: c.address,
    notes: c.notes,
  };
}

/** A message for the form's error line, or null when the draft is worth sending to the core. */
export function validateNewContact(c: NewContact): string | null {
  if (c.name.trim() === '') return 'Give the contact a name.';
  const bad = c.emails.find((e) => !looksLikeEmail(e));
  if (bad !== undefined) return `“${bad}” doesn't look like an email address (like name@example.com).`;
  return null;
}
