import { useEffect, useState } from 'preact/hooks';

/** Pages of the app. Hash routes, so any static host (and the server's SPA fallback) serves them. */
export type Route = 'sign-in' | 'apply' | 'code';
const ROUTES: readonly Route[] = ['sign-in', 'apply', 'code'];

export function routeFromHash(hash: string): Route | null {
  const name = hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : null;
}

export function navigate(route: Route): void {
  if (routeFromHash(window.location.hash) !== route) window.location.hash = `#/${route}`;
}

/** The current route, following back/forward and links. */
export function useHashRoute(): Route | null {
  const [route, setRoute] = useState(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
