// The JSON types the core sends and receives over IPC, copied from CONTRACT.md.
// Kept in this one file so it can be swapped for the ts-rs generated bindings in one move.

export type Status =
  | 'new'
  | 'open'
  | 'waiting_on_customer'
  | 'waiting_on_third_party'
  | 'on_hold'
  | 'solved'
  | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Category =
  | 'delivery'
  | 'damaged_item'
  | 'quality'
  | 'refund_return'
  | 'payment'
  | 'question'
  | 'other';
export type Fault = 'unknown' | 'shop' | 'customer' | 'courier' | 'manufacturer';
export type Direction = 'from_customer' | 'from_shop' | 'note';
export type Channel = 'email' | 'phone' | 'voicemail' | 'chat' | 'social' | 'letter' | 'in_person';

export interface Contact {
  id: string;
  name: string;
  emails: string[];
  phones: string[];
  address: string;
  notes: string;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export interface ContactSummary {
  id: string;
  name: string;
  emails: string[];
  phones: string[];
  open_cases: number;
  total_cases: number;
}

/** Also the queue row. */
export interface CaseSummary {
  id: string;
  number: number;
  subject: string;
  status: Status;
  priority: Priority;
  category: Category;
  channel: Channel;
  contact_id: string;
  contact_name: string;
  /** Oldest unanswered customer message; null = not waiting. */
  waiting_since: string | null;
  /** now - waiting_since, computed by the core at `now`. */
  waiting_secs: number | null;
  last_activity_at: string;
  created_at: string;
}

export interface ContactProfile {
  contact: Contact;
  cases: CaseSummary[];
}

export interface Case {
  id: string;
  number: number;
  subject: string;
  contact_id: string;
  status: Status;
  priority: Priority;
  category: Category;
  fault: Fault;
  channel: Channel;
  order_ref: string;
  tracking_ref: string;
  third_party: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  merged_into: number | null;
  waiting_since: string | null;
  first_response_at: string | null;
  last_shop_reply_at: string | null;
}

export interface Message {
  id: string;
  case_id: string;
  direction: Direction;
  channel: Channel;
  author: string;
  body: string;
  happened_at: string;
  recorded_at: string;
  automatic: boolean;
}

export type EventKind = 'created' | 'status_changed' | 'field_changed' | 'merged' | 'contact_changed';

export interface CaseEvent {
  id: string;
  case_id: string;
  at: string;
  author: string;
  kind: EventKind;
  field: string | null;
  from: string | null;
  to: string | null;
}

/** Sorted by time. */
export type TimelineEntry = ({ type: 'message' } & Message) | ({ type: 'event' } & CaseEvent);

export interface CaseView {
  case: Case;
  contact: Contact;
  timeline: TimelineEntry[];
  waiting_secs: number | null;
}

export interface QueueFilter {
  status: Status | null;
  channel: Channel | null;
  category: Category | null;
}

export interface Queue {
  items: CaseSummary[];
  total_open: number;
  waiting: number;
  by_status: Record<Status, number>;
  now: string;
}

export interface NewContact {
  name: string;
  emails: string[];
  phones: string[];
  address: string;
  notes: string;
  tags: string[];
}

export type ContactRef = { existing: string } | { new: NewContact };

export interface NewMessage {
  direction: Direction;
  channel: Channel;
  author: string;
  body: string;
  /** null = now; may be in the past (a voicemail logged later). */
  happened_at: string | null;
}

export interface NewCase {
  contact: ContactRef;
  subject: string;
  priority: Priority;
  category: Category;
  first_message: NewMessage;
}

export interface CasePatch {
  status?: Status;
  priority?: Priority;
  category?: Category;
  fault?: Fault;
  subject?: string;
  order_ref?: string;
  tracking_ref?: string;
  third_party?: string;
  tags?: string[];
}

export interface AppInfo {
  db_path: string;
  version: string;
  is_empty: boolean;
}

export type IpcErrorKind =
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'storage'
  | 'newer_schema'
  | 'internal';

/** What a rejected invoke() rejects with. */
export interface IpcError {
  kind: IpcErrorKind;
  message: string;
}
