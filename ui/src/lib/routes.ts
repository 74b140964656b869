// The app's places and their hash addresses (#/queue, #/case/1001, #/contacts, #/contacts/<id>,
// #/new, #/settings (?section=mail|import), #/outbox, #/orders, #/reports). Hash routing needs no server support, which suits a webview loading files from disk.

/** The parts of Settings a link can lead straight to. */
export type SettingsSection = 'mail' | 'import';
const SECTIONS: SettingsSection[] = ['mail', 'import'];

export type Route =
  | { name: 'queue' }
  | { name: 'case'; number: number }
  | { name: 'contacts' }
  | { name: 'contact'; id: string }
  | { name: 'new-case'; contactId?: string }
  /** section: scrolled to on arrival (the mail account, bringing in past mail). */
  | { name: 'settings'; section?: SettingsSection }
  | { name: 'outbox' }
  | { name: 'orders' }
  | { name: 'reports' }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const [rawPath, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const path = rawPath.replace(/\/+$/, '') || '/queue';
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { name: 'queue' };
  const [head, arg, ...rest] = parts;
  if (rest.length > 0) return { name: 'not-found', path };
  if (head === 'queue' && arg === undefined) return { name: 'queue' };
  if (head === 'settings' && arg === undefined) {
    const section = new URLSearchParams(query).get('section');
    return SECTIONS.includes(section as SettingsSection) ? { name: 'settings', section: section as SettingsSection } : { name: 'settings' };
  }
  if (head === 'outbox' && arg === undefined) return { name: 'outbox' };
  if (head === 'orders' && arg === undefined) return { name: 'orders' };
  if (head === 'reports' && arg === undefined) return { name: 'reports' };
  if (head === 'new' && arg === undefined) {
    const contactId = new URLSearchParams(query).get('contact');
    return contactId ? { name: 'new-case', contactId } : { name: 'new-case' };
  }
  if (head === 'contacts') {
    if (arg === undefined) return { name: 'contacts' };
    return { name: 'contact', id: decodeURIComponent(arg) };
  }
  if (head === 'case' && arg !== undefined && /^\d+$/.test(arg)) {
    return { name: 'case', number: Number(arg) };
  }
  return { name: 'not-found', path };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'queue':
      return '#/queue';
    case 'case':
      return `#/case/${route.number}`;
    case 'contacts':
      return '#/contacts';
    case 'contact':
      return `#/contacts/${encodeURIComponent(route.id)}`;
    case 'new-case':
      return route.contactId ? `#/new?contact=${encodeURIComponent(route.contactId)}` : '#/new';
    case 'settings':
      return route.section ? `#/settings?section=${route.section}` : '#/settings';
    case 'outbox':
      return '#/outbox';
    case 'orders':
      return '#/orders';
    case 'reports':
      return '#/reports';
    case 'not-found':
      return `#${route.path}`;
  }
}
