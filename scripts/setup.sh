#!/usr/bin/env bash
# Install everything verify needs on a fresh Debian machine (run as root, or with sudo).
# Idempotent: re-running skips what is already there.
#   VERIFY_SKIP_APT=1   skip the Debian packages (already installed)
#   VERIFY_EXTRAS=...   pip extras to install (default: dev)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd tesseract-ocr-eng
  fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming
  chromium
)
if [ "${VERIFY_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}" ${VERIFY_APT_EXTRA:-}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

PY=${PYTHON:-python3}
if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then  # Debian's python3 ships venv apart
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends python3-venv
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[${VERIFY_EXTRAS:-dev}]"
