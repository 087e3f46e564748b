#!/bin/sh
# Bundle the intake page's in-browser sealing (web/src, with age-encryption
# from web/package-lock.json) into app/static/intake-seal.js and write its
# Subresource Integrity hash to app/static/integrity.json. Both are
# committed, so `make run` needs no Node; run this after changing web/.
set -eu
cd "$(dirname "$0")/../web"
npm ci --no-audit --no-fund --ignore-scripts
npx --no-install esbuild src/main.js --bundle --format=esm --target=chrome111,firefox115,safari16 \
    --minify --legal-comments=eof --outfile=../app/static/intake-seal.js
cd ../app/static
hash=$(openssl dgst -sha384 -binary intake-seal.js | openssl base64 -A)
printf '{"intake-seal.js": "sha384-%s"}\n' "$hash" > integrity.json
echo "app/static/intake-seal.js: sha384-$hash"
