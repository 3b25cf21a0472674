export { renderPlacePoster } from './place-poster.ts';
export type { PlacePosterInput } from './place-poster.ts';
export { PAPER_SIZES, renderPaperCode, renderPaperCodes } from './paper-code.ts';
export type { PaperCodeInput, PaperSize } from './paper-code.ts';
