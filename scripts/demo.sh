#!/usr/bin/env bash
# Install everything and run verify on the bundled sample archive: a table on the terminal,
# the JSONL rows in out/sample.jsonl and the reviewer's HTML report in out/sample.html.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
mkdir -p out
.venv/bin/verify check fixtures/sample-archive --manifest fixtures/sample-archive/manifest.csv \
  --format table --jsonl out/sample.jsonl --html out/sample.html
rc=$?
echo "JSONL: out/sample.jsonl   HTML: out/sample.html   (exit code $rc; 1 = findings to fix)"
[ "$rc" -le 1 ]
