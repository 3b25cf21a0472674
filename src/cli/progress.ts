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
