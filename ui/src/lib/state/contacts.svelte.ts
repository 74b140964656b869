// Contacts: the search list (as you type) and the profile being looked at.
import { ipc, errorMessage } from '../ipc';
import type { Contact, ContactProfile, ContactSummary, NewContact } from '../types';

const SEARCH_DELAY_MS = 120;

class ContactsState {
  query = $state('');
  list = $state<ContactSummary[] | null>(null);
  listError = $state<string | null>(null);
  profile = $state<ContactProfile | null>(null);
  profileError = $state<string | null>(null);
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Searches after a short pause in typing; the latest query always wins. */
  search(query: string): void {
    this.query = query;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.load(), SEARCH_DELAY_MS);
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const list = await ipc.listContacts(this.query.trim());
      if (seq !== this.#seq) return;
      this.list = list;
      this.listError = null;
    } catch (err) {
      if (seq === this.#seq) this.listError = errorMessage(err);
    }
  }

  async openProfile(id: string): Promise<void> {
    if (this.profile?.contact.id !== id) this.profile = null;
    try {
      this.profile = await ipc.getContact(id);
      this.profileError = null;
    } catch (err) {
      this.profileError = errorMessage(err);
    }
  }

  /** One contact, without making it the profile on show (the new-case form preselects it). */
  get(id: string): Promise<ContactProfile> {
    return ipc.getContact(id);
  }

  /** A one-off search (the new-case form's contact picker); shares no state with the list. */
  lookup(query: string): Promise<ContactSummary[]> {
    return ipc.listContacts(query.trim());
  }

  /** Saves changes to a contact and shows the result; throws IpcFailure on refusal. */
  async update(id: string, input: NewContact): Promise<Contact> {
    const contact = await ipc.updateContact(id, input);
    await this.openProfile(id);
    void this.load();
    return contact;
  }

  /** `absorb` joins `keep` (emails, phones, tags, cases); `keep`'s profile is shown again. */
  async merge(keep: string, absorb: string): Promise<Contact> {
    const contact = await ipc.mergeContacts(keep, absorb);
    await this.openProfile(keep);
    void this.load();
    return contact;
  }

  /** Throws IpcFailure on refusal, so the form can show it and keep what was typed. */
  async create(input: NewContact): Promise<Contact> {
    const contact = await ipc.createContact(input);
    void this.load();
    return contact;
  }
}

export const contacts = new ContactsState();
