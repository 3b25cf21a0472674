import { useEffect, useState } from 'preact/hooks';

/**
 * Parts of the app that have their own address: the checkpoint page for staff, the authority
 * console for officers, admins and auditors, the page a place code's link opens
 * (`/scan?c=<code>`, printed on posters, so it must be a plain path), and the page a staff
 * member's one-time setup link opens (`/staff/setup#token=…`, built by the server in
 * setStaffPassword's link).
 */
export type Section = 'resident' | 'checkpoint' | 'console' | 'scan' | 'staff-setup';

export function sectionFromPath(pathname: string): Section {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/checkpoint') return 'checkpoint';
  if (path === '/console') return 'console';
  if (path === '/scan') return 'scan';
  if (path === '/staff/setup') return 'staff-setup';
  return 'resident';
}

/** Pages of the resident app. Hash routes, so any static host (and the server's SPA fallback) serves them. */
export type Route =
  | 'sign-in'
  | 'apply'
  | 'code'
  | 'family'
  | 'arrivals'
  | 'appeal'
  | 'feedback'
  | 'notices'
  | 'access-log'
  | 'complaint';
const ROUTES: readonly Route[] = [
  'sign-in',
  'apply',
  'code',
  'family',
  'arrivals',
  'appeal',
  'feedback',
  'notices',
  'access-log',
  'complaint',
];

/** The route of a hash; parameters after `?` (`#/complaint?venue=12`) do not change it. */
export function routeFromHash(hash: string): Route | null {
  const name = hash.replace(/^#\/?/, '').replace(/\?.*$/, '');
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

/** The parameters after `?` in a hash route: `#/complaint?venue=12&name=…`. */
export function hashParams(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** The hash of the complaint page for a venue (from the place-scan result). */
export function complaintHash(venue: { readonly id: number; readonly name: string }): string {
  return `#/complaint?${new URLSearchParams({ venue: String(venue.id), name: venue.name }).toString()}`;
}

/** The venue a complaint link names, or null when it names none (or not a valid id). */
export function venueFromHash(hash: string): { readonly id: number; readonly name: string } | null {
  const params = hashParams(hash);
  const id = Number(params.get('venue') ?? '');
  if (!Number.isSafeInteger(id) || id < 1) return null;
  return { id, name: params.get('name') ?? '' };
}
