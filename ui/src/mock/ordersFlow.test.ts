// Orders, reports and export against the dev mock backend: ipc.ts's command names and arguments
// (dialogs included), the screens on top of them, and the rail's way there.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import ContactPanel from '../lib/components/ContactPanel.svelte';
import ExportSection from '../lib/components/ExportSection.svelte';
import { ipc } from '../lib/ipc';
import ContactProfileScreen from '../screens/ContactProfileScreen.svelte';
import OrdersScreen from '../screens/OrdersScreen.svelte';
import ReportsScreen from '../screens/ReportsScreen.svelte';
import { installMockBackend } from './devBackend';

beforeAll(async () => {
  installMockBackend();
  await ipc.loadDemo();
});

const refs = () => screen.queryAllByTestId('order-row').map((r) => r.getAttribute('data-order-ref'));

describe('orders against the dev mock', () => {
  it('starts empty, with a note that says how to bring orders in', async () => {
    render(OrdersScreen);
    expect((await screen.findByTestId('orders-empty')).textContent).toMatch(/Import your shop’s orders export/);
  });

  it('imports a recognised export: preview, Import, the result, then the list newest first', async () => {
    render(OrdersScreen);
    await screen.findByTestId('orders-empty');
    await fireEvent.click(screen.getByTestId('orders-import-button'));
    const summary = await screen.findByTestId('orders-preview-summary');
    expect(summary.textContent).toMatch(/orders-woocommerce\.csv: WooCommerce export recognised/);
    expect(screen.queryByTestId('orders-mapping')).toBeNull();
    await fireEvent.click(screen.getByTestId('orders-import-confirm'));
    const result = await screen.findByTestId('orders-import-result');
    expect(result.textContent).toBe('4 orders imported (4 new, 0 updated).');
    await vi.waitFor(() => expect(refs()).toEqual(['10502', '10511', '10490', '10482']));
    const row = screen.getAllByTestId('order-row')[1];
    expect(row.textContent).toContain('Ana Costa');
    expect(row.textContent).toContain('ana.costa@example.com');
    expect(row.textContent).toMatch(/36[.,]00/);
    expect(row.textContent).toContain('2 × Blue glazed mug');
    expect(row.textContent).toContain('Processing');

    await fireEvent.input(screen.getByTestId('orders-search'), { target: { value: 'okafor' } });
    await vi.waitFor(() => expect(refs()).toEqual(['10490']));
    await fireEvent.input(screen.getByTestId('orders-search'), { target: { value: 'nobody' } });
    await vi.waitFor(() => expect(screen.getByTestId('orders-empty').textContent).toBe('No order matches “nobody”.'));
  });

  it('maps an unknown layout (order number required), shows its first rows, and reports a damaged file', async () => {
    render(OrdersScreen);
    await screen.findAllByTestId('order-row');
    await fireEvent.click(screen.getByTestId('orders-import-button'));
    const mapping = await screen.findByTestId('orders-mapping');
    expect(screen.getByTestId('orders-sample').textContent).toContain('Eva Maier');
    const ref = within(mapping).getByTestId('orders-map-order_ref') as HTMLSelectElement;
    expect(ref.value).toBe('Ref');
    expect([...ref.options].map((o) => o.value)).toEqual(['', 'Ref', 'Kunde', 'E-Mail', 'Datum', 'Summe']);
    await fireEvent.change(ref, { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('orders-import-confirm'));
    expect((await screen.findByTestId('orders-import-error')).textContent).toMatch(/order number/);
    await fireEvent.change(ref, { target: { value: 'Ref' } });
    await fireEvent.change(within(mapping).getByTestId('orders-map-name'), { target: { value: 'Kunde' } });
    await fireEvent.click(screen.getByTestId('orders-import-confirm'));
    expect((await screen.findByTestId('orders-import-result')).textContent).toBe('1 order imported (1 new, 0 updated).');
    expect(screen.queryByTestId('orders-import-error')).toBeNull();
    await vi.waitFor(() => expect(refs()).toContain('A-77'));

    await fireEvent.click(screen.getByTestId('orders-import-button'));
    await screen.findByTestId('orders-preview-summary');
    await fireEvent.click(screen.getByTestId('orders-import-confirm'));
    expect((await screen.findByTestId('orders-import-error')).textContent).toMatch(/Line 5 has 3 columns.*nothing was imported/);
    expect(screen.getByTestId('orders-import-confirm')).toBeTruthy(); // the preview stays, to try again
  });

  it('shows a customer’s orders and what they spent on the profile and beside the case', async () => {
    const [ana] = await ipc.listContacts('Ana Costa');
    render(ContactProfileScreen, { id: ana.id });
    const box = await screen.findByTestId('contact-orders');
    await vi.waitFor(() => expect(within(box).getAllByTestId('contact-order')).toHaveLength(2));
    const summary = within(box).getByTestId('contact-orders-summary').textContent ?? '';
    expect(summary).toMatch(/^2 orders, /);
    expect(summary).toMatch(/95[.,]00/);
    expect(within(box).getAllByTestId('contact-order')[0].textContent).toMatch(/#10511.*36[.,]00/);
    expect(within(box).getAllByTestId('contact-order')[1].textContent).toContain('Tracking JD014600003828');
    document.body.innerHTML = '';

    const [dmitri] = await ipc.listContacts('Dmitri');
    const profile = await ipc.getContact(dmitri.id);
    render(ContactPanel, { contact: profile.contact });
    expect((await screen.findByText(/No orders from this customer/)).textContent).toBeTruthy();
  });
});

describe('reports against the dev mock', () => {
  it('shows the overall numbers, a table per chart, and saves a table as CSV', async () => {
    const now = new Date();
    const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1 - 30).toISOString();
    const to = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).toISOString();
    const expected = await ipc.report(from, to);
    render(ReportsScreen);
    const overall = await screen.findByTestId('report-overall');
    expect(within(overall).getByTestId('report-overall-cases').textContent).toBe(String(expected.overall.cases));
    expect(within(overall).getByTestId('report-overall-answered').textContent).toBe(String(expected.overall.answered));
    for (const id of ['first-reply-by-week', 'first-reply-by-channel', 'open-cases-by-age', 'cases-by-category', 'cases-by-fault']) {
      expect(screen.getByTestId(`report-table-${id}`)).toBeTruthy();
      expect(screen.getByTestId(`report-export-${id}`).textContent).toMatch(/Export CSV…/);
    }
    if (expected.ratings.some((r) => r.count > 0)) {
      expect(screen.getByTestId('report-table-satisfaction').querySelectorAll('tbody tr')).toHaveLength(5);
      expect(screen.getByTestId('report-rating-average').textContent).toMatch(/Average \d\.\d of 5/);
    } else {
      expect(screen.getByTestId('report-empty-satisfaction').textContent).toMatch(/satisfaction check/);
    }
    const byCategory = screen.getByTestId('report-table-cases-by-category');
    expect(byCategory.querySelectorAll('tbody tr')).toHaveLength(expected.by_category.length);
    expect(screen.getByTestId('report-chart-first-reply')).toBeTruthy();

    await fireEvent.click(screen.getByTestId('report-export-cases-by-fault'));
    const saved = await screen.findByTestId('report-export-result-cases-by-fault');
    expect(saved.textContent).toMatch(/^Saved to \/home\/shop\/Downloads\/cases-by-fault \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\.csv$/);
  });

  it('takes a from–to period, refuses one that ends before it starts, and teaches when it is empty', async () => {
    render(ReportsScreen);
    await screen.findByTestId('report-overall');
    await fireEvent.change(screen.getByTestId('report-period'), { target: { value: 'custom' } });
    await fireEvent.input(screen.getByTestId('report-from'), { target: { value: '2020-03-10' } });
    await fireEvent.input(screen.getByTestId('report-to'), { target: { value: '2020-03-01' } });
    await fireEvent.change(screen.getByTestId('report-to'));
    expect((await screen.findByText(/ends before it starts/)).textContent).toBeTruthy();
    await fireEvent.input(screen.getByTestId('report-to'), { target: { value: '2020-03-31' } });
    await fireEvent.change(screen.getByTestId('report-to'));
    expect((await screen.findByTestId('report-empty')).textContent).toMatch(/No cases in this period/);
    expect(screen.getByTestId('report-overall-cases').textContent).toBe('0');
    expect(screen.getByTestId('report-empty-cases-by-category').textContent).toMatch(/No cases in this period/);
  });
});

