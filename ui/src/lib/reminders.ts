// Reminders are things the shop owes a customer who is not waiting for an answer: a status note
// while a third party is slow, or a follow-up when the customer has gone quiet.
import { formatDuration } from './duration';
import type { Alert } from './types';

export function reminderText(reminder: Alert): string {
  const silent = formatDuration(reminder.waiting_secs);
  return reminder.threshold === 'keep_posted'
    ? `send a status note · no news for ${silent}`
    : `follow up · no answer for ${silent}`;
}
