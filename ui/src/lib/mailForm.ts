// The mail account form: what it holds while being edited, the usual port for each kind of
// security, and turning the form back into the core's MailAccount (the core checks the rest and
// says what is wrong in words).
import type { MailAccount, MailAccountView, Security } from './types';

export type Server = 'smtp' | 'imap';

/** The port a mail server usually listens on for each kind of connection security. */
export const DEFAULT_PORT: Record<Server, Record<Security, number>> = {
  smtp: { starttls: 587, tls: 465, none: 25 },
  imap: { tls: 993, starttls: 143, none: 143 },
};

export const SECURITY_OPTIONS: { value: Security; label: string }[] = [
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'tls', label: 'TLS' },
  { value: 'none', label: 'None (only for a server on this computer)' },
];

/**
 * The port after the security changes: the new usual port when the old one was the usual port
 * for the old security (or empty), otherwise what the owner typed stays.
 */
export function portAfterSecurity(
  server: Server,
  from: Security,
  to: Security,
  port: number | null | undefined,
): number | null {
  if (port == null || port === DEFAULT_PORT[server][from]) return DEFAULT_PORT[server][to];
  return port;
}

export interface MailForm extends Omit<MailAccount, 'smtp_port' | 'imap_port' | 'poll_minutes'> {
  /** null while the number input is empty. */
  smtp_port: number | null;
  imap_port: number | null;
  poll_minutes: number | null;
  /** Typed here only to change it; empty keeps the saved one. */
  password: string;
  /** "Forget the saved password" was chosen. */
  forgetPassword: boolean;
}

export function toMailForm(view: MailAccountView): MailForm {
  // Every field is a plain value, so a spread copies it (also out of a Svelte state proxy).
  return { ...view.account, password: '', forgetPassword: false };
}

export type MailFormResult =
  | { error: string; account?: undefined; password?: undefined }
  | { error: null; account: MailAccount; password: string | null };

// Number inputs give null or undefined while empty.
const isPort = (n: number | null | undefined): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/** The account and the password argument for set_mail_account, or what to fix first. */
export function fromMailForm(form: MailForm): MailFormResult {
  if (!isPort(form.smtp_port)) return { error: 'The SMTP port must be a number from 1 to 65535 (usually 587).' };
  if (form.imap_host.trim() !== '' && !isPort(form.imap_port)) {
    return { error: 'The IMAP port must be a number from 1 to 65535 (usually 993).' };
  }
  const poll = form.poll_minutes;
  if (typeof poll !== 'number' || !Number.isInteger(poll) || poll < 1) {
    return { error: 'Check for new mail every whole number of minutes, at least 1.' };
  }
  const { password, forgetPassword, ...rest } = form;
  const account: MailAccount = {
    ...rest,
    from_name: rest.from_name.trim(),
    from_address: rest.from_address.trim(),
    username: rest.username.trim(),
    smtp_host: rest.smtp_host.trim(),
    smtp_port: form.smtp_port,
    imap_host: rest.imap_host.trim(),
    imap_port: isPort(form.imap_port) ? form.imap_port : DEFAULT_PORT.imap[form.imap_security],
    imap_folder: rest.imap_folder.trim() || 'INBOX',
    poll_minutes: poll,
  };
  // null keeps the keychain's password; '' removes it.
  const pw = password !== '' ? password : forgetPassword ? '' : null;
  return { error: null, account, password: pw };
}
