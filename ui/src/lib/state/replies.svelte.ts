// The shop's saved replies and the placeholders they may use, loaded once and shared by the
// composer's menu and Settings → Saved replies; every change in Settings updates the list here.
import { errorMessage, ipc } from '../ipc';
import { KNOWN_PLACEHOLDERS } from '../savedReplies';
import type { NewSavedReply, Placeholder, SavedReply } from '../types';

class RepliesState {
  list = $state<SavedReply[] | null>(null);
  placeholders = $state<Placeholder[] | null>(null);
  loadError = $state<string | null>(null);
  #loading: Promise<void> | null = null;

  /** The placeholder names the core knows (its own list once loaded). */
  get known(): readonly string[] {
    return this.placeholders?.map((p) => p.name) ?? KNOWN_PLACEHOLDERS;
  }

  /** Loads both lists; `force` fetches again even when already loaded. */
  load(force = false): Promise<void> {
    if (!force && this.list !== null && this.placeholders !== null) return Promise.resolve();
    if (this.#loading) return this.#loading;
    this.#loading = (async () => {
      try {
        const [list, placeholders] = await Promise.all([
          ipc.savedReplies(),
          this.placeholders ? Promise.resolve(this.placeholders) : ipc.placeholders().catch(() => null),
        ]);
        this.list = list;
        this.placeholders = placeholders;
        this.loadError = null;
      } catch (err) {
        this.loadError = errorMessage(err);
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** Adds a reply at the end; throws IpcFailure (the core's message) so the form keeps the input. */
  async add(input: NewSavedReply): Promise<SavedReply> {
    const saved = await ipc.addSavedReply(input);
    this.list = [...(this.list ?? []), saved];
    return saved;
  }

  async update(id: string, input: NewSavedReply): Promise<SavedReply> {
    const saved = await ipc.updateSavedReply(id, input);
    this.list = (this.list ?? []).map((r) => (r.id === id ? saved : r));
    return saved;
  }

  async remove(id: string): Promise<void> {
    await ipc.deleteSavedReply(id);
    this.list = (this.list ?? []).filter((r) => r.id !== id);
  }
}

export const replies = new RepliesState();
