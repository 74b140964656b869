// Light or dark: follows the system unless the user picked one; the choice is kept in
// localStorage and applied as <html data-theme>, which the CSS custom properties key off.
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'shopdesk.theme';

function readChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

class Theme {
  choice = $state<ThemeChoice>(typeof localStorage === 'undefined' ? 'system' : readChoice());

  apply(): void {
    const root = document.documentElement;
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
  }

  /** system -> light -> dark -> system */
  cycle(): void {
    this.choice = this.choice === 'system' ? 'light' : this.choice === 'light' ? 'dark' : 'system';
    try {
      if (this.choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, this.choice);
    } catch {
      // storage may be unavailable; the choice still holds for this session
    }
    this.apply();
  }
}

export const theme = new Theme();
