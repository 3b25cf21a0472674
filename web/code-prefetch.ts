import { fetchMyCode, storedToken, type ApiResult, type MyCodeResponse } from './api.ts';

/**
 * The code page's first request, sent by the start-up module (web/main.tsx) while the app's code
 * and catalogue are still arriving and being evaluated, instead of after the first render: on a
 * slow network that round trip (0.56 s on Fast 3G) overlaps the rest of start-up. Only for a
 * signed-in resident opening the code page; taken once by MyCodePage.
 */
let prefetched: { token: string; answer: Promise<ApiResult<MyCodeResponse>> } | null = null;

export function prefetchMyCode(): void {
  const token = storedToken();
  const path = window.location.pathname.replace(/\/+$/, '');
  const hash = window.location.hash.replace(/^#\/?/, '');
  if (token === null || path !== '' || (hash !== '' && hash !== 'code')) return;
  prefetched = { token, answer: fetchMyCode(token) };
}

/** The prefetched answer for this session, once; null when there is none. */
export function takePrefetchedCode(token: string): Promise<ApiResult<MyCodeResponse>> | null {
  const taken = prefetched;
  prefetched = null;
  return taken !== null && taken.token === token ? taken.answer : null;
}
