/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

/**
 * UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids made one
 * after another sort one after another, so a table keyed by them appends to its index instead of
 * writing a random page per row (the checks table takes thousands of rows a second). Written here
 * because Node 20's crypto has only v4 and the rule is ten lines.
 */
export function uuid7(nowMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new RangeError('uuid7 needs 10 random bytes');
  // Every check on the server makes one of these, so it builds the text from a table, not closures.
  const ms = Math.floor(nowMs);
  const high = Math.floor(ms / 2 ** 16);
  return (
    HEX[(high >>> 24) & 0xff]! +
    HEX[(high >>> 16) & 0xff]! +
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    '-' +
    HEX[(ms >>> 8) & 0xff]! +
    HEX[ms & 0xff]! +
    '-' +
    HEX[0x70 | (random[0]! & 0x0f)]! +
    HEX[random[1]!]! +
    '-' +
    HEX[0x80 | (random[2]! & 0x3f)]! +
    HEX[random[3]!]! +
    '-' +
    HEX[random[4]!]! +
    HEX[random[5]!]! +
    HEX[random[6]!]! +
    HEX[random[7]!]! +
    HEX[random[8]!]! +
    HEX[random[9]!]!
  );
}
