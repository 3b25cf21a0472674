/**
 * Stylesheets that travel with a lazily loaded page (the checkpoint and place-scan pages',
 * the console's): a module that imports a `.css` file gets, from the build (scripts/build-web.ts,
 * `lazyStylesheets`), a call to `requireStylesheet` with the file's content-hashed address, so the
 * code page never downloads them. `lazyPage` waits for them before it shows the page, so it never
 * appears unstyled.
 */
const pending = new Map<string, Promise<void>>();

export function requireStylesheet(href: string): void {
  if (pending.has(href)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  pending.set(
    href,
    new Promise<void>((resolve, reject) => {
      link.addEventListener('load', () => resolve(), { once: true });
      link.addEventListener(
        'error',
        () => {
          // A later visit may try again.
          pending.delete(href);
          link.remove();
          reject(new Error(`stylesheet ${href} did not load`));
        },
        { once: true },
      );
    }),
  );
  document.head.append(link);
}

/** Resolves when every stylesheet asked for so far has loaded. */
export function stylesheetsLoaded(): Promise<void> {
  return Promise.all(pending.values()).then(() => undefined);
}
