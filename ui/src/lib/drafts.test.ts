import { beforeEach, describe, expect, it } from 'vitest';
import { clearDraft, loadDraft, saveDraft } from './drafts';

describe('drafts', () => {
  beforeEach(() => localStorage.clear());

  it('keeps a draft per key until it is cleared', () => {
    saveDraft('case.1001', { body: 'Called back', direction: 'from_shop' });
    saveDraft('case.1002', { body: 'Other' });
    expect(loadDraft('case.1001')).toEqual({ body: 'Called back', direction: 'from_shop' });
    expect(localStorage.getItem('shopdesk.draft.case.1001')).toBe('{"body":"Called back","direction":"from_shop"}');
    clearDraft('case.1001');
    expect(loadDraft('case.1001')).toBeNull();
    expect(loadDraft('case.1002')).toEqual({ body: 'Other' });
  });

  it('forgets an empty draft instead of storing it', () => {
    saveDraft('case.1001', { body: 'x' });
    saveDraft('case.1001', { body: '   ' });
    expect(localStorage.getItem('shopdesk.draft.case.1001')).toBeNull();
  });

  it('drops a damaged draft', () => {
    localStorage.setItem('shopdesk.draft.case.7', '{not json');
    expect(loadDraft('case.7')).toBeNull();
    expect(localStorage.getItem('shopdesk.draft.case.7')).toBeNull();
  });
});
