/**
 * What the printable PDFs share (the place-code poster and the paper health code): the embedded
 * Noto Sans SC font, collecting a pdfkit document into a Buffer, fitting text, and drawing a QR.
 */
import { createRequire } from 'node:module';
import { create } from 'qrcode';

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type FontWeight = keyof typeof FONT_FILES;

/** Paths are resolved per call, not cached: each file is 10 MB and PDFs are printed rarely. */
export function fontPath(weight: FontWeight): string {
  try {
    return require.resolve(FONT_FILES[weight]);
  } catch (cause) {
    throw new Error(
      `The poster font ${FONT_FILES[weight]} is missing: run npm install (package @expo-google-fonts/noto-sans-sc).`,
      { cause },
    );
  }
}

/** Registers Noto Sans SC as the fonts 'regular' and 'bold'; pdfkit embeds only the glyphs used. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  doc.registerFont('regular', fontPath('regular'));
  doc.registerFont('bold', fontPath('bold'));
}

/** The document's bytes once `doc.end()` has been called. Call before drawing anything. */
export function collectPdf(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/**
 * The largest bold size, `max` down to `min` in steps of 2 pt, at which `text` fits `maxHeight`
 * in a centred box `width` wide (at `min` it may not fit; the caller chose `min` so it does).
 */
export function fitFontSize(
  doc: PDFKit.PDFDocument,
  text: string,
  width: number,
  maxHeight: number,
  max = 40,
  min = 14,
): number {
  doc.font('bold');
  let size = max;
  while (size > min && doc.fontSize(size).heightOfString(text, { width, align: 'center' }) > maxHeight) {
    size -= 2;
  }
  return size;
}

/** Modules of white around the symbol; ISO/IEC 18004 asks for at least 4. */
export const QUIET_ZONE = 4;

/**
 * Draws `text` as a QR (error correction Q) in the square at (x, y) of side `size`, quiet zone
 * included, as vector squares: sharp at any printer resolution.
 */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = create(text, { errorCorrectionLevel: 'Q' });
  const count = modules.size;
  const module = size / (count + 2 * QUIET_ZONE);
  const left = x + QUIET_ZONE * module;
  const top = y + QUIET_ZONE * module;
  // One path of row runs, filled once: adjacent squares filled separately leave hairline seams.
  for (let row = 0; row < count; row++) {
    let col = 0;
    while (col < count) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < count && modules.get(row, col)) col++;
      doc.rect(left + start * module, top + row * module, (col - start) * module, module);
    }
  }
  doc.fill('#000000');
}

/** The support contact (S15) as printed on posters and paper codes. */
export interface PrintedSupport {
  readonly phone: string;
  readonly hours: string;
  readonly url: string | null;
}

/** One line: "咨询电话 / Help: 12345 (8:00–20:00) · https://…". */
export function supportLine(support: PrintedSupport): string {
  return `咨询电话 / Help: ${support.phone} (${support.hours})${support.url === null ? '' : ` · ${support.url}`}`;
}
