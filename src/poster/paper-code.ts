/**
 * The printable paper health code (纸质健康码, S3): for elderly people and children without a phone,
 * a family member or the community office prints the code on A4 or A6. The page shows the QR, the
 * masked name (S18: never the full name), the colour when printed, when it was printed and until
 * when it is valid, and what to do, in Chinese and English. Fonts and QR drawing are shared with the
 * place-code poster (pdf-kit.ts).
 */
import PDFDocument from 'pdfkit';
import {
  collectPdf,
  drawQr,
  fitFontSize,
  registerFonts,
  supportLine,
  type PrintedSupport,
} from './pdf-kit.ts';

export type PaperSize = 'A4' | 'A6';
export const PAPER_SIZES: readonly PaperSize[] = ['A4', 'A6'];

export interface PaperCodeInput {
  /** Already masked, e.g. '张*三' (maskName, S18) — never the full name. Must contain a '*'. */
  readonly maskedName: string;
  /** The colour when printed. */
  readonly colour: 'green' | 'yellow' | 'red';
  /** The QR text, e.g. 'HPC1:…', encoded exactly as given. */
  readonly codeText: string;
  /** Display text in China time, e.g. '2026-12-06 10:00'. */
  readonly printedAt: string;
  /** Display text, e.g. '2026-12-20 10:00'. */
  readonly validUntil: string;
  /** A short id printed small, so a lost code can be revoked. */
  readonly serial?: string;
  /** The support contact (S15), printed at the foot. */
  readonly support?: PrintedSupport;
}

const INK = '#111111';
const MUTED = '#555555';

const COLOUR: Readonly<
  Record<PaperCodeInput['colour'], { fill: string; text: string; zh: string; en: string }>
> = {
  green: { fill: '#0a7d3e', text: '#ffffff', zh: '绿码', en: 'Green' },
  // White on yellow is unreadable: yellow takes dark text.
  yellow: { fill: '#f2c200', text: INK, zh: '黄码', en: 'Yellow' },
  red: { fill: '#c62828', text: '#ffffff', zh: '红码', en: 'Red' },
};

/** Sizes in points (1/72 inch). A4 is 595.28 × 841.89, A6 is 297.64 × 419.53. */
interface Layout {
  readonly margin: number;
  readonly headline: number;
  readonly subline: number;
  readonly nameMax: number;
  readonly nameMin: number;
  readonly band: number;
  readonly label: number;
  /** The QR, quiet zone included, is as large as fits up to this. */
  readonly qrMax: number;
  readonly body: number;
  readonly small: number;
  readonly gap: number;
}

const LAYOUT: Readonly<Record<PaperSize, Layout>> = {
  // 120 mm: scanned at arm's length from a sheet held up or lying on a counter.
  A4: {
    margin: 48,
    headline: 30,
    subline: 16,
    nameMax: 48,
    nameMin: 24,
    band: 44,
    label: 24,
    qrMax: 340,
    body: 14,
    small: 11,
    gap: 14,
  },
  // As large as fits: about 70 mm on A6, never below 60 mm (170 pt).
  A6: {
    margin: 14,
    headline: 14,
    subline: 8,
    nameMax: 22,
    nameMin: 12,
    band: 20,
    label: 11,
    qrMax: 270,
    body: 8,
    small: 6.5,
    gap: 5,
  },
};

/** 60 mm in points: below this a QR of ~250 characters gets hard to scan from paper. */
const QR_MIN = 170;

const INSTRUCTION_ZH = '出示此码供工作人员扫描。码上颜色为打印时颜色，在线查验以当前颜色为准。';
const INSTRUCTION_EN =
  'Show this code to the staff to scan. The colour is the colour when printed; online checks use the current colour.';
const REPRINT_ZH = '过期或遗失请重新打印。';
const REPRINT_EN = 'Expired or lost: print a new one.';

/** One resident's paper code, one page. */
export async function renderPaperCode(input: PaperCodeInput, size: PaperSize): Promise<Buffer> {
  return renderPaperCodes([input], size);
}

