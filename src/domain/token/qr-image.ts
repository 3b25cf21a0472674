/** QR images of a token. Error correction M (15 % of codewords recoverable). */
import { create, toBuffer } from 'qrcode';

/** Modules of white border on each side; ISO/IEC 18004 asks for at least 4. */
const QUIET_ZONE = 4;

/**
 * A self-contained SVG of the QR symbol, one user unit per module; size it with CSS. Built from
 * the module matrix rather than the package's SVG renderer, whose API is callback/promise shaped.
 */
export function renderQrSvg(text: string): string {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const total = size + 2 * QUIET_ZONE;
  let path = '';
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules.get(row, col)) col++;
      path += `M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h-${col - start}z`;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${total} ${total}" shape-rendering="crispEdges">` +
    `<rect width="${total}" height="${total}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}

/** A PNG of the QR symbol; `scale` is pixels per module. */
export async function renderQrPng(text: string, scale = 8): Promise<Buffer> {
  return toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: QUIET_ZONE, scale });
}
