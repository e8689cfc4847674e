#!/usr/bin/env bash
# Installs the programs Docket's workers run on documents, when any is missing: poppler (pdfinfo,
# pdftotext, pdftoppm) and tesseract with the models of the ten languages OCR chooses from (Ocr:Languages):
# English, German, French, Dutch, Spanish, Italian, Portuguese, Polish, Swedish and Danish. prlimit, which
# caps their memory, is in util-linux on every Debian. Quick when everything is there already
# (one dpkg query per package), so `make run` can call it every time.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh

packages=(poppler-utils tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-nld
  tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-por tesseract-ocr-pol tesseract-ocr-swe tesseract-ocr-dan)

missing=()
for package in "${packages[@]}"; do dpkg -s "$package" > /dev/null 2>&1 || missing+=("$package"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt_install "${missing[@]}"
elif command -v sudo > /dev/null; then
  sudo bash -c "source scripts/lib.sh && apt_install ${missing[*]}"
else
  echo "Docket needs ${missing[*]} to read PDFs and scans; install them with apt-get (as root)." >&2
  exit 1
fi
