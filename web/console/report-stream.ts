import type { ReportResponse } from './console-api.ts';

/**
 * The live report queue (streamReports, S7): server-sent events read through fetch, because
 * EventSource cannot send the bearer token. Reconnects after `retry` ms with Last-Event-ID, so
 * reports made while the connection was down arrive too.
 */

export interface SseEvent {
  readonly event: string;
  readonly id: string | null;
  readonly data: string;
  readonly retry: number | null;
}

/** Splits a buffer of event-stream text into whole events and the unfinished rest (browser-free). */
export function parseEventStream(buffer: string): { readonly events: SseEvent[]; readonly rest: string } {
  const text = buffer.replace(/\r\n?/g, '\n');
  const events: SseEvent[] = [];
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | null = null;
    let retry: number | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
    if (data.length > 0 || retry !== null) events.push({ event, id, data: data.join('\n'), retry });
  }
  return { events, rest };
}

export type StreamState = 'connecting' | 'open' | 'closed';

/**
 * Opens the stream and keeps it open until `close()`; `onReport` gets each report, `onState` the
 * connection's state, `onUnauthorized` a 401 (session ended: no reconnect).
 */
export function openReportStream(
  token: string,
  handlers: {
    readonly onReport: (report: ReportResponse) => void;
    readonly onState: (state: StreamState) => void;
    readonly onUnauthorized: () => void;
  },
): { close(): void } {
  let closed = false;
  let lastEventId: string | null = null;
  let retryMs = 2000;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const connect = async () => {
    if (closed) return;
    handlers.onState('connecting');
    controller = new AbortController();
    try {
      const response = await fetch('/api/v1/reports/stream', {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          ...(lastEventId === null ? {} : { 'last-event-id': lastEventId }),
        },
        cache: 'no-store',
        signal: controller.signal,
      });
      if (response.status === 401) {
        closed = true;
        handlers.onState('closed');
        handlers.onUnauthorized();
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
      handlers.onState('open');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const parsed = parseEventStream(buffer);
        buffer = parsed.rest;
        for (const e of parsed.events) {
          if (e.retry !== null) retryMs = e.retry;
          if (e.id !== null) lastEventId = e.id;
          if (e.event !== 'report' || e.data === '') continue;
          try {
            handlers.onReport(JSON.parse(e.data) as ReportResponse);
          } catch {
            // A malformed event is skipped; the list view still shows every report.
          }
        }
      }
    } catch {
      // Network gone or aborted: reconnect below unless closed.
    }
    if (closed) return;
    handlers.onState('connecting');
    timer = setTimeout(() => void connect(), retryMs);
  };
  void connect();
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      controller?.abort();
      handlers.onState('closed');
    },
  };
}
