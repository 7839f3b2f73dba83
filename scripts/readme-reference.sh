#!/bin/sh
# Regenerates README.md's table reference (between the reference:begin and reference:end
# markers) from stacklite_tables, stacklite_columns and stacklite_functions.
#   scripts/readme-reference.sh [--check] [path/to/stacklite.so] [README.md]
# --check changes nothing and fails when the README differs from what the specs say.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
ext=${1:-$here/../build/stacklite}
readme=${2:-$here/../README.md}
ext=${ext%.so}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sqlite3 -bail -cmd ".load $ext" :memory: < "$here/reference.sql" > "$tmp/reference.md"
grep -q '<!-- reference:begin' "$readme" && grep -q '<!-- reference:end' "$readme" || {
  echo "$readme has no <!-- reference:begin --> / <!-- reference:end --> markers" >&2
  exit 1
}
awk -v ref="$tmp/reference.md" '
  /<!-- reference:begin/ { print; while ((getline line < ref) > 0) print line; skipping = 1; next }
  /<!-- reference:end/ { skipping = 0 }
  !skipping { print }
' "$readme" > "$tmp/README.md"

if [ "$check" = 1 ]; then
  if ! diff -u "$readme" "$tmp/README.md"; then
    echo "README.md's table reference differs from the provider specs: run scripts/readme-reference.sh" >&2
    exit 1
  fi
  echo "README.md's table reference matches the provider specs"
else
  cp "$tmp/README.md" "$readme"
fi
