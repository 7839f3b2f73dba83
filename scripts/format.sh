#!/usr/bin/env bash
# Checks that every C++ file in the repository matches .clang-format; with --fix, rewrites
# the files that do not. CI runs the check, so run `scripts/format.sh --fix` before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || scripts/install-deps.sh
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
if [[ "${1:-}" == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "format: the files above do not match .clang-format; run scripts/format.sh --fix" >&2
  exit 1
fi
echo "format: ${#files[@]} C++ files match .clang-format"