/** Many residents' paper codes in one PDF, one per page (a community office printing for its elderly). */
export async function renderPaperCodes(
  inputs: readonly PaperCodeInput[],
  size: PaperSize,
  onPage?: (done: number, total: number) => void,
): Promise<Buffer> {
  if (inputs.length === 0) throw new RangeError('No paper codes to print.');
  for (const input of inputs) {
    // A full name on paper is lost with the paper (S18); maskName always leaves a '*'.
    if (!input.maskedName.includes('*')) {
      throw new RangeError('maskedName must be masked (maskName), never the full name.');
    }
    if (input.codeText.length === 0) throw new RangeError('codeText is empty.');
  }
  const layout = LAYOUT[size];
  const doc = new PDFDocument({
    size,
    margin: layout.margin,
    lang: 'zh-CN',
    autoFirstPage: false,
    info: { Title: '健康通行码（纸质） / Paper health pass code', Creator: 'healthcode' },
  });
  const done = collectPdf(doc);
  registerFonts(doc);
  inputs.forEach((input, i) => {
    doc.addPage({ size, margin: layout.margin });
    drawPage(doc, input, layout);
    onPage?.(i + 1, inputs.length);
  });
  doc.end();
  return done;
}

function drawPage(doc: PDFKit.PDFDocument, input: PaperCodeInput, l: Layout): void {
  // Every position is computed; text near the bottom margin must not start a new page.
  doc.page.margins.bottom = 0;
  const pageWidth = doc.page.width;
  const pageHeight = doc.page.height;
  const width = pageWidth - 2 * l.margin;
  const centred = { width, align: 'center' } as const;
  const colour = COLOUR[input.colour];

  doc.rect(0, 0, pageWidth, l.margin / 3).fill(colour.fill);
  doc
    .fillColor(INK)
    .font('bold')
    .fontSize(l.headline)
    .text('健康通行码（纸质）', l.margin, l.margin * 0.6, centred);
  doc.font('regular').fontSize(l.subline).fillColor(MUTED).text('Paper health pass code', centred);

  let y = doc.y + l.gap / 2;
  const nameSize = fitFontSize(doc, input.maskedName, width, l.nameMax * 1.5, l.nameMax, l.nameMin);
  doc.font('bold').fontSize(nameSize).fillColor(INK).text(input.maskedName, l.margin, y, centred);

  y = doc.y + l.gap / 2;
  doc.rect(l.margin, y, width, l.band).fill(colour.fill);
  doc.font('bold').fontSize(l.label);
  const labelY = y + (l.band - doc.currentLineHeight()) / 2;
  doc
    .fillColor(colour.text)
    .text(`${colour.zh} / ${colour.en}`, l.margin, labelY, { ...centred, lineBreak: false });
  y += l.band + l.gap / 2;

  const footer = footerLines(input);
  const footerHeight = footer.reduce(
    (sum, line) =>
      sum +
      doc
        .font(line.bold ? 'bold' : 'regular')
        .fontSize(line.size(l))
        .heightOfString(line.text, centred),
    0,
  );
  const qr = Math.min(l.qrMax, width, pageHeight - l.margin - footerHeight - l.gap - y);
  if (qr < QR_MIN) throw new RangeError(`The paper code's QR would be ${qr.toFixed(0)} pt, under 60 mm.`);
  drawQr(doc, input.codeText, (pageWidth - qr) / 2, y, qr);
  y += qr + l.gap / 2;

  for (const line of footer) {
    doc
      .font(line.bold ? 'bold' : 'regular')
      .fontSize(line.size(l))
      .fillColor(line.muted ? MUTED : INK)
      .text(line.text, l.margin, y, centred);
    y = doc.y;
  }
}

interface FooterLine {
  readonly text: string;
  readonly size: (l: Layout) => number;
  readonly bold?: boolean;
  readonly muted?: boolean;
}

function footerLines(input: PaperCodeInput): FooterLine[] {
  const body = (l: Layout): number => l.body;
  const small = (l: Layout): number => l.small;
  return [
    { text: `打印时间 / Printed at: ${input.printedAt}`, size: body },
    { text: `有效期至 / Valid until: ${input.validUntil}`, size: body, bold: true },
    { text: INSTRUCTION_ZH, size: small, bold: true },
    { text: INSTRUCTION_EN, size: small, muted: true },
    { text: `${REPRINT_ZH} ${REPRINT_EN}`, size: small, muted: true },
    ...(input.serial === undefined
      ? []
      : [{ text: `编号 / Serial: ${input.serial}`, size: small, muted: true }]),
    ...(input.support === undefined ? [] : [{ text: supportLine(input.support), size: small, muted: true }]),
  ];
}
