import { describe, expect, it } from 'vitest';
import { filterReplies, insertReply, missingSource, missingText, placeholdersIn } from './savedReplies';
import type { SavedReply } from './types';

describe('placeholdersIn', () => {
  it('finds known placeholders once each, in order, as the core does', () => {
    expect(placeholdersIn('{smile} {order.ref} {order.ref} { case.number } and an open { brace')).toEqual([
      'order.ref',
      'case.number',
    ]);
  });
  it('knows only the names it is given', () => {
    expect(placeholdersIn('{order.ref} {shop.name}', ['shop.name'])).toEqual(['shop.name']);
    expect(placeholdersIn('Hello Ana, all done.')).toEqual([]);
  });
});

describe('missingText', () => {
  it('names what to fill in, in words and as written', () => {
    expect(missingText([])).toBeNull();
    expect(missingText(['order.ref'])).toBe('Fill in the order number ({order.ref}) before sending.');
    expect(missingText(['order.ref', 'tracking.ref', 'shop.name'])).toBe(
      "Fill in the order number ({order.ref}), the tracking number ({tracking.ref}) and your shop's name ({shop.name}) before sending.",
    );
    expect(missingText(['something.new'])).toBe('Fill in something.new ({something.new}) before sending.');
  });
  it('says where to set a value once, when there is such a place', () => {
    expect(missingSource(['order.ref'])).toBe("Or set the case's order number and insert the reply again.");
    expect(missingSource(['case.number'])).toBeNull();
  });
});

describe('insertReply', () => {
  it('replaces an empty composer or the reply inserted last, unchanged', () => {
    expect(insertReply('', 'Hello Ana', null, null)).toEqual({ body: 'Hello Ana', cursor: 9 });
    expect(insertReply('  \n', 'Hello Ana', null, null).body).toBe('Hello Ana');
    expect(insertReply('Hello {order.ref}', 'Hello 1187', 'Hello {order.ref}', { start: 0, end: 0 }).body).toBe('Hello 1187');
  });
  it('otherwise inserts at the cursor, so nothing typed is lost', () => {
    expect(insertReply('Hi Ana,\n', 'The refund went out.', null, { start: 8, end: 8 })).toEqual({
      body: 'Hi Ana,\nThe refund went out.',
      cursor: 28,
    });
    expect(insertReply('Hi Ana, thanks', 'More text', 'Hi Ana', null).body).toBe('Hi Ana, thanks\n\nMore text');
  });
});

describe('filterReplies', () => {
  const r = (title: string, body: string): SavedReply => ({ id: title, title, body, position: 0, updated_at: '' });
  const list = [r('Payment declined', 'the card was declined'), r('Refund policy', 'return within 30 days'), r('Still working', 'no news, refund soon')];
  it('matches every word typed, titles before texts', () => {
    expect(filterReplies(list, '').map((x) => x.title)).toEqual(['Payment declined', 'Refund policy', 'Still working']);
    expect(filterReplies(list, 'refund').map((x) => x.title)).toEqual(['Refund policy', 'Still working']);
    expect(filterReplies(list, 'PAY dec').map((x) => x.title)).toEqual(['Payment declined']);
    expect(filterReplies(list, 'nothing')).toEqual([]);
  });
});
