#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then load the extension by name, from another
# directory, in the sqlite3 shell and in Debian's Python, as the README's quick start does.
# Usage: install_test.sh BUILD_DIR DEMO_SERVER
set -euo pipefail
build="$1" server="$2"
unset GITHUB_TOKEN GH_TOKEN LD_LIBRARY_PATH
tmp=$(mktemp -d)
coproc SERVER { exec "$server"; }
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$tmp"' EXIT
read -r base_url <&"${SERVER[0]}"
export GITHUB_API_URL="$base_url"
fail() { echo "FAILED: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
[[ -f "$tmp/prefix/lib/stacklite.so" ]] || fail "no $tmp/prefix/lib/stacklite.so; install said: $(cat "$tmp/install.log")"
grep -q 'LD_LIBRARY_PATH' "$tmp/install.log" || fail "the install does not say how to load the extension by name"
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"   # nothing named stacklite here or below

# Without the prefix on the loader's path a bare name is not found (the README says so) ...
if sqlite3 -bail -cmd '.load stacklite' :memory: 'SELECT stacklite_version()' > /dev/null 2>&1; then
  fail ".load stacklite worked without LD_LIBRARY_PATH: is another stacklite.so installed system-wide?"
fi
# ... and with it, the shell and Python load it by name and read the demo server.
export LD_LIBRARY_PATH="$tmp/prefix/lib"
version=$(sqlite3 -bail -cmd '.load stacklite' :memory: 'SELECT stacklite_version()')
[[ -n "$version" ]] || fail "no version from the installed extension"
runs=$(sqlite3 -bail -cmd '.load stacklite' :memory: \
         "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main'")
[[ "$runs" -gt 0 ]] || fail "the installed extension listed no runs"
py_runs=$(/usr/bin/python3 - <<'PY'
import sqlite3
conn = sqlite3.connect(":memory:")
conn.enable_load_extension(True)
conn.load_extension("stacklite")
print(conn.execute("SELECT count(*) FROM workflow_runs WHERE owner = ? AND repo = ? AND head_branch = ?",
                   ("octo-org", "octo-repo", "main")).fetchone()[0])
PY
)
[[ "$py_runs" == "$runs" ]] || fail "Python counted $py_runs runs, the shell $runs"
echo "installed to $tmp/prefix/lib/stacklite.so; loaded by name: $runs runs on main (shell and Python)"
