/**
 * Registers the service worker (web/sw.ts, built into /sw.js) once the page has loaded, so it
 * never competes with the first load for the network. Skipped where browsers have none, and on
 * plain-HTTP origins other than localhost, where they refuse one.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No worker: the app works as before, online only.
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
