import { describe, expect, it } from 'vitest';
import { snippetParts, snippetText } from './snippet';

describe('snippetParts', () => {
  it('splits on the start and end marks', () => {
    expect(snippetParts('the \u0002parcel\u0003 has not \u0002arrived\u0003 yet')).toEqual([
      { text: 'the ', match: false },
      { text: 'parcel', match: true },
      { text: ' has not ', match: false },
      { text: 'arrived', match: true },
      { text: ' yet', match: false },
    ]);
  });

  it('handles a match at either end and text without marks', () => {
    expect(snippetParts('\u0002Mug\u0003 broken')).toEqual([
      { text: 'Mug', match: true },
      { text: ' broken', match: false },
    ]);
    expect(snippetParts('no marks here')).toEqual([{ text: 'no marks here', match: false }]);
    expect(snippetParts('')).toEqual([]);
  });

  it('joins neighbouring matches and drops empty ones', () => {
    expect(snippetParts('\u0002tea\u0003\u0002pot\u0003\u0002\u0003!')).toEqual([
      { text: 'teapot', match: true },
      { text: '!', match: false },
    ]);
  });

  it('is lenient with unbalanced marks', () => {
    expect(snippetParts('a \u0002b c')).toEqual([
      { text: 'a ', match: false },
      { text: 'b c', match: true },
    ]);
    expect(snippetParts('a\u0003 b')).toEqual([{ text: 'a b', match: false }]);
  });

  it('keeps markup as text', () => {
    expect(snippetParts('<b>\u0002<script>\u0003</b>')).toEqual([
      { text: '<b>', match: false },
      { text: '<script>', match: true },
      { text: '</b>', match: false },
    ]);
  });

  it('keeps characters outside the BMP whole', () => {
    expect(snippetParts('🎉\u0002ok\u0003')).toEqual([
      { text: '🎉', match: false },
      { text: 'ok', match: true },
    ]);
  });
});

describe('snippetText', () => {
  it('removes the marks', () => {
    expect(snippetText('a \u0002b\u0003 c')).toBe('a b c');
  });
});
