import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DAY_MS, epochMs } from '../domain/types.ts';
import { encodeHealthCode, signingKeyFromMaterial } from '../domain/token/index.ts';
import { VENUE_KIND_LABEL } from '../domain/venues/index.ts';
import { renderPlacePoster, type PlacePosterInput } from './index.ts';

const key = signingKeyFromMaterial({
  kid: 'AQIDBAUGBwg',
  seed: new Uint8Array(32).fill(1),
  secret: new Uint8Array(32).fill(2),
});
const issuedAt = epochMs(Date.parse('2020-02-20T08:00:00Z'));
const placeCode = encodeHealthCode(
  {
    kind: 'place',
    colour: 'green',
    issuer: 'CN-37',
    issuedAt,
    expiresAt: epochMs(issuedAt + 365 * DAY_MS),
    subject: new Uint8Array(16).fill(7),
  },
  key,
);

const TOOLS = ['pdftotext', 'pdftoppm', 'pdfinfo', 'pdffonts', 'zbarimg'];

function missingTools(): string[] {
  return TOOLS.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

const missing = missingTools();
const missingReason = `${missing.join(', ')} not found: install poppler-utils and zbar-tools`;
/** Each test is skipped, with the reason, when poppler or zbar is missing; in CI it fails instead (see .ci/run). */
const skipWithoutTools = missing.length > 0 && process.env['CI'] !== 'true' ? { skip: missingReason } : {};

const dir = mkdtempSync(join(tmpdir(), 'hpc-poster-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8' });

const cases: { name: string; input: PlacePosterInput }[] = [
  {
    name: 'community with a signed place code',
    input: {
      venueName: '济南市历下区泉城路街道山大花园小区东门',
      venueKindLabelZh: VENUE_KIND_LABEL.residentialCommunity['zh-CN'],
      venueKindLabelEn: VENUE_KIND_LABEL.residentialCommunity.en,
      placeCodeText: placeCode,
      url: 'https://healthcode.example.cn/p/0707070707070707',
      support: { phone: '0531-12345', hours: '8:00–20:00', url: 'https://help.example.cn/healthcode' },
    },
  },
  {
    name: 'a 100-character name and a short code',
    input: {
      venueName: '青岛市市南区香港中路沿街商铺'.repeat(7).slice(0, 100),
      venueKindLabelZh: VENUE_KIND_LABEL.streetShop['zh-CN'],
      venueKindLabelEn: VENUE_KIND_LABEL.streetShop.en,
      placeCodeText: 'HPC1:SHORT',
    },
  },
];

void describe('place-code poster', () => {
  void test('is a one-page A4 PDF with both Noto Sans SC weights embedded as subsets', async () => {
    const first = cases[0];
    assert.ok(first);
    const pdf = await renderPlacePoster(first.input);
    const raw = pdf.toString('latin1');
    assert.ok(raw.startsWith('%PDF-'));
    assert.equal(raw.match(/\/Type \/Page\b/g)?.length, 1);
    assert.match(raw, /\/MediaBox \[0 0 595\.28 841\.89\]/);
    // A subset font's name carries a six-letter tag; the whole 10 MB files must not be embedded.
    assert.match(raw, /\/BaseFont \/[A-Z]{6}\+NotoSansSC-Bold/);
    assert.match(raw, /\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    assert.ok(pdf.length < 100_000, `poster is ${pdf.length} bytes`);
  });

  for (const { name, input } of cases) {
    void test(name, skipWithoutTools, async () => {
      if (missing.length > 0) assert.fail(`${missingReason}; CI must have them`);
      const pdf = await renderPlacePoster(input);
      const file = join(dir, `${name.replace(/\W+/g, '-')}.pdf`);
      writeFileSync(file, pdf);

      const info = run('pdfinfo', [file]);
      assert.match(info, /^Pages:\s+1$/m);
      assert.match(info, /^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
      assert.match(run('pdffonts', [file]), /NotoSansSC-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);

      // pdftotext breaks long lines where the layout wrapped them; compare without white space.
      const text = run('pdftotext', ['-enc', 'UTF-8', file, '-']);
      const flat = text.replace(/\s+/g, '');
      for (const expected of [
        input.venueName,
        input.venueKindLabelZh,
        '请扫码进入',
        '无码、红码或黄码，请勿进入。',
        ...(input.url === undefined ? [] : [input.url]),
        ...(input.support === undefined
          ? []
          : ['咨询电话', input.support.phone, input.support.hours, input.support.url ?? '']),
      ]) {
        assert.ok(flat.includes(expected.replace(/\s+/g, '')), `"${expected}" in:\n${text}`);
      }
      for (const expected of [input.venueKindLabelEn, 'Scan to enter', 'Show your code to the staff.']) {
        assert.ok(text.includes(expected), `"${expected}" in:\n${text}`);
      }

      const prefix = file.replace(/\.pdf$/, '');
      run('pdftoppm', ['-r', '150', '-png', '-singlefile', file, prefix]);
      const decoded = run('zbarimg', ['--nodbus', '--quiet', '--raw', `${prefix}.png`]);
      assert.equal(decoded, `${input.placeCodeText}\n`, 'exactly one QR, decoding to the place code');
    });
  }
});
