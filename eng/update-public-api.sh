#!/usr/bin/env bash
# Adds every public symbol the build reports as undeclared (RS0016) to PublicAPI.Unshipped.txt.
# Review the diff: each new line is a deliberate addition to the public API.
set -euo pipefail
cd "$(dirname "$0")/../src/UrlSession"
missing=$(dotnet build --no-incremental 2>&1 | grep RS0016 | sed -E "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/" | sort -u || true)
if [ -n "$missing" ]; then
  { tail -n +2 PublicAPI.Unshipped.txt; printf '%s\n' "$missing"; } | sort -u > /tmp/urlsession-api.$$
  { echo '#nullable enable'; cat /tmp/urlsession-api.$$; } > PublicAPI.Unshipped.txt
  rm -f /tmp/urlsession-api.$$
fi
echo "$(printf '%s\n' "$missing" | grep -c . || true) symbol(s) added"
