// The shop's email: the account as the core has it, the outbox, the status line, and "Check mail".
// When the core says mail changed (sent, failed, arrived), everything on screen is fetched again.
import { fetchReportText } from '../delivery';
import { errorMessage, events, ipc } from '../ipc';
import type { FetchProgress, MailAccount, MailAccountView, MailStatus, Message, OutboxEntry } from '../types';
import { alerts } from './alerts.svelte';
import { openCase } from './case.svelte';
import { queue } from './queue.svelte';

const RESULT_SHOWN_MS = 2 * 60_000;
/** How often the queue is read again while a first look at the mailbox files batch after batch. */
const REFRESH_WHILE_FETCHING_MS = 3_000;

class MailState {
  account = $state<MailAccountView | null>(null);
  status = $state<MailStatus | null>(null);
  outbox = $state<OutboxEntry[] | null>(null);
  outboxError = $state<string | null>(null);
  loadError = $state<string | null>(null);
  fetching = $state(false);
  /** A first look at the mailbox under way (the worker's or Check mail's): emails of how many. */
  firstFetch = $state<FetchProgress | null>(null);
  /** What the last "Check mail" brought in, or why it failed. */
  fetchResult = $state<{ text: string; error: boolean } | null>(null);
  #off: (() => void) | null = null;
  #offProgress: (() => void) | null = null;
  #lastRefresh = 0;
  #resultTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #started = false;

  get canSend(): boolean {
    return this.account?.can_send ?? false;
  }

  /** Loads the account and status, and listens for the core's "mail-changed". */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    void this.loadAccount();
    void this.loadStatus();
    void events.onMailChanged(() => void this.changed()).then((off) => {
      if (this.#stopped) off();
      else this.#off = off;
    });
    void events.onFetchProgress((p) => this.fetchProgressed(p)).then((off) => {
      if (this.#stopped) off();
      else this.#offProgress = off;
    });
  }

  stop(): void {
    this.#started = false;
    this.#stopped = true;
    this.#off?.();
    this.#off = null;
    this.#offProgress?.();
    this.#offProgress = null;
  }

  /** A batch of a first look at the mailbox is filed: shown until the last one. */
  fetchProgressed(p: FetchProgress): void {
    this.firstFetch = p.total > 0 && p.done < p.total ? p : null;
    // What came in so far is in the queue now, not only at the end of a long first look.
    if (Date.now() - this.#lastRefresh > REFRESH_WHILE_FETCHING_MS || this.firstFetch === null) {
      this.#lastRefresh = Date.now();
      void queue.load();
    }
  }

  async loadAccount(): Promise<void> {
    try {
      this.account = await ipc.getMailAccount();
      this.loadError = null;
    } catch (err) {
      this.loadError = errorMessage(err);
    }
  }

  async loadStatus(): Promise<void> {
    try {
      this.status = await ipc.mailStatus();
    } catch {
      // the status line is a convenience; the outbox and the timeline still say the truth
    }
  }

  async loadOutbox(): Promise<void> {
    try {
      this.outbox = await ipc.outbox();
      this.outboxError = null;
    } catch (err) {
      this.outboxError = errorMessage(err);
    }
  }

  /** The outbox or the mailbox changed: refresh whatever is on screen. */
  async changed(): Promise<void> {
    const work: Promise<unknown>[] = [this.loadStatus(), queue.load(), alerts.refresh()];
    if (openCase.number !== null) work.push(openCase.reload());
    if (this.outbox !== null) work.push(this.loadOutbox());
    await Promise.all(work);
  }

  /** Saves the account; throws IpcFailure (the core's sentence) for the form to show. */
  async save(account: MailAccount, password: string | null): Promise<MailAccountView> {
    const view = await ipc.setMailAccount(account, password);
    this.account = view;
    void this.loadStatus();
    return view;
  }

  async fetchNow(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      const report = await ipc.fetchMailNow();
      this.fetchResult = { text: fetchReportText(report), error: false };
      await this.changed();
    } catch (err) {
      this.fetchResult = { text: errorMessage(err), error: true };
      void this.loadStatus();
    } finally {
      this.fetching = false;
      // The result answers "what did that click bring?"; a while later it would only be stale.
      if (this.#resultTimer !== null) clearTimeout(this.#resultTimer);
      this.#resultTimer = setTimeout(() => (this.fetchResult = null), RESULT_SHOWN_MS);
    }
  }

  /** Queues an email reply on a case (sendAt: ISO instant, null = now); throws IpcFailure. */
  async sendReply(number: number, body: string, sendAt: string | null): Promise<Message> {
    const message = await ipc.sendReply(number, body, sendAt);
    await this.changed();
    return message;
  }

  /** Retry or cancel an outgoing email; throws IpcFailure so the button's place can say why. */
  async act(action: 'retry' | 'cancel', messageId: string): Promise<Message> {
    const message = action === 'retry' ? await ipc.retryOutgoing(messageId) : await ipc.cancelOutgoing(messageId);
    await this.changed();
    return message;
  }
}

export const mail = new MailState();
