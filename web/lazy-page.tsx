import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n/index.ts';
import { stylesheetsLoaded } from './stylesheets.ts';

/**
 * A page whose code is fetched the first time it is shown (a separate chunk of the bundle), so the
 * resident's code page does not download the checkpoint's camera and QR decoder. The stylesheets
 * its modules import (web/stylesheets.ts) have loaded before it is shown.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Page !== null) return;
      let live = true;
      load()
        .then(async (component) => {
          await stylesheetsLoaded();
          return component;
        })
        .then(
          (component) => {
            loaded = component;
            if (live) setPage(() => component);
          },
          () => {
            if (live) setFailed(true);
          },
        );
      return () => {
        live = false;
      };
    }, [Page]);
    if (Page !== null) return <Page {...props} />;
    return (
      <p class="notice" role="status">
        {failed ? t('app.loadFailed') : t('app.loading')}
      </p>
    );
  };
}
