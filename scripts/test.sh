#!/usr/bin/env bash
# Runs every test file (*.test.ts under src/ and test/) with Node's built-in runner through tsx.
# PostgreSQL tests run against TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
# without a server they are reported as skipped, never as passed (in CI a missing server fails).
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC

# Machine packages some tests need (test/support/machine.ts): say at the start what is missing.
# test/cluster/failover.test.ts needs Patroni, etcd, HAProxy and PostgreSQL 15 (issue 12).
missing=()
for spec in "chromium:${HEALTHCODE_CHROMIUM:-/usr/bin/chromium}" "zbar-tools:${HEALTHCODE_ZBARIMG:-/usr/bin/zbarimg}" \
  "poppler-utils:${HEALTHCODE_PDFTOPPM:-/usr/bin/pdftoppm}" "poppler-utils:${HEALTHCODE_PDFTOTEXT:-/usr/bin/pdftotext}" \
  "patroni:${HEALTHCODE_PATRONI:-/usr/bin/patroni}" "etcd-server:${HEALTHCODE_ETCD:-/usr/bin/etcd}" \
  "haproxy:${HEALTHCODE_HAPROXY:-/usr/sbin/haproxy}" "postgresql-15:${HEALTHCODE_POSTGRES:-/usr/lib/postgresql/15/bin/postgres}"; do
  if [ ! -x "${spec#*:}" ]; then
    case " ${missing[*]-} " in *" ${spec%%:*} "*) ;; *) missing+=("${spec%%:*}") ;; esac
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "# MISSING machine packages: ${missing[*]}. CI runs every test: apt-get install ${missing[*]}" >&2
  else
    echo "# NOTICE: missing machine packages: ${missing[*]}. Their tests (browser, QR decoding, PDF, the PostgreSQL failover) are reported as SKIPPED, not passed."
    echo "#         To run them: apt-get install ${missing[*]}"
  fi
fi

if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find src test web -name '*.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
