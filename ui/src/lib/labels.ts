// What a person reads for each word the core sends, and the option lists the selects show.
// The wording follows the core's own labels (model.rs) with a capital first letter.
import { formatDateTime } from './datetime';
import type { CaseEvent, Category, Channel, Direction, Fault, Priority, Status } from './types';

export const STATUS_LABEL: Record<Status, string> = {
  new: 'New',
  open: 'Open',
  waiting_on_customer: 'Waiting on customer',
  waiting_on_third_party: 'Waiting on third party',
  on_hold: 'On hold',
  solved: 'Solved',
  closed: 'Closed',
};

export const PRIORITY_LABEL: Record<Priority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const CATEGORY_LABEL: Record<Category, string> = {
  delivery: 'Delivery',
  damaged_item: 'Damaged item',
  quality: 'Quality',
  refund_return: 'Refund / return',
  payment: 'Payment',
  question: 'Question',
  other: 'Other',
};

export const FAULT_LABEL: Record<Fault, string> = {
  unknown: 'Unknown',
  shop: 'Shop',
  customer: 'Customer',
  courier: 'Courier',
  manufacturer: 'Manufacturer',
};

export const DIRECTION_LABEL: Record<Direction, string> = {
  from_customer: 'From customer',
  from_shop: 'From shop',
  note: 'Internal note',
};

export const CHANNEL_LABEL: Record<Channel, string> = {
  email: 'Email',
  phone: 'Phone',
  voicemail: 'Voicemail',
  chat: 'Chat',
  social: 'Social',
  letter: 'Letter',
  in_person: 'In person',
};

/** Options for a select, in the order the core defines the words. */
export function options<T extends string>(labels: Record<T, string>): { value: T; label: string }[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));
}

/** Priorities worth a chip in the queue; low and normal stay quiet. */
export function isLoudPriority(p: Priority): boolean {
  return p === 'high' || p === 'urgent';
}

/** Who the shop's own messages are signed by until the app knows its users. */
export const SHOP_AUTHOR = 'Shop';

const FIELD_LABEL: Record<string, string> = {
  status: 'Status',
  priority: 'Priority',
  category: 'Category',
  fault: 'Fault',
  subject: 'Subject',
  order_ref: 'Order',
  tracking_ref: 'Tracking',
  third_party: 'Third party',
  tags: 'Tags',
  channel: 'Channel',
  reminder: 'Reminder',
  reply_target: 'Reply target',
};

const ENUM_FIELDS: Record<string, Record<string, string>> = {
  status: STATUS_LABEL,
  priority: PRIORITY_LABEL,
  category: CATEGORY_LABEL,
  fault: FAULT_LABEL,
  channel: CHANNEL_LABEL,
};

function fieldValue(field: string | null, value: string): string {
  const labels = field ? ENUM_FIELDS[field] : undefined;
  if (labels && value in labels) return labels[value].toLowerCase();
  // The core records a reminder as a UTC time and a reply target as "60 min" or "channel
  // default": shown as the case's own fields show them.
  if (field === 'reminder') return formatDateTime(value);
  if (field === 'reply_target') {
    const mins = /^(\d+) min$/.exec(value);
    return mins ? replyTargetLabel(Number(mins[1])) : value.toLowerCase();
  }
  return `“${value}”`;
}

/** One grey line of the timeline: "Status changed from new to open". */
export function describeEvent(e: Pick<CaseEvent, 'kind' | 'field' | 'from' | 'to'>): string {
  const from = e.from ?? '';
  const to = e.to ?? '';
  switch (e.kind) {
    case 'created':
      return 'Case opened';
    case 'merged':
      return to ? `Merged into #${to}` : 'Merged';
    case 'contact_changed':
      return from && to ? `Contact changed from ${from} to ${to}` : 'Contact changed';
    case 'status_changed':
    case 'field_changed': {
      const field = e.kind === 'status_changed' ? 'status' : e.field;
      const name = (field && FIELD_LABEL[field]) ?? (field ? field.replace(/_/g, ' ') : 'A field');
      if (from && to) return `${name} changed from ${fieldValue(field, from)} to ${fieldValue(field, to)}`;
      if (to) return `${name} set to ${fieldValue(field, to)}`;
      if (from) return `${name} cleared (was ${fieldValue(field, from)})`;
      return `${name} changed`;
    }
    default:
      return 'Changed';
  }
}

/** The per-case reply targets offered, in minutes; 0 means "back to the channel's own target". */
export const REPLY_TARGET_MINS = [0, 15, 30, 60, 120, 240, 480, 1440] as const;

/** "Channel default", "15 min", "1 h", "24 h"; a value set elsewhere (45) still gets its option. */
export function replyTargetOptions(current: number | null): { value: number; label: string }[] {
  const values: number[] = [...REPLY_TARGET_MINS];
  if (current !== null && current > 0 && !values.includes(current)) {
    values.push(current);
    values.sort((a, b) => a - b);
  }
  return values.map((value) => ({ value, label: replyTargetLabel(value) }));
}

export function replyTargetLabel(mins: number): string {
  if (mins <= 0) return 'Channel default';
  if (mins < 60) return `${mins} min`;
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