describe('export against the dev mock', () => {
  it('exports CSV files into a folder and one JSON file, and says what went where', async () => {
    render(ExportSection);
    await fireEvent.click(screen.getByTestId('export-csv'));
    const csv = await screen.findByTestId('export-result');
    expect(csv.textContent).toMatch(/^Exported \d+ contacts, \d+ cases and \d+ messages as contacts\.csv, cases\.csv, messages\.csv in \/home\/shop\/Exports\.$/);
    await fireEvent.click(screen.getByTestId('export-json'));
    await vi.waitFor(() =>
      expect(screen.getByTestId('export-result').textContent).toMatch(/to \/home\/shop\/Downloads\/shopdesk-export-\d{4}-\d\d-\d\d\.json\.$/),
    );
  });
});

describe('the rail', () => {
  it('leads to Orders and Reports', async () => {
    location.hash = '#/queue';
    render(App);
    const orders = screen.getByTestId('nav-orders');
    expect(orders.getAttribute('href')).toBe('#/orders');
    expect(screen.getByTestId('nav-reports').getAttribute('href')).toBe('#/reports');
    location.hash = '#/reports';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByTestId('reports-screen')).toBeTruthy();
    expect(screen.getByTestId('nav-reports').getAttribute('aria-current')).toBe('page');
    location.hash = '#/orders';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByTestId('orders-import-button')).toBeTruthy();
    expect(orders.getAttribute('aria-current')).toBe('page');
  });
});
