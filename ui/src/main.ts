// Entry point. The dev-only mock backend is imported only when VITE_MOCK=1, so a production
// build contains no fake data and talks to the Rust core alone.
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

async function start() {
  if (import.meta.env.VITE_MOCK === '1') {
    const { installMockBackend } = await import('./mock/devBackend');
    installMockBackend();
  }
  // The start-time benchmark (lib/ready.ts) reads this mark: the UI's code is loaded, mounting starts.
  performance.mark('shopdesk:mount');
  mount(App, { target: document.getElementById('app')! });
}

void start();
