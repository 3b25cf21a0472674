/**
 * UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids made one
 * after another sort one after another, so a table keyed by them appends to its index instead of
 * writing a random page per row (the checks table takes thousands of rows a second). Written here
 * because Node 20's crypto has only v4 and the rule is ten lines.
 */
export function uuid7(nowMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new RangeError('uuid7 needs 10 random bytes');
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const ms = Math.floor(nowMs);
  const high = Math.floor(ms / 2 ** 16);
  const low = ms % 2 ** 16;
  const b = (i: number) => random[i] ?? 0;
  const version = 0x7000 | (((b(0) << 8) | b(1)) & 0x0fff);
  const variant = 0x8000 | (((b(2) << 8) | b(3)) & 0x3fff);
  let tail = '';
  for (let i = 4; i < 10; i++) tail += hex(b(i), 2);
  return `${hex(high, 8)}-${hex(low, 4)}-${hex(version, 4)}-${hex(variant, 4)}-${tail}`;
}
