import type { ImportStatusResponse as ImportStatus } from '../contracts/epidemic.ts';

/**
 * One self-rewriting status line for a terminal: rows, rows/s, ETA (from the bytes read against the
 * file size) and a bar. Twenty lines of code do not justify a dependency.
 */
export function importProgress(
  out: NodeJS.WriteStream,
  startedAt: number,
  now: () => number = Date.now,
): { update(s: ImportStatus): void; done(): void } {
  const tty = out.isTTY;
  let last = 0;
  return {
    update(s) {
      if (!tty) return;
      const t = now();
      if (t - last < 200 && s.status === 'running') return;
      last = t;
      const seconds = Math.max((t - startedAt) / 1000, 0.001);
      const rate = s.rowsRead / seconds;
      const fraction =
        s.bytesTotal !== null && s.bytesTotal > 0 ? Math.min(s.bytesRead / s.bytesTotal, 1) : null;
      const eta = fraction !== null && fraction > 0 ? (seconds / fraction) * (1 - fraction) : null;
      const width = 24;
      const bar =
        fraction === null
          ? ''
          : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)} % `;
      out.write(
        `\r${bar}${s.rowsRead.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s  ETA ${eta === null ? '?' : formatDuration(eta)}  invalid ${s.rowsInvalid.toLocaleString('en')}\u001b[K`,
      );
    },
    done() {
      if (tty) out.write('\n');
    },
  };
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The same kind of line for work counted in items (bulk paper codes): a bar, done/total, items/s,
 * ETA from the rate so far, and how many were skipped. Only on a terminal, like the import's.
 */
export function countProgress(
  out: { readonly isTTY?: boolean; write(text: string): unknown },
  now: () => number = Date.now,
): {
  update(s: { label: string; done: number; total: number; skipped: number }): void;
  done(): void;
} {
  const tty = out.isTTY === true;
  let last = 0;
  let phase = '';
  let phaseStartedAt = now();
  let wrote = false;
  return {
    update(s) {
      if (!tty) return;
      const t = now();
      if (s.label !== phase) {
        // Each phase keeps its last line: a new phase starts on the next line.
        if (wrote) out.write('\n');
        phase = s.label;
        phaseStartedAt = t;
      } else if (t - last < 200 && s.done < s.total) return;
      last = t;
      wrote = true;
      const seconds = Math.max((t - phaseStartedAt) / 1000, 0.001);
      const rate = s.done / seconds;
      const fraction = s.total > 0 ? Math.min(s.done / s.total, 1) : 1;
      const eta = rate > 0 ? (s.total - s.done) / rate : null;
      const width = 24;
      const bar = `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)} %`;
      out.write(
        `\r${bar}  ${s.label} ${s.done.toLocaleString('en')}/${s.total.toLocaleString('en')}  ${rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en')}/s  ETA ${eta === null ? '?' : formatDuration(eta)}  skipped ${s.skipped.toLocaleString('en')}\u001b[K`,
      );
    },
    done() {
      if (tty && wrote) out.write('\n');
    },
  };
}
