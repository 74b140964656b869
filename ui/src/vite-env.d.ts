/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "1" loads the dev-only mock backend (src/mock/) for looking at the UI without the core. */
  readonly VITE_MOCK?: string;
}
