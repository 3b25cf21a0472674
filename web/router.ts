import { useEffect, useState } from 'preact/hooks';

/**
 * Parts of the app that have their own address: the checkpoint page for staff, the authority
 * console for officers, admins and auditors, and the page a place code's link opens
 * (`/scan?c=<code>`, printed on posters, so it must be a plain path).
 */
export type Section = 'resident' | 'checkpoint' | 'console' | 'scan';

export function sectionFromPath(pathname: string): Section {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/checkpoint') return 'checkpoint';
  if (path === '/console') return 'console';
  if (path === '/scan') return 'scan';
  return 'resident';
}

/** Pages of the resident app. Hash routes, so any static host (and the server's SPA fallback) serves them. */
export type Route = 'sign-in' | 'apply' | 'code' | 'family' | 'arrivals';
const ROUTES: readonly Route[] = ['sign-in', 'apply', 'code', 'family', 'arrivals'];

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
