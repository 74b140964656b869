// Where the user is: the current route, read from and written to location.hash, so the back
// button and a reload both work.
import { href, parseHash, type Route } from '../routes';

class Router {
  current = $state<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.current = parseHash(location.hash);
      });
    }
  }

  go(route: Route): void {
    const target = href(route);
    if (location.hash === target) {
      this.current = parseHash(target);
    } else {
      location.hash = target;
    }
  }
}

export const router = new Router();
