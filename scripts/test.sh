#!/usr/bin/env bash
# Install everything (Debian packages, venv) and run the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_THREAD_LIMIT=1
.venv/bin/ruff check verify tests fixtures bench
.venv/bin/mypy
.venv/bin/python -m pytest -q -n "${VERIFY_TEST_JOBS:-2}" --timeout 900 "$@"
