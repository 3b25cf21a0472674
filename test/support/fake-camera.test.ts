import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { launchChromium } from './chromium.ts';
import { needsTools, runTool } from './machine.ts';
import { renderQrPng } from '../../src/domain/token/index.ts';
import { fakeCameraChromiumArgs, writeFakeCameraVideo } from './fake-camera.ts';

/** A realistic personal-code length (about 150 characters, as the platform issues). */
const TEXT = `HPC1:${'6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3'.repeat(3)}`;

const dir = mkdtempSync(join(tmpdir(), 'hpc-fake-camera-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const zbar = needsTools('zbarimg');
const browser = needsTools('chromium', 'zbarimg');

function scan(file: string): string {
  return runTool('zbarimg', ['--nodbus', '--quiet', '--raw', file]);
}

interface ParsedY4m {
  readonly header: string;
  readonly width: number;
  readonly height: number;
  readonly frames: Buffer[];
}

/** An independent reader of the file, strict about the layout Chromium expects. */
function parseY4m(file: string): ParsedY4m {
  const bytes = readFileSync(file);
  const end = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, end).toString('latin1');
  const width = Number(/ W(\d+)/.exec(header)?.[1]);
  const height = Number(/ H(\d+)/.exec(header)?.[1]);
  const frameBytes = (width * height * 3) / 2;
  const frames: Buffer[] = [];
  let at = end + 1;
  while (at < bytes.length) {
    assert.equal(bytes.subarray(at, at + 6).toString('latin1'), 'FRAME\n', `frame marker at byte ${at}`);
    frames.push(bytes.subarray(at + 6, at + 6 + frameBytes));
    at += 6 + frameBytes;
  }
  assert.equal(at, bytes.length, 'the file ends after a whole frame');
  return { header, width, height, frames };
}

/** The luma plane of a frame as a binary PGM, which zbarimg reads. */
function lumaAsPgm(video: ParsedY4m, index: number, file: string): string {
  const frame = video.frames[index];
  assert.ok(frame, `frame ${index} exists`);
  const luma = frame.subarray(0, video.width * video.height);
  writeFileSync(file, Buffer.concat([Buffer.from(`P5\n${video.width} ${video.height}\n255\n`), luma]));
  return file;
}

void describe('fake camera video', () => {
  void test('a PNG becomes a 640×480 4:2:0 video with the QR readable in every frame', zbar, async () => {
    const out = join(dir, 'png.y4m');
    const info = writeFakeCameraVideo(await renderQrPng(TEXT, 3), out);
    assert.deepEqual(
      { ...info, modulePx: info.modulePx.map((px) => (px ?? 0) >= 4) },
      { file: out, width: 640, height: 480, fps: 10, frames: 5, modulePx: [true] },
    );
    const video = parseY4m(out);
    assert.equal(video.header, 'YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg');
    assert.equal(video.frames.length, 5);
    const first = video.frames[0];
    assert.ok(first);
    // Chroma is neutral (a grey picture), and every frame is the same.
    assert.ok(first.subarray(640 * 480).every((b) => b === 128));
    assert.ok(video.frames.every((f) => f.equals(first)));
    assert.equal(scan(lumaAsPgm(video, 0, join(dir, 'png-0.pgm'))), TEXT);
  });

  void test('a PNG file path, a text and a blank frame, with options', zbar, async () => {
    const png = join(dir, 'qr.png');
    writeFileSync(png, await renderQrPng('HPC1:SECOND', 11));
    const out = join(dir, 'sequence.y4m');
    const info = writeFakeCameraVideo([{ blank: true }, png, { qrText: TEXT }], out, {
      width: 320,
      height: 240,
      fps: 5,
      framesPerImage: 2,
    });
    assert.equal(info.frames, 6);
    assert.equal(info.modulePx[0], null);
    const video = parseY4m(out);
    assert.equal(video.header, 'YUV4MPEG2 W320 H240 F5:1 Ip A1:1 C420jpeg');
    assert.equal(video.frames.length, 6);
    const blankLuma = video.frames[0]?.subarray(0, 320 * 240);
    assert.ok(
      blankLuma?.every((y) => y === 235),
      'the blank frame is white',
    );
    assert.equal(scan(lumaAsPgm(video, 2, join(dir, 'seq-2.pgm'))), 'HPC1:SECOND');
    assert.equal(scan(lumaAsPgm(video, 5, join(dir, 'seq-5.pgm'))), TEXT);
  });

  void test('refuses what it cannot show', async () => {
    const out = join(dir, 'refused.y4m');
    const pngjs = createRequire(import.meta.url)('pngjs') as {
      PNG: {
        new (o: { width: number; height: number }): { data: Buffer };
        sync: { write(p: unknown): Buffer };
      };
    };
    const white = new pngjs.PNG({ width: 50, height: 50 });
    white.data.fill(255);
    assert.throws(() => writeFakeCameraVideo(pngjs.PNG.sync.write(white), out), /no dark pixels/);
    const square = new pngjs.PNG({ width: 50, height: 50 });
    square.data.fill(255);
    for (let i = 0; i < square.data.length; i += 4) if ((i / 4) % 50 < 25) square.data.fill(0, i, i + 3);
    assert.throws(() => writeFakeCameraVideo(pngjs.PNG.sync.write(square), out), /does not look like a QR/);
    assert.throws(
      () => writeFakeCameraVideo({ qrText: TEXT }, out, { width: 160, height: 120 }),
      /at least \d+ px/,
    );
    assert.throws(() => writeFakeCameraVideo({ qrText: 'x' }, out, { width: 641 }), /even/);
    assert.throws(() => writeFakeCameraVideo([], out), /at least one image/);
    assert.equal(existsSync(out), false);
  });

  void test(
    'Chromium plays it as the camera: a getUserMedia frame decodes to the QR text',
    browser,
    async () => {
      const out = join(dir, 'chromium.y4m');
      writeFakeCameraVideo({ qrText: TEXT }, out);
      const instance = await launchChromium(fakeCameraChromiumArgs(out));
      try {
        const page = await instance.newPage();
        // getUserMedia needs a secure context, which about:blank is not and localhost is; the
        // response is made up here, so nothing listens on a port.
        const url = 'http://localhost/fake-camera';
        await page.route(url, (route) =>
          route.fulfill({
            contentType: 'text/html',
            body: '<canvas id="c" width="640" height="480"></canvas>',
          }),
        );
        await page.goto(url);
        const frame = await page.evaluate(async () => {
          const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = stream;
          await video.play();
          const canvas = document.getElementById('c') as HTMLCanvasElement;
          const context = canvas.getContext('2d');
          if (context === null) throw new Error('no 2d context');
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
          let dark = 0;
          for (let i = 0; i < pixels.length; i += 4) if ((pixels[i] ?? 255) < 128) dark++;
          stream.getTracks().forEach((track) => track.stop());
          return {
            width: video.videoWidth,
            height: video.videoHeight,
            darkShare: dark / (pixels.length / 4),
          };
        });
        assert.equal(frame.width, 640);
        assert.equal(frame.height, 480);
        // Not Chromium's default green test pattern nor a blank frame: about a third of a QR is dark.
        assert.ok(frame.darkShare > 0.05 && frame.darkShare < 0.5, `dark share ${frame.darkShare}`);
        const shot = join(dir, 'chromium-frame.png');
        await page.locator('#c').screenshot({ path: shot });
        assert.equal(scan(shot), TEXT);
      } finally {
        await instance.close();
      }
    },
  );
});
