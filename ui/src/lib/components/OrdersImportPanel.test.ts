import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

let progressHandler: ((p: { done: number; total: number }) => void) | null = null;

vi.mock('../ipc', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ipc')>();
  return {
    ...real,
    ipc: { pickOrdersFile: vi.fn(), previewOrders: vi.fn(), importOrders: vi.fn(), exportData: vi.fn() },
    events: {
      onOrdersProgress: vi.fn(async (h: (p: { done: number; total: number }) => void) => {
        progressHandler = h;
        return () => {};
      }),
    },
  };
});

import { IpcFailure, ipc } from '../ipc';
import type { OrderColumns } from '../types';
import ExportSection from './ExportSection.svelte';
import OrdersImportPanel from './OrdersImportPanel.svelte';

const mocked = ipc as unknown as Record<string, ReturnType<typeof vi.fn>>;
const columns: OrderColumns = {
  order_ref: 'Name', email: 'Email', name: 'Billing Name', first_name: '', last_name: '', placed_at: 'Created at', total: 'Total',
  currency: 'Currency', status: 'Fulfillment Status', item: 'Lineitem name', quantity: 'Lineitem quantity', tracking: '',
};

describe('OrdersImportPanel', () => {
  beforeEach(() => {
    progressHandler = null;
    for (const f of Object.values(mocked)) f.mockReset();
  });

  it('imports a recognised export with a progress bar, then says what came in', async () => {
    mocked.pickOrdersFile.mockResolvedValue('/home/shop/orders_export.csv');
    mocked.previewOrders.mockResolvedValue({ headers: Object.values(columns).filter(Boolean), sample: [], layout: 'shopify', columns, lines: 3 });
    let finish: (v: unknown) => void = () => {};
    mocked.importOrders.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const onimported = vi.fn();
    render(OrdersImportPanel, { onimported });
    await fireEvent.click(screen.getByTestId('orders-import-button'));
    expect((await screen.findByTestId('orders-preview-summary')).textContent).toBe('orders_export.csv: Shopify export recognised: 3 lines');
    expect(mocked.previewOrders).toHaveBeenCalledWith('/home/shop/orders_export.csv');
    await fireEvent.click(screen.getByTestId('orders-import-confirm'));
    await vi.waitFor(() => expect(mocked.importOrders).toHaveBeenCalledWith('/home/shop/orders_export.csv', null));
    progressHandler?.({ done: 40, total: 120 });
    await tick();
    expect(screen.getByTestId('orders-progress').textContent).toContain('40 of 120 orders');
    expect((screen.getByTestId('orders-import-button') as HTMLButtonElement).disabled).toBe(true);
    const result = { layout: 'shopify', lines: 300, new_orders: 100, updated_orders: 20, cases_linked: 3 };
    finish(result);
    await vi.waitFor(() =>
      expect(screen.getByTestId('orders-import-result').textContent).toBe('120 orders imported (100 new, 20 updated); 3 cases now carry their order number.'),
    );
    expect(screen.queryByTestId('orders-progress')).toBeNull();
    expect(screen.queryByTestId('orders-preview-summary')).toBeNull();
    expect(onimported).toHaveBeenCalledWith(result);
  });

  it('sends the mapping for an unknown layout, keeps it when the import is refused, and can be cancelled', async () => {
    mocked.pickOrdersFile.mockResolvedValue('/tmp/export.csv');
    mocked.previewOrders.mockResolvedValue({
      headers: ['Ref', 'Kunde'],
      sample: [['A-77', 'Eva Maier']],
      layout: null,
      columns: { ...columns, order_ref: 'Ref', email: '', name: '', placed_at: '', total: '', currency: '', status: '', item: '', quantity: '' },
    });
    mocked.importOrders.mockRejectedValue(new IpcFailure('invalid_input', 'Line 3 has no order number; nothing was imported'));
    render(OrdersImportPanel);
    await fireEvent.click(screen.getByTestId('orders-import-button'));
    await screen.findByTestId('orders-mapping');
    await fireEvent.change(screen.getByTestId('orders-map-name'), { target: { value: 'Kunde' } });
    await fireEvent.click(screen.getByTestId('orders-import-confirm'));
    expect((await screen.findByTestId('orders-import-error')).textContent).toContain('Line 3 has no order number');
    expect(mocked.importOrders).toHaveBeenCalledWith('/tmp/export.csv', expect.objectContaining({ order_ref: 'Ref', name: 'Kunde' }));
    expect((screen.getByTestId('orders-map-name') as HTMLSelectElement).value).toBe('Kunde');
    await fireEvent.click(screen.getByTestId('orders-import-cancel'));
    expect(screen.queryByTestId('orders-mapping')).toBeNull();
    expect(screen.queryByTestId('orders-import-error')).toBeNull();
  });

  it('does nothing when the dialog is cancelled, and shows a file it could not read', async () => {
    mocked.pickOrdersFile.mockResolvedValueOnce(null);
    render(OrdersImportPanel);
    await fireEvent.click(screen.getByTestId('orders-import-button'));
    await tick();
    expect(mocked.previewOrders).not.toHaveBeenCalled();
    mocked.pickOrdersFile.mockResolvedValueOnce('/tmp/photo.jpg');
    mocked.previewOrders.mockRejectedValueOnce(new IpcFailure('invalid_input', 'The file could not be read as CSV; nothing was imported'));
    await fireEvent.click(screen.getByTestId('orders-import-button'));
    expect((await screen.findByTestId('orders-import-error')).textContent).toMatch(/could not be read as CSV/);
    expect(screen.queryByTestId('orders-import-confirm')).toBeNull();
  });
});

describe('ExportSection', () => {
  it('says nothing when the dialog is cancelled, and shows why an export failed', async () => {
    mocked.exportData.mockReset().mockResolvedValueOnce(null);
    render(ExportSection);
    await fireEvent.click(screen.getByTestId('export-csv'));
    await vi.waitFor(() => expect(mocked.exportData).toHaveBeenCalledWith(false, expect.stringMatching(/\.json$/)));
    expect(screen.queryByTestId('export-result')).toBeNull();
    mocked.exportData.mockRejectedValueOnce(new IpcFailure('invalid_input', 'Could not write /media/usb/shopdesk.json: Read-only file system'));
    await fireEvent.click(screen.getByTestId('export-json'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Read-only file system/);
    expect((screen.getByTestId('export-json') as HTMLButtonElement).disabled).toBe(false);
  });
});
