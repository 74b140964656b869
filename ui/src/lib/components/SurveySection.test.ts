import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return {
    ...real,
    ipc: {
      getSurveySettings: vi.fn(),
      setSurveySettings: vi.fn(),
      surveyAnswers: vi.fn(),
      setQuotable: vi.fn(),
    },
  };
});

import { IpcFailure, ipc } from '../ipc';
import type { SurveyAnswer, SurveySettings } from '../types';
import SurveySection from './SurveySection.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;
const STANDARD = 'Hello {customer.first_name}, how did we do, from 1 to 5?';
const off: SurveySettings = { enabled: false, days_after_solved: 3, period_days: 90, text: STANDARD, enabled_since: null, order_text: 'After the order' };
const answer = (n: number, rating: number, comment: string, quotable = false): SurveyAnswer => ({
  case_number: n,
  case_subject: `Case ${n}`,
  contact_id: `ct_${n}`,
  contact_name: n === 1001 ? 'Ana Costa' : 'Ben Okafor',
  asked_at: '2026-11-20T10:00:00Z',
  rating,
  comment,
  answered_at: '2026-11-21T10:00:00Z',
  quotable,
});

describe('Settings → Satisfaction checks', () => {
  beforeEach(() => {
    mocked.getSurveySettings.mockReset().mockResolvedValue(structuredClone(off));
    mocked.setSurveySettings.mockReset().mockImplementation(async (s: SurveySettings) => ({
      ...s,
      text: s.text.trim() === '' ? STANDARD : s.text,
      enabled_since: s.enabled ? '2026-11-25T09:00:00Z' : null,
    }));
    mocked.surveyAnswers.mockReset().mockImplementation(async (quotableOnly: boolean) =>
      [answer(1001, 5, 'Lovely service, thank you!', true), answer(1002, 3, 'OK in the end.')].filter((a) => !quotableOnly || a.quotable),
    );
    mocked.setQuotable.mockReset().mockResolvedValue(null);
  });

  it('turns the checks on with the days and the text, and the standard text comes back when emptied', async () => {
    render(SurveySection);
    const enabled = (await screen.findByTestId('survey-enabled')) as HTMLInputElement;
    expect(enabled.checked).toBe(false);
    expect((screen.getByTestId('survey-days-after') as HTMLInputElement).value).toBe('3');
    expect((screen.getByTestId('survey-text') as HTMLTextAreaElement).value).toBe(STANDARD);

    await fireEvent.click(enabled);
    await fireEvent.input(screen.getByTestId('survey-days-after'), { target: { value: '5' } });
    await fireEvent.input(screen.getByTestId('survey-period-days'), { target: { value: '180' } });
    await fireEvent.click(screen.getByTestId('survey-text-reset'));
    expect((screen.getByTestId('survey-text') as HTMLTextAreaElement).value).toBe('');
    await fireEvent.click(screen.getByTestId('survey-save'));
    expect(mocked.setSurveySettings).toHaveBeenCalledWith({ enabled: true, days_after_solved: 5, period_days: 180, text: '', enabled_since: null, order_text: 'After the order', days_after_order: undefined });
    expect((await screen.findByTestId('survey-saved')).textContent).toContain('Solved cases get their satisfaction check');
    expect((screen.getByTestId('survey-text') as HTMLTextAreaElement).value).toBe(STANDARD);
    expect(screen.getByTestId('survey-since').textContent).toContain('cases solved before then are never asked about');
  });

  it('also asks after orders, with its own days and text, when turned on', async () => {
    render(SurveySection);
    await fireEvent.click(await screen.findByTestId('survey-enabled'));
    expect(screen.queryByTestId('survey-order-days')).toBeNull();
    await fireEvent.click(screen.getByTestId('survey-after-order'));
    expect((screen.getByTestId('survey-order-days') as HTMLInputElement).value).toBe('7');
    await fireEvent.input(screen.getByTestId('survey-order-days'), { target: { value: '10' } });
    await fireEvent.input(screen.getByTestId('survey-order-text'), { target: { value: 'How was order {order.ref}?' } });
    await fireEvent.click(screen.getByTestId('survey-save'));
    expect(mocked.setSurveySettings).toHaveBeenCalledWith(
      expect.objectContaining({ enabled: true, days_after_order: 10, order_text: 'How was order {order.ref}?' }),
    );
  });

  it('says what is wrong with the numbers, and shows the core refusal', async () => {
    mocked.setSurveySettings.mockRejectedValueOnce(new IpcFailure('invalid_input', 'Pick up to 365 days after the case, and a period of up to 10 years'));
    render(SurveySection);
    const period = await screen.findByTestId('survey-period-days');
    await fireEvent.input(period, { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('survey-save'));
    expect((await screen.findByTestId('form-error')).textContent).toContain('at most once');
    expect(mocked.setSurveySettings).not.toHaveBeenCalled();
    await fireEvent.input(period, { target: { value: '90' } });
    await fireEvent.input(screen.getByTestId('survey-days-after'), { target: { value: '400' } });
    await fireEvent.click(screen.getByTestId('survey-save'));
    await vi.waitFor(() => expect(screen.getByTestId('form-error').textContent).toContain('Pick up to 365 days'));
  });

  it('lists the answers with rating, customer, case and comment; marks a comment quotable', async () => {
    render(SurveySection);
    const rows = await screen.findAllByTestId('survey-answer');
    expect(rows.map((r) => r.getAttribute('data-case-number'))).toEqual(['1001', '1002']);
    expect(rows[0].querySelector('[data-testid="survey-answer-rating"]')!.textContent).toContain('5/5');
    expect(rows[0].textContent).toContain('Ana Costa');
    expect(rows[0].querySelector('[data-testid="survey-answer-case"]')!.getAttribute('href')).toBe('#/case/1001');
    expect(rows[0].querySelector('[data-testid="survey-answer-comment"]')!.textContent).toBe('Lovely service, thank you!');
    expect(screen.getByTestId('survey-average').textContent).toBe('2 answers, average 4.0/5');

    const toggles = screen.getAllByTestId('quotable-toggle') as HTMLInputElement[];
    expect(toggles.map((t) => t.checked)).toEqual([true, false]);
    await fireEvent.click(toggles[1]);
    expect(mocked.setQuotable).toHaveBeenCalledWith(1002, true);
    await vi.waitFor(() => expect((screen.getAllByTestId('quotable-toggle') as HTMLInputElement[])[1].checked).toBe(true));

    mocked.setQuotable.mockRejectedValueOnce(new IpcFailure('not_found', 'There is no case #1001.'));
    await fireEvent.click(toggles[0]);
    expect((await screen.findByTestId('form-error')).textContent).toBe('There is no case #1001.');
  });

  it('shows only the quotable comments on request', async () => {
    render(SurveySection);
    await screen.findAllByTestId('survey-answer');
    await fireEvent.click(screen.getByTestId('survey-quotable-only'));
    expect(mocked.surveyAnswers).toHaveBeenLastCalledWith(true);
    await vi.waitFor(() => expect(screen.getAllByTestId('survey-answer').length).toBe(1));
  });

  it('says when there are no answers yet', async () => {
    mocked.surveyAnswers.mockReset().mockResolvedValue([]);
    render(SurveySection);
    expect((await screen.findByTestId('survey-answers-empty')).textContent?.trim()).toBe('No answers yet.');
  });
});
