import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeNeeding, runTool } from '../../test/support/machine.ts';
import { DAY_MS, epochMs } from '../domain/types.ts';
import { encodeHealthCode, signingKeyFromMaterial } from '../domain/token/index.ts';
import { PAPER_SIZES, renderPaperCode, renderPaperCodes, type PaperCodeInput } from './index.ts';

const key = signingKeyFromMaterial({
  kid: 'AQIDBAUGBwg',
  seed: new Uint8Array(32).fill(1),
  secret: new Uint8Array(32).fill(2),
});
const issuedAt = epochMs(Date.parse('2026-12-06T02:00:00Z'));

function paperCode(colour: PaperCodeInput['colour'], subjectByte: number): string {
  return encodeHealthCode(
    {
      kind: 'paper',
      colour,
      issuer: 'CN-37',
      issuedAt,
      expiresAt: epochMs(issuedAt + 14 * DAY_MS),
      subject: new Uint8Array(16).fill(subjectByte),
    },
    key,
  );
}

const unserialed = {
  maskedName: '张*三',
  colour: 'green',
  codeText: paperCode('green', 7),
  printedAt: '2026-12-06 10:00',
  validUntil: '2026-12-20 10:00',
} as const satisfies PaperCodeInput;
const input: PaperCodeInput = {
  ...unserialed,
  serial: 'P-7K3Q9',
  support: { phone: '12345', hours: '8:00–20:00', url: null },
};

/** pdfinfo's page size line: A4 is 595.28 × 841.89 pt, A6 297.64 × 419.53 pt. */
const PAGE_SIZE: Record<(typeof PAPER_SIZES)[number], RegExp> = {
  A4: /^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m,
  A6: /^Page size:\s+297\.64 x 419\.53 pts$/m, // poppler does not name A6
};

const dir = mkdtempSync(join(tmpdir(), 'hpc-paper-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, pdf: Buffer): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return file;
}

/** Renders every page at 150 dpi and decodes each page's QR; one entry per page, in order. */
function decodePages(file: string): string[] {
  const prefix = file.replace(/\.pdf$/, '');
  runTool('pdftoppm', ['-r', '150', '-png', file, prefix]);
  const base = prefix.slice(dir.length + 1);
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png'))
    .sort()
    .map((png) => runTool('zbarimg', ['--nodbus', '--quiet', '--raw', join(dir, png)]));
}

void describe('paper health code, without machine tools', () => {
  void test('one page per resident, onPage called after each', async () => {
    const calls: [number, number][] = [];
    const pdf = await renderPaperCodes([input, input, input], 'A6', (done, total) =>
      calls.push([done, total]),
    );
    assert.equal(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length, 3);
    assert.deepEqual(calls, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  void test('refuses a name that is not masked, an empty code and an empty batch', async () => {
    await assert.rejects(renderPaperCode({ ...input, maskedName: '张小三' }, 'A4'), /must be masked/);
    await assert.rejects(renderPaperCode({ ...input, codeText: '' }, 'A4'), /codeText is empty/);
    await assert.rejects(renderPaperCodes([], 'A4'), /No paper codes/);
  });
});

describeNeeding(['pdfinfo', 'pdffonts', 'pdftotext', 'pdftoppm', 'zbarimg'], 'paper health code PDF', () => {
  for (const size of PAPER_SIZES) {
    void test(`${size}: page size, embedded CJK font, the text a reader needs, and a QR that scans`, async () => {
      const file = write(`one-${size}`, await renderPaperCode(input, size));

      const info = runTool('pdfinfo', [file]);
      assert.match(info, /^Pages:\s+1$/m);
      assert.match(info, PAGE_SIZE[size]);
      const fonts = runTool('pdffonts', [file]);
      assert.match(fonts, /[A-Z]{6}\+NotoSansSC-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
      assert.match(fonts, /[A-Z]{6}\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);

      // pdftotext breaks lines where the layout wrapped them; compare Chinese without white space.
      const text = runTool('pdftotext', ['-enc', 'UTF-8', file, '-']);
      const flat = text.replace(/\s+/g, '');
      for (const expected of [
        '健康通行码（纸质）',
        '张*三',
        '绿码',
        '打印时间',
        '有效期至',
        '2026-12-0610:00',
        '2026-12-2010:00',
        '出示此码供工作人员扫描。码上颜色为打印时颜色，在线查验以当前颜色为准。',
        '过期或遗失请重新打印。',
        'P-7K3Q9',
        '咨询电话/Help:12345(8:00–20:00)',
      ]) {
        assert.ok(flat.includes(expected), `"${expected}" in:\n${text}`);
      }
      for (const expected of ['Paper health pass code', 'Green', 'Valid until', 'Printed at']) {
        assert.ok(text.includes(expected), `"${expected}" in:\n${text}`);
      }
      assert.ok(flat.includes('Showthiscodetothestafftoscan.'), text);
      // Only the masked name is on paper (S18): no other form of the name.
      assert.ok(!flat.includes('张三'), text);
      assert.equal(flat.match(/张/g)?.length, 1, text);

      assert.deepEqual(decodePages(file), [input.codeText], 'exactly one QR, decoding to the paper code');
    });
  }

  void test('a batch of three: three pages, each with its own colour and code', async () => {
    const inputs: PaperCodeInput[] = [
      { ...input, maskedName: '王*', colour: 'green', codeText: paperCode('green', 1) },
      {
        ...unserialed,
        maskedName: '李**明',
        colour: 'yellow',
        codeText: paperCode('yellow', 2),
      },
      { ...input, maskedName: '赵*四', colour: 'red', codeText: paperCode('red', 3) },
    ];
    let calls = 0;
    const file = write('batch-A6', await renderPaperCodes(inputs, 'A6', () => calls++));
    assert.equal(calls, 3);
    assert.match(runTool('pdfinfo', [file]), /^Pages:\s+3$/m);
    const pages = runTool('pdftotext', ['-enc', 'UTF-8', file, '-']).split('\f');
    const labels = ['绿码/Green', '黄码/Yellow', '红码/Red'];
    inputs.forEach((one, i) => {
      const flat = (pages[i] ?? '').replace(/\s+/g, '');
      assert.ok(flat.includes(one.maskedName), `page ${i + 1}: ${flat}`);
      assert.ok(flat.includes(labels[i] ?? ''), `page ${i + 1}: ${flat}`);
    });
    assert.deepEqual(
      decodePages(file),
      inputs.map((one) => one.codeText),
    );
  });
});
