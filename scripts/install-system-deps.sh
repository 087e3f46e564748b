#!/usr/bin/env bash
# Debian packages Witnessbox needs: `age` (the stock CLI opens our archives;
# the recovery tests use it), `chromium` (browser journeys, driven by
# Playwright with executable_path: no browser download), `minisign` (export
# manifests are verified with the stock tool), `poppler-utils` (pdftotext and
# pdftoppm read the report PDFs back), `fonts-noto-cjk` (Hangul, Cyrillic and
# Latin in one font family for reports and browser tests), pango and the
# HarfBuzz subsetter (WeasyPrint lays out and subsets fonts for report PDFs
# with them: app/exports/pdf.py) and `nginx-light` (the TLS reverse proxy of
# docs/deploy.md, run by the production-shaped test), `ssss` (recovery shares
# are combined with the stock ssss-combine: docs/recovery.md) and
# `postgresql-client` (pg_dump and psql for backups on PostgreSQL), and
# `fonts-dejavu-core` (the recovery share sheets' Latin and monospace text). Installs them when
# running as root, otherwise says what to install.
set -euo pipefail
packages=(age chromium minisign poppler-utils fonts-noto-cjk nginx-light
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 ssss postgresql-client
  fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Please install these Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  echo "Tests that need them will be skipped." >&2
fi
