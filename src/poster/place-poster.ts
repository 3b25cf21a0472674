/**
 * The printable A4 place-code poster (场所码, S4): venue name and kind, the QR, and what to do, in
 * Chinese and English. The font is Noto Sans SC from npm, so posters print on a machine without
 * any system CJK font; pdfkit embeds only the glyphs used, so a poster stays tens of kilobytes.
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

export interface PlacePosterInput {
  readonly venueName: string;
  readonly venueKindLabelZh: string;
  readonly venueKindLabelEn: string;
  /** The place code's QR text, encoded exactly as given. */
  readonly placeCodeText: string;
  /** Printed small under the QR, for people who type it in instead of scanning. */
  readonly url?: string;
  /** The support contact (S15), printed at the foot. */
  readonly support?: PrintedSupport;
}

/** Points (1/72 inch). A4 is 595.28 × 841.89. */
const MARGIN = 48;
/** 110 mm: scannable from a metre or two away, and leaves room for the text. */
const QR_SIZE = 312;
const INK = '#111111';
const MUTED = '#555555';
const ACCENT = '#0a7d3e';

const INSTRUCTIONS: readonly (readonly [zh: string, en: string])[] = [
  ['打开健康通行码，扫描上方场所码。', 'Scan this place code with the health pass code app.'],
  ['向工作人员出示您的健康通行码。', 'Show your code to the staff.'],
  ['无码、红码或黄码，请勿进入。', 'No code, red or yellow code: no entry.'],
];

/**
 * Renders the poster. The QR is drawn as vector squares (error correction Q: a poster on a wall gets
 * dirty, creased and laminated with glare), so it stays sharp at any printer resolution.
 */
export async function renderPlacePoster(input: PlacePosterInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    lang: 'zh-CN',
    info: {
      Title: `${input.venueName} 场所码 / Place code`,
      Subject: `${input.venueKindLabelZh} / ${input.venueKindLabelEn}`,
      Creator: 'healthcode',
    },
  });
  const done = collectPdf(doc);
  registerFonts(doc);

  const pageWidth = doc.page.width;
  const width = pageWidth - 2 * MARGIN;
  const centred = { width, align: 'center' } as const;

  doc.rect(0, 0, pageWidth, 12).fill(ACCENT);
  doc.fillColor(INK).font('bold').fontSize(40).text('请扫码进入', MARGIN, 40, centred);
  doc.font('regular').fontSize(20).fillColor(MUTED).text('Scan to enter', centred);

  let y = doc.y + 16;
  const nameSize = fitFontSize(doc, input.venueName, width, 96);
  doc.font('bold').fontSize(nameSize).fillColor(INK).text(input.venueName, MARGIN, y, centred);
  doc
    .font('regular')
    .fontSize(14)
    .fillColor(MUTED)
    .text(`${input.venueKindLabelZh} · ${input.venueKindLabelEn}`, centred);

  y = doc.y + 12;
  drawQr(doc, input.placeCodeText, (pageWidth - QR_SIZE) / 2, y, QR_SIZE);
  y += QR_SIZE;
  if (input.url !== undefined) {
    doc.font('regular').fontSize(10).fillColor(MUTED).text(input.url, MARGIN, y, centred);
    y = doc.y;
  }

  y += 16;
  INSTRUCTIONS.forEach(([zh, en], i) => {
    doc
      .font('bold')
      .fontSize(16)
      .fillColor(INK)
      .text(`${i + 1}. ${zh}`, MARGIN + 40, y, { width: width - 40 });
    doc
      .font('regular')
      .fontSize(12)
      .fillColor(MUTED)
      .text(en, MARGIN + 40 + 17, doc.y, { width: width - 57 });
    y = doc.y + 8;
  });

  const footerY = doc.page.height - MARGIN + 8;
  // Text below the bottom margin would otherwise start a new page.
  doc.page.margins.bottom = 0;
  if (input.support !== undefined) {
    // Its own line above the footer, wrapped if a long help address needs it.
    const line = supportLine(input.support);
    doc.font('regular').fontSize(11);
    const height = doc.heightOfString(line, centred);
    doc.fillColor(INK).text(line, MARGIN, footerY - 6 - height, centred);
  }
  doc
    .font('regular')
    .fontSize(10)
    .fillColor(MUTED)
    .text('健康通行码 · Health pass code', MARGIN, footerY, {
      ...centred,
      lineBreak: false,
    });
  doc.end();
  return done;
}
