/**
 * A fake camera for browser tests: writes a YUV4MPEG2 (.y4m) video that Chromium plays as the
 * webcam with `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE.y4m`.
 * Each frame shows a QR centred on white, redrawn module by module so that every module is a
 * whole number of pixels (at least 4), whatever the scale of the source image.
 *
 * Written by hand rather than with ffmpeg: the format is a text header and raw planes, and the
 * tests then need no extra system package.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create } from 'qrcode';

/** A QR as a PNG file path or its bytes, a text to encode, or a frame with no QR at all. */
export type FakeCameraImage = string | Buffer | { readonly qrText: string } | { readonly blank: true };

export interface FakeCameraOptions {
  /** Pixels; even. Default 640×480, what getUserMedia asks for by default. */
  readonly width?: number;
  readonly height?: number;
  /** Frames per second. Default 10. */
  readonly fps?: number;
  /** How many frames each image is shown for. Default 5; Chromium loops the file. */
  readonly framesPerImage?: number;
}

export interface FakeCameraVideo {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: number;
  /** Pixels per module of each image's QR; null for a blank frame. */
  readonly modulePx: readonly (number | null)[];
}

/** Modules of white around the symbol (ISO/IEC 18004 asks for at least 4). */
const QUIET_ZONE = 4;
/** Below this, decoders in the browser start to miss modules after Chromium's scaling. */
const MIN_MODULE_PX = 4;
/** Video (BT.601 "limited") range: what Chromium assumes for Y4M input. */
const Y_BLACK = 16;
const Y_WHITE = 235;
const CHROMA_NEUTRAL = 128;

interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits per channel. */
  readonly data: Buffer;
}
interface PngJs {
  readonly PNG: { readonly sync: { read(buffer: Buffer): DecodedPng } };
}
// pngjs comes with qrcode and has no bundled types; this is the one call used.
const { PNG } = createRequire(import.meta.url)('pngjs') as PngJs;

/** A square QR module matrix, true = dark. */
type Matrix = readonly (readonly boolean[])[];

/**
 * Writes `outFile` and describes it. Images are shown in order, each for `framesPerImage` frames;
 * throws when an image is not a QR or its modules would be under 4 px in the frame.
 */
export function writeFakeCameraVideo(
  images: FakeCameraImage | readonly FakeCameraImage[],
  outFile: string,
  options: FakeCameraOptions = {},
): FakeCameraVideo {
  const { width = 640, height = 480, fps = 10, framesPerImage = 5 } = options;
  for (const [name, value] of Object.entries({ width, height, fps, framesPerImage })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  // 4:2:0 halves both dimensions for the chroma planes.
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError('width and height must be even (4:2:0)');
  const list: readonly FakeCameraImage[] = Array.isArray(images) ? images : [images as FakeCameraImage];
  if (list.length === 0) throw new RangeError('give at least one image');

  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'latin1');
  const frameHeader = Buffer.from('FRAME\n', 'latin1');
  const parts: Buffer[] = [header];
  const modulePx: (number | null)[] = [];
  for (const image of list) {
    const matrix = isBlank(image) ? null : toMatrix(image);
    const { frame, px } = renderFrame(matrix, width, height);
    modulePx.push(px);
    for (let i = 0; i < framesPerImage; i++) parts.push(frameHeader, frame);
  }
  writeFileSync(outFile, Buffer.concat(parts));
  return { file: outFile, width, height, fps, frames: list.length * framesPerImage, modulePx };
}

/** The Chromium flags that play `file` as the only camera and grant camera access without a prompt. */
export function fakeCameraChromiumArgs(file: string): string[] {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${file}`,
  ];
}

function isBlank(image: FakeCameraImage): image is { readonly blank: true } {
  return typeof image === 'object' && 'blank' in image;
}

function toMatrix(image: Exclude<FakeCameraImage, { readonly blank: true }>): Matrix {
  if (typeof image === 'object' && 'qrText' in image) {
    const { modules } = create(image.qrText, { errorCorrectionLevel: 'M' });
    return Array.from({ length: modules.size }, (_, r) =>
      Array.from({ length: modules.size }, (_, c) => modules.get(r, c) !== 0),
    );
  }
  const png = PNG.sync.read(typeof image === 'string' ? readFileSync(image) : image);
  return matrixFromPng(png, typeof image === 'string' ? image : 'the PNG');
}

/**
 * Reads the module grid back from a QR image at any scale: the symbol's bounding box, the module
 * size from the top-left finder pattern (its top edge is 7 dark modules), then one sample at the
 * centre of each module.
 */
function matrixFromPng(png: DecodedPng, name: string): Matrix {
  const dark = (x: number, y: number): boolean => {
    const i = (y * png.width + x) * 4;
    const [r = 0, g = 0, b = 0, a = 0] = png.data.subarray(i, i + 4);
    // Transparent pixels are paper: composite over white.
    const luma = ((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255 + (255 - a);
    return luma < 128;
  };
  let left = png.width;
  let top = png.height;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      if (!dark(x, y)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) throw new Error(`${name} has no dark pixels: it is not a QR image`);
  let run = 0;
  while (left + run <= right && dark(left + run, top)) run++;
  const boxWidth = right - left + 1;
  const boxHeight = bottom - top + 1;
  const size = Math.round((boxWidth * 7) / run);
  // Versions 1–40 are 21 + 4k modules wide, and the symbol is square.
  if (size < 21 || size > 177 || (size - 21) % 4 !== 0 || Math.abs(boxWidth - boxHeight) > boxWidth / size) {
    throw new Error(
      `${name} does not look like a QR symbol (${boxWidth}×${boxHeight} px, finder edge ${run} px)`,
    );
  }
  const step = boxWidth / size;
  const stepY = boxHeight / size;
  return Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) =>
      dark(left + Math.floor((c + 0.5) * step), top + Math.floor((r + 0.5) * stepY)),
    ),
  );
}

/** One I420 frame: Y plane, then U and V at half resolution (neutral: the picture is grey). */
function renderFrame(
  matrix: Matrix | null,
  width: number,
  height: number,
): { frame: Buffer; px: number | null } {
  const lumaSize = width * height;
  const frame = Buffer.alloc(lumaSize + 2 * (width / 2) * (height / 2), CHROMA_NEUTRAL);
  frame.fill(Y_WHITE, 0, lumaSize);
  if (matrix === null) return { frame, px: null };
  const size = matrix.length;
  const px = Math.floor(Math.min(width, height) / (size + 2 * QUIET_ZONE));
  if (px < MIN_MODULE_PX) {
    throw new RangeError(
      `A QR of ${size} modules needs a frame of at least ${(size + 2 * QUIET_ZONE) * MIN_MODULE_PX} px ` +
        `for ${MIN_MODULE_PX} px per module; use a larger width and height or a shorter text`,
    );
  }
  const left = Math.floor((width - size * px) / 2);
  const top = Math.floor((height - size * px) / 2);
  matrix.forEach((row, r) => {
    row.forEach((isDark, c) => {
      if (!isDark) return;
      for (let y = top + r * px; y < top + (r + 1) * px; y++) {
        frame.fill(Y_BLACK, y * width + left + c * px, y * width + left + (c + 1) * px);
      }
    });
  });
  return { frame, px };
}
