// Orders as a shop owner reads them: money in its currency, what a customer has spent, the
// columns of the mapping form, and the sentence after an import.
import type { Order, OrderColumns, OrderLayout, OrdersImport, OrdersPreview } from './types';

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export const LAYOUT_LABEL: Record<OrderLayout, string> = {
  shopify: 'Shopify',
  woocommerce: 'WooCommerce',
  etsy: 'Etsy',
  mapped: 'Your columns',
};

/** "€39.50" for cents in a currency; a code the browser doesn't know is written after the amount. */
export function formatMoney(cents: number, currency: string): string {
  const amount = cents / 100;
  const code = currency.trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).format(amount);
    } catch {
      // Not a currency Intl knows: fall through to the plain number.
    }
  }
  const plain = amount.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return code ? `${plain} ${code}` : plain;
}

/** An order's total, or a dash when the export had none. */
export function orderTotal(o: Order): string {
  return o.total_cents === null ? '—' : formatMoney(o.total_cents, o.currency);
}

/** What a customer has spent, one amount per currency (largest first): "€146.50 · £39.50". */
export function totalSpent(orders: Order[]): string {
  const sums = new Map<string, number>();
  for (const o of orders) {
    if (o.total_cents === null) continue;
    const code = o.currency.trim().toUpperCase();
    sums.set(code, (sums.get(code) ?? 0) + o.total_cents);
  }
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, cents]) => formatMoney(cents, code))
    .join(' · ');
}

export function orderCount(n: number): string {
  return plural(n, 'order', 'orders');
}

/** The sentence after an import: "12 orders imported (10 new, 2 updated); 3 cases now carry their order number." */
export function importResultText(r: OrdersImport): string {
  const total = r.new_orders + r.updated_orders;
  if (total === 0) return 'The file has no orders in it; nothing changed.';
  let text = `${plural(total, 'order', 'orders')} imported (${r.new_orders.toLocaleString()} new, ${r.updated_orders.toLocaleString()} updated)`;
  if (r.cases_linked > 0) {
    text += r.cases_linked === 1 ? '; 1 case now carries its order number' : `; ${r.cases_linked.toLocaleString()} cases now carry their order number`;
  }
  return `${text}.`;
}

/** "WooCommerce export recognised: 42 lines" (the line count when the preview gives one). */
export function recognisedText(p: OrdersPreview): string {
  if (p.layout === null || p.layout === 'mapped') return 'Pick which column holds what.';
  return `${LAYOUT_LABEL[p.layout]} export recognised: ${plural(p.lines, 'line', 'lines')}`;
}

export type ColumnField = keyof OrderColumns;

/** The mapping form's fields, in the order a person thinks of them. */
export const COLUMN_FIELDS: { field: ColumnField; label: string; required?: boolean }[] = [
  { field: 'order_ref', label: 'Order number', required: true },
  { field: 'placed_at', label: 'Date' },
  { field: 'email', label: 'Email' },
  { field: 'name', label: 'Customer name' },
  { field: 'first_name', label: 'First name' },
  { field: 'last_name', label: 'Last name' },
  { field: 'total', label: 'Total' },
  { field: 'currency', label: 'Currency' },
  { field: 'status', label: 'Status' },
  { field: 'item', label: 'Item' },
  { field: 'quantity', label: 'Quantity' },
  { field: 'tracking', label: 'Tracking number' },
];

/** Why a mapping can't be imported yet, or null. Column names must be the file's own headers. */
export function mappingProblem(columns: OrderColumns, headers: string[]): string | null {
  if (columns.order_ref.trim() === '') return 'Pick the column with the order number.';
  for (const { field, label } of COLUMN_FIELDS) {
    const name = columns[field];
    if (name !== '' && !headers.includes(name)) return `${label}: the file has no column “${name}”.`;
  }
  return null;
}

/** The file's name from a path, for "orders.csv: WooCommerce export recognised". */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
