import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { CLUSTER_TOOLS } from '../../scripts/cluster/local-cluster.ts';

/**
 * The machine packages some tests need (issue 8, finding 11). Like PostgreSQL: where one is
 * missing, its tests are reported as SKIPPED with the package to install — never as passed — and
 * under CI=true (.ci/run installs them all) a missing one fails the run instead.
 *
 * Each path can be pointed elsewhere (HEALTHCODE_CHROMIUM=/nowhere …, HEALTHCODE_PATRONI…), which is how the test of
 * this very rule simulates a machine without them.
 */
export const MACHINE_TOOLS = {
  chromium: { env: 'HEALTHCODE_CHROMIUM', path: '/usr/bin/chromium', debian: 'chromium' },
  zbarimg: { env: 'HEALTHCODE_ZBARIMG', path: '/usr/bin/zbarimg', debian: 'zbar-tools' },
  pdftoppm: { env: 'HEALTHCODE_PDFTOPPM', path: '/usr/bin/pdftoppm', debian: 'poppler-utils' },
  pdftotext: { env: 'HEALTHCODE_PDFTOTEXT', path: '/usr/bin/pdftotext', debian: 'poppler-utils' },
  pdfinfo: { env: 'HEALTHCODE_PDFINFO', path: '/usr/bin/pdfinfo', debian: 'poppler-utils' },
  pdffonts: { env: 'HEALTHCODE_PDFFONTS', path: '/usr/bin/pdffonts', debian: 'poppler-utils' },
  // The local cluster (issue 12): Patroni, etcd, HAProxy and PostgreSQL 15's own binaries.
  ...CLUSTER_TOOLS,
} as const;

export type MachineTool = keyof typeof MACHINE_TOOLS;

/** Where the tool is on this machine (its environment override, else the Debian path). */
export function toolPath(tool: MachineTool): string {
  const spec = MACHINE_TOOLS[tool];
  return process.env[spec.env] ?? spec.path;
}

function present(tool: MachineTool): boolean {
  try {
    fs.accessSync(toolPath(tool), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tools of the list that are missing here. */
export function missingTools(tools: readonly MachineTool[]): MachineTool[] {
  return tools.filter((t) => !present(t));
}

/**
 * Options for a `describe` or `test` that needs these tools: `{}` when all are here; otherwise
 * `{ skip: reason }` naming the Debian packages, or — under CI=true — an error that fails the file.
 */
export function needsTools(...tools: MachineTool[]): { skip?: string } {
  const missing = missingTools(tools);
  if (missing.length === 0) return {};
  const packages = [...new Set(missing.map((t) => MACHINE_TOOLS[t].debian))];
  const reason = `${missing.map(toolPath).join(', ')} missing: apt-get install ${packages.join(' ')}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI must run every test)`);
  console.log(`# SKIPPING: ${reason}`);
  return { skip: reason };
}

/** Runs a machine tool and returns its standard output, trimmed. */
export function runTool(tool: MachineTool, args: readonly string[]): string {
  return execFileSync(toolPath(tool), args, { encoding: 'utf8' }).trim();
}

/**
 * `describe` for a suite that needs machine tools. Node's runner counts a skipped suite under
 * "suites", not "skipped", so a suite that cannot run is reported as one SKIPPED test naming what
 * is missing; the summary's skipped count then shows it.
 */
export function describeNeeding(tools: readonly MachineTool[], name: string, fn: () => void): void {
  const options = needsTools(...tools);
  if (options.skip === undefined) {
    void describe(name, fn);
    return;
  }
  void describe(name, () => {
    void test('every test of this suite', { skip: options.skip }, () => {
      assert.fail('a skipped test ran');
    });
  });
}
