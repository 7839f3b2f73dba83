#!/usr/bin/env bash
# The README's shell habits, through the real sqlite3 shell against the demo server:
# saved reports as TEMP views read from a file (.read, or an -init file), and clean JSON
# for jq from json_object/json_group_array.
# Usage: shell_habits.sh EXTENSION DEMO_SERVER SOURCE_DIR
set -euo pipefail
extension="${1%.so}" server="$2" src="$3"
unset GITHUB_TOKEN GH_TOKEN
coproc SERVER { exec "$server"; }
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
read -r base_url <&"${SERVER[0]}"
export GITHUB_API_URL="$base_url"
fail() { echo "FAILED: $*" >&2; exit 1; }
q() { sqlite3 -bail -cmd ".load $extension" "$@"; }

# A report kept in a file of TEMP views, rerun in one command, equals the query it saves.
reports="$src/sql_examples/reports/ci_health.sql"
saved=$(q -cmd ".read $reports" :memory: "SELECT count(*) FROM failing_on_main")
direct=$(q :memory: "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'
                     AND head_branch = 'main' AND conclusion = 'failure'")
[[ "$saved" == "$direct" && "$saved" -gt 0 ]] || fail "saved report gave '$saved', the query '$direct'"
by_workflow=$(q -cmd ".read $reports" :memory: "SELECT sum(failed) FROM failure_rate_by_workflow")
completed_failed=$(q :memory: "SELECT count(*) FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'
                               AND head_branch = 'main' AND status = 'completed' AND conclusion = 'failure'")
[[ "$by_workflow" == "$completed_failed" ]] || fail "failure_rate_by_workflow counts $by_workflow, expected $completed_failed"
# The same through an init file (what ~/.sqliterc would hold).
tmp=$(mktemp -d)
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$tmp"' EXIT
printf '.load %s\n.read %s\n' "$extension" "$reports" > "$tmp/init"
via_init=$(sqlite3 -bail -init "$tmp/init" :memory: "SELECT count(*) FROM failing_on_main" 2>/dev/null)
[[ "$via_init" == "$direct" ]] || fail "-init gave '$via_init', expected '$direct'"
# A view stored in a database file is refused by name, as the README says.
q "$tmp/reports.db" "CREATE VIEW failing AS SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo'"
err=$(q "$tmp/reports.db" "SELECT count(*) FROM failing" 2>&1) && fail "a stored view read workflow_runs"
[[ "$err" == *'unsafe use of virtual table "workflow_runs"'* ]] || fail "stored view: $err"

# Clean JSON for jq: one object per line with json_object, JSON columns nested as JSON.
run=$(q :memory: "SELECT id FROM workflow_runs WHERE owner = 'octo-org' AND repo = 'octo-repo' AND status = 'completed' LIMIT 1")
q :memory: "SELECT json_object('id', id, 'name', name, 'steps', steps, 'labels', labels) FROM workflow_jobs
            WHERE owner = 'octo-org' AND repo = 'octo-repo' AND run_id = $run" > "$tmp/jobs.ndjson"
/usr/bin/python3 - "$tmp/jobs.ndjson" <<'PY' || fail "json_object output is not nested JSON"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no jobs"
for line in lines:
    job = json.loads(line)
    assert isinstance(job["steps"], list) and isinstance(job["labels"], list), job
    assert all(isinstance(s, dict) and "name" in s for s in job["steps"]), job
PY
q :memory: "SELECT json_group_array(json_object('id', id, 'actor', actor)) FROM workflow_runs
            WHERE owner = 'octo-org' AND repo = 'octo-repo' AND head_branch = 'main'" > "$tmp/runs.json"
/usr/bin/python3 -c '
import json, sys
runs = json.load(open(sys.argv[1]))
assert runs and all(isinstance(r["actor"], dict) and r["actor"]["login"] for r in runs), runs[:1]
' "$tmp/runs.json" || fail "json_group_array output is not nested JSON"
echo "shell habits: saved reports ($saved failing runs), JSON for jq: ok"
