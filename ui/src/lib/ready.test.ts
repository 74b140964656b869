import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('./ipc', () => ({ ipc: { uiReady: vi.fn().mockResolvedValue(null) }, startCalls: [] }));

/** The page's visibility as the test sets it (the shell shows the window once the page loaded). */
let visibility: DocumentVisibilityState = 'visible';

function setVisibility(state: DocumentVisibilityState) {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
}

/** A fresh copy of the module (it announces once per page) and its ipc stand-in. */
async function fresh() {
  vi.resetModules();
  const ready = await import('./ready');
  const { ipc } = await import('./ipc');
  const uiReady = ipc.uiReady as unknown as ReturnType<typeof vi.fn>;
  uiReady.mockClear();
  return { ...ready, uiReady };
}

describe('announcing the first screen', () => {
  beforeEach(() => {
    visibility = 'visible';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
    // One frame is one macrotask here.
    vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => setTimeout(() => f(performance.now()), 0));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    delete (document as { visibilityState?: unknown }).visibilityState;
    delete document.body.dataset.ready;
  });

  it('in a visible window: after the next frame is painted, once', async () => {
    const { markReady, afterReady, uiReady } = await fresh();
    const later = vi.fn();
    afterReady(later);
    markReady();
    expect(document.body.dataset.ready).toBe('1');
    expect(uiReady).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(uiReady).toHaveBeenCalledTimes(1));
    expect(later).toHaveBeenCalledTimes(1);
    markReady();
    await new Promise((r) => setTimeout(r, 10));
    expect(uiReady).toHaveBeenCalledTimes(1);
  });

  it('in a window not shown yet: when it is shown and has painted, not before', async () => {
    const { markReady, afterReady, uiReady } = await fresh();
    setVisibility('hidden');
    const later = vi.fn();
    afterReady(later);
    markReady();
    expect(document.body.dataset.ready).toBe('1'); // the data is in the DOM
    await new Promise((r) => setTimeout(r, 20));
    expect(uiReady).not.toHaveBeenCalled();
    expect(later).not.toHaveBeenCalled();

    setVisibility('visible');
    await vi.waitFor(() => expect(uiReady).toHaveBeenCalledTimes(1));
    const timings = uiReady.mock.calls[0][0];
    expect(timings.painted_ms).toBeGreaterThanOrEqual(timings.data_ms + 15);
    expect(later).toHaveBeenCalledTimes(1);
    setVisibility('hidden');
    setVisibility('visible');
    await new Promise((r) => setTimeout(r, 10));
    expect(uiReady).toHaveBeenCalledTimes(1);
  });
});
