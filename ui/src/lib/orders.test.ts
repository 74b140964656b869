import { describe, expect, it } from 'vitest';
import { COLUMN_FIELDS, fileName, formatMoney, importResultText, mappingProblem, orderTotal, recognisedText, totalSpent } from './orders';
import type { Order, OrderColumns, OrdersPreview } from './types';

const order = (patch: Partial<Order>): Order => ({
  order_ref: '1001',
  source: 'shopify',
  email: 'ana@example.com',
  customer_name: 'Ana Costa',
  placed_at: '2026-03-02T10:14:31Z',
  total_cents: 4690,
  currency: 'EUR',
  status: 'fulfilled',
  items: '2 × Blue glazed mug',
  tracking_ref: '',
  ...patch,
});

const noColumns: OrderColumns = {
  order_ref: '', email: '', name: '', first_name: '', last_name: '', placed_at: '', total: '', currency: '', status: '', item: '', quantity: '', tracking: '',
};

describe('money', () => {
  it('formats cents in their currency, and copes with an unknown or missing code', () => {
    const eur = formatMoney(4690, 'EUR');
    expect(eur).toMatch(/46[.,]90/);
    expect(eur).toMatch(/€/);
    expect(formatMoney(125_000, 'czk')).toMatch(/1[,.\s\u00a0\u202f]?250[.,]00/);
    expect(formatMoney(1990, '')).toMatch(/^19[.,]90$/);
    expect(formatMoney(1990, 'POINTS')).toMatch(/19[.,]90 POINTS$/);
    expect(orderTotal(order({ total_cents: null }))).toBe('—');
  });

  it('sums what a customer spent per currency, largest first, skipping orders without a total', () => {
    const spent = totalSpent([
      order({ total_cents: 4690, currency: 'EUR' }),
      order({ order_ref: '2', total_cents: 3950, currency: 'GBP' }),
      order({ order_ref: '3', total_cents: 1000, currency: 'eur' }),
      order({ order_ref: '4', total_cents: null, currency: 'USD' }),
    ]);
    const [first, second, ...rest] = spent.split(' · ');
    expect(first).toMatch(/56[.,]90/);
    expect(second).toMatch(/39[.,]50/);
    expect(rest).toEqual([]);
    expect(totalSpent([])).toBe('');
  });
});

describe('importing', () => {
  it('says what an import did, with singulars', () => {
    expect(importResultText({ layout: 'shopify', lines: 30, new_orders: 10, updated_orders: 2, cases_linked: 3 })).toBe(
      '12 orders imported (10 new, 2 updated); 3 cases now carry their order number.',
    );
    expect(importResultText({ layout: 'etsy', lines: 1, new_orders: 1, updated_orders: 0, cases_linked: 1 })).toBe(
      '1 order imported (1 new, 0 updated); 1 case now carries its order number.',
    );
    expect(importResultText({ layout: 'mapped', lines: 4, new_orders: 0, updated_orders: 4, cases_linked: 0 })).toBe('4 orders imported (0 new, 4 updated).');
    expect(importResultText({ layout: 'mapped', lines: 0, new_orders: 0, updated_orders: 0, cases_linked: 0 })).toMatch(/no orders/);
  });

  it('names a recognised export with its line count', () => {
    const p: OrdersPreview = { headers: [], sample: [], layout: 'shopify', columns: noColumns, lines: 1 };
    expect(recognisedText(p)).toBe('Shopify export recognised: 1 line');
    expect(recognisedText({ ...p, lines: 42 })).toBe('Shopify export recognised: 42 lines');
    expect(recognisedText({ ...p, layout: null })).toMatch(/column/);
  });

  it('asks for the order number column first, and only headers the file has', () => {
    const headers = ['Ref', 'Kunde', 'E-Mail'];
    expect(mappingProblem(noColumns, headers)).toMatch(/order number/);
    expect(mappingProblem({ ...noColumns, order_ref: 'Ref', email: 'E-Mail' }, headers)).toBeNull();
    expect(mappingProblem({ ...noColumns, order_ref: 'Ref', total: 'Summe' }, headers)).toMatch(/Total.*Summe/);
    expect(COLUMN_FIELDS.filter((f) => f.required).map((f) => f.field)).toEqual(['order_ref']);
    expect(COLUMN_FIELDS.map((f) => f.field).sort()).toEqual(Object.keys(noColumns).sort());
  });

  it('shows a file by its name', () => {
    expect(fileName('/home/shop/orders.csv')).toBe('orders.csv');
    expect(fileName('C:\\Users\\shop\\orders.csv')).toBe('orders.csv');
  });
});
