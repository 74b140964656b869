import { describe, expect, it } from 'vitest';
import { draftToNewContact, looksLikeEmail, splitList, validateNewContact } from './contactInput';

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
