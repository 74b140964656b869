// Saved replies and satisfaction checks against the dev mock backend: the real state modules,
// ipc.ts and Tauri's IPC mock, so command names and arguments are exercised end to end.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ipc } from '../lib/ipc';
import { mail } from '../lib/state/mail.svelte';
import CaseScreen from '../screens/CaseScreen.svelte';
import SavedRepliesSection from '../lib/components/SavedRepliesSection.svelte';
import SurveySection from '../lib/components/SurveySection.svelte';
import { installMockBackend } from './devBackend';

beforeAll(async () => {
  installMockBackend();
  await ipc.loadDemo();
  const { account } = await ipc.getMailAccount();
  await ipc.setMailAccount(
    { ...account, from_name: 'Costa Ceramics', from_address: 'shop@example.com', smtp_host: 'smtp.example.com', imap_host: 'imap.example.com' },
    'secret',
  );
  await mail.loadAccount();
});

async function pick(title: string) {
  await fireEvent.click(await screen.findByTestId('saved-replies-button'));
  const items = await screen.findAllByTestId('saved-reply-item');
  await fireEvent.click(items.find((i) => i.getAttribute('data-title') === title)!);
}

describe('saved replies against the dev mock', () => {
  it("fills the customer's name, names the missing order number until the case has one, and refuses to send it", async () => {
    render(CaseScreen, { number: 1002 }); // Ben Okafor, no order number on the case
    const body = (await screen.findByTestId('log-body')) as HTMLTextAreaElement;
    await pick('Replacement or refund (our fault)');
    await vi.waitFor(() => expect(body.value.startsWith('Hello Ben,')).toBe(true));
    expect(body.value).toContain('order {order.ref}');
    expect(body.value).toContain('Costa Ceramics');
    expect(screen.getByTestId('composer-missing').textContent).toContain('Fill in the order number ({order.ref}) before sending.');

    // Sending anyway: the core's refusal shows, the text stays.
    await fireEvent.change(screen.getByTestId('log-channel'), { target: { value: 'email' } });
    await fireEvent.click(screen.getByTestId('composer-send-email'));
    expect((await screen.findByTestId('form-error')).textContent).toBe(
      'Fill in {order.ref} before sending: the customer would see it as written',
    );
    expect(body.value).toContain('{order.ref}');

    await ipc.updateCase(1002, { order_ref: '10577' });
    await pick('Replacement or refund (our fault)');
    await vi.waitFor(() => expect(body.value).toContain('order 10577'));
    expect(screen.queryByTestId('composer-missing')).toBeNull();
  });

  it('a reply added in Settings is in the composer menu', async () => {
    render(SavedRepliesSection);
    await fireEvent.click(await screen.findByTestId('saved-reply-add'));
    await fireEvent.input(screen.getByTestId('saved-reply-title'), { target: { value: 'Glaze care' } });
    await fireEvent.input(screen.getByTestId('saved-reply-body'), { target: { value: 'Hi {customer.first_name}, hand wash only.' } });
    await fireEvent.click(screen.getByTestId('saved-reply-save'));
    await screen.findByText('Saved “Glaze care”.');
    expect((await ipc.savedReplies()).map((r) => r.title)).toContain('Glaze care');

    render(CaseScreen, { number: 1003 });
    await pick('Glaze care');
    await vi.waitFor(() => expect((screen.getByTestId('log-body') as HTMLTextAreaElement).value).toBe('Hi Chloé, hand wash only.'));
  });
});

describe('satisfaction checks against the dev mock', () => {
  it("shows the survey and the customer's rating on the solved case, and the answer in Settings", async () => {
    const answers = await ipc.surveyAnswers(false);
    expect(answers.length).toBeGreaterThan(0);
    const number = answers[0].case_number;
    render(CaseScreen, { number });
    expect((await screen.findByTestId('message-rating')).textContent).toContain(`Rated ${answers[0].rating}/5`);
    expect(screen.getByTestId('message-survey').textContent?.trim()).toBe('satisfaction check');

    render(SurveySection);
    const row = (await screen.findAllByTestId('survey-answer')).find((r) => r.getAttribute('data-case-number') === String(number))!;
    await fireEvent.click(row.querySelector('[data-testid="quotable-toggle"]')!);
    await vi.waitFor(async () => expect((await ipc.surveyAnswers(true)).map((a) => a.case_number)).toEqual([number]));
  });
});
