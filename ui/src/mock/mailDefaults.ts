// A mail account with nothing set up yet (what the core's MailAccount::default() gives, with
// acknowledgements off), for unit tests and the dev-only mock: one copy, so a new field is added
// in one place.
import type { Delivery, MailAccount } from '../lib/types';

export function blankMailAccount(patch: Partial<MailAccount> = {}): MailAccount {
  return {
    from_name: '',
    from_address: '',
    username: '',
    smtp_host: '',
    smtp_port: 587,
    smtp_security: 'starttls',
    imap_host: '',
    imap_port: 993,
    imap_security: 'tls',
    imap_folder: 'INBOX',
    poll_minutes: 5,
    signature: '',
    acknowledge: false,
    acknowledgement_text: '',
    follow_up_text: 'Any news on {case}?',
    ...patch,
  };
}

/** A reply waiting in the outbox, for unit tests; `patch` moves it along. */
export function queuedDelivery(patch: Partial<Delivery> = {}): Delivery {
  return {
    state: 'queued',
    kind: 'reply',
    to: 'ana@example.com',
    subject: 'Re: Parcel [#1001]',
    next_attempt_at: '2026-11-26T08:00:00Z',
    scheduled: false,
    attempts: 0,
    last_error: null,
    sent_at: null,
    ...patch,
  };
}
