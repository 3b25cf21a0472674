#!/usr/bin/env bash
# Runs every test file (*.test.ts under src/ and test/) with Node's built-in runner through tsx.
# PostgreSQL tests run against TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
# without a server they are reported as skipped, never as passed (in CI a missing server fails).
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find src test web -name '*.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
