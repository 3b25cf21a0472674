import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

/**
 * Issue 8, finding 11: on a machine without Chromium (simulated by pointing HEALTHCODE_CHROMIUM
 * at nothing) `npm test` says what is missing, reports the browser tests as skipped and passes;
 * under CI=true the same run fails.
 */
function runWithout(
  env: Record<string, string>,
  file = 'test/e2e/resident.test.ts',
): { status: number | null; out: string } {
  // The child is a run of its own, not a subtest of this one.
  const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
  const r = spawnSync('bash', ['scripts/test.sh', file], {
    encoding: 'utf8',
    env: { ...parent, CI: '', ...env },
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

void describe('tests that need machine packages', () => {
  void test('without Chromium: a notice names the package, the browser tests are skipped, the run passes', () => {
    const { status, out } = runWithout({ HEALTHCODE_CHROMIUM: '/nonexistent/chromium' });
    assert.match(out, /NOTICE: missing machine packages: chromium\b/);
    assert.match(out, /apt-get install chromium/);
    assert.match(out, /ℹ skipped [1-9]/);
    assert.match(out, /ℹ pass 0/);
    assert.match(out, /ℹ fail 0/);
    assert.equal(status, 0, out);
  });

  void test('under CI=true a missing package fails the run', () => {
    const { status, out } = runWithout({ HEALTHCODE_CHROMIUM: '/nonexistent/chromium', CI: 'true' });
    assert.match(out, /MISSING machine packages: chromium/);
    assert.notEqual(status, 0, out);
  });

  // Issue 12: the failover test needs Patroni, etcd and HAProxy (and PostgreSQL 15's binaries).
  void test('without Patroni: the failover test is skipped with the apt-get line, the run passes', () => {
    const { status, out } = runWithout(
      { HEALTHCODE_PATRONI: '/nonexistent/patroni' },
      'test/cluster/failover.test.ts',
    );
    assert.match(out, /NOTICE: missing machine packages: patroni\b/);
    assert.match(out, /apt-get install patroni/);
    assert.match(out, /ℹ skipped 1/);
    assert.match(out, /ℹ fail 0/);
    assert.equal(status, 0, out);
  });

  void test('without Patroni under CI=true the failover test fails the run', () => {
    const { status, out } = runWithout(
      { HEALTHCODE_PATRONI: '/nonexistent/patroni', CI: 'true' },
      'test/cluster/failover.test.ts',
    );
    assert.match(out, /MISSING machine packages: patroni/);
    assert.notEqual(status, 0, out);
  });
});
