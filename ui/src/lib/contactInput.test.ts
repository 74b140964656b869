import { describe, expect, it } from 'vitest';
import { contactToDraft, draftToNewContact, looksLikeEmail, splitList, validateNewContact } from './contactInput';

describe('splitList', () => {
  it('splits on commas, semicolons and new lines and drops blanks', () => {
    expect(splitList(' a@x.com, b@y.com;;c@z.com\n ')).toEqual(['a@x.com', 'b@y.com', 'c@z.com']);
    expect(splitList('')).toEqual([]);
  });
});

describe('looksLikeEmail', () => {
  it.each([
    ['ana@example.com', true],
    ['Ana.Costa@Example.CO.UK', true],
    ['mailto:bo@mail.com', true],
    ['ana@', false],
    ['ana@example', false],
    ['ana costa@example.com', false],
    ['@example.com', false],
  ])('%s -> %s', (email, ok) => {
    expect(looksLikeEmail(email)).toBe(ok);
  });
});

describe('validateNewContact', () => {
  const base = { name: 'Ana', emails: '', phones: '', address: '', notes: '' };
  it('wants a name', () => {
    expect(validateNewContact(draftToNewContact({ ...base, name: '  ' }))).toBe('Give the contact a name.');
  });
  it('names the malformed email', () => {
    expect(validateNewContact(draftToNewContact({ ...base, emails: 'ana@x.com, ana@' }))).toContain('“ana@”');
  });
  it('passes a good draft and builds the NewContact', () => {
    const input = draftToNewContact({ ...base, emails: 'a@x.com,b@y.com', phones: '+351 912 345 678' });
    expect(validateNewContact(input)).toBeNull();
    expect(input).toEqual({
      name: 'Ana',
      emails: ['a@x.com', 'b@y.com'],
      phones: ['+351 912 345 678'],
      address: '',
      notes: '',
      tags: [],
    });
  });
});

describe('contactToDraft', () => {
  it('lists several emails and phones comma-separated and round-trips, keeping tags', () => {
    const contact = {
      id: 'ct_1',
      name: 'Ana Costa',
      emails: ['ana@example.com', 'ana@work.example'],
      phones: ['+351912345678'],
      address: 'Rua das Flores 12',
      notes: 'VIP',
      tags: ['vip'],
      created_at: '2026-11-25T10:00:00Z',
      updated_at: '2026-11-25T10:00:00Z',
    };
    const draft = contactToDraft(contact);
    expect(draft.emails).toBe('ana@example.com, ana@work.example');
    expect(draftToNewContact(draft, contact.tags)).toEqual({
      name: 'Ana Costa',
      emails: ['ana@example.com', 'ana@work.example'],
      phones: ['+351912345678'],
      address: 'Rua das Flores 12',
      notes: 'VIP',
      tags: ['vip'],
    });
  });
});
