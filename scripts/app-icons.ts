import { crc32, deflateSync } from 'node:zlib';

/**
 * The installable app's icons (web manifest, apple-touch-icon), drawn at build time: a white card
 * with three QR finder squares on the code's green, full bleed so the same image serves as a
 * maskable icon (everything that matters sits inside the central 80 % safe zone). No icon is
 * fetched from anywhere; PNG is written by hand with node:zlib (deflate and CRC-32).
 */

const GREEN = [0x1a, 0x7f, 0x37] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
const INK = [0x1f, 0x23, 0x28] as const;

type Rgb = readonly [number, number, number];

/** The colour at (u, v), both in 0..1 from the top left. */
function pixel(u: number, v: number): Rgb {
  // The card: 56 % of the side, centred, rounded corners.
  const card = 0.28;
  const du = Math.abs(u - 0.5);
  const dv = Math.abs(v - 0.5);
  const radius = 0.05;
  const inCard =
    du <= card &&
    dv <= card &&
    (du <= card - radius ||
      dv <= card - radius ||
      Math.hypot(du - (card - radius), dv - (card - radius)) <= radius);
  if (!inCard) return GREEN;
  // A 21 × 21 grid of modules inside the card's margin (the size of a version 1 QR code): finder
  // patterns in three corners and a fixed pseudo-random pattern elsewhere.
  const margin = 0.05;
  const size = 2 * (card - margin);
  const gx = Math.floor(((u - (0.5 - card + margin)) / size) * 21);
  const gy = Math.floor(((v - (0.5 - card + margin)) / size) * 21);
  if (gx < 0 || gy < 0 || gx > 20 || gy > 20) return WHITE;
  for (const [ox, oy] of [
    [0, 0],
    [14, 0],
    [0, 14],
  ] as const) {
    const x = gx - ox;
    const y = gy - oy;
    if (x >= -1 && x <= 7 && y >= -1 && y <= 7) {
      const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
      return ring === 3 || ring <= 1 ? INK : WHITE;
    }
  }
  return ((gx * 7 + gy * 13 + gx * gy * 5) % 11) % 2 === 0 ? INK : WHITE;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A square RGB PNG of the icon, `size` pixels a side (2 × 2 supersampled edges). */
export function renderIconPng(size: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [sx, sy] of [
        [0.25, 0.25],
        [0.75, 0.25],
        [0.25, 0.75],
        [0.75, 0.75],
      ] as const) {
        const c = pixel((x + sx) / size, (y + sy) / size);
        r += c[0];
        g += c[1];
        b += c[2];
      }
      row[1 + x * 3] = Math.round(r / 4);
      row[2 + x * 3] = Math.round(g / 4);
      row[3 + x * 3] = Math.round(b / 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The theme colour of the manifest and `<meta name="theme-color">`: the code's green. */
export const THEME_COLOUR = '#1a7f37';
