#!/usr/bin/python3
"""The progress line as a user sees it: the sqlite3 shell runs under a pseudo-terminal
(script(1), util-linux) against the demo server answering each request after 200 ms, and
what the shell drew there is read back: the line counts pages and rows up to the listing's
total, appears only after a second, is erased before the result, a printed row or an error,
and is never drawn when stderr is not a terminal (unless forced) or when turned off.

Usage: progress_tty.py EXTENSION DEMO_SERVER
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

extension = sys.argv[1][:-3] if sys.argv[1].endswith(".so") else sys.argv[1]
server_binary = sys.argv[2]
RUNS, LATENCY_MS = 3000, 200
ERASE = "\r\x1b[K"
# "workflow_runs: page 7/30, 700/3000 rows, 1.4s, rate limit 4962/5000 left"
DRAW = re.compile(
    r"\rworkflow_runs: page (\d+)(?:/(\d+))?, (\d+)(?:/(\d+))? rows?, (\d+\.\d)s(?:, rate limit (\d+)/(\d+) left)?\x1b\[K"
)

env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
server = subprocess.Popen(
    [server_binary, "--synthetic", str(RUNS), "--owner", "bench", "--repo", "runs", "--latency-ms", str(LATENCY_MS)],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
env["GITHUB_API_URL"] = server.stdout.readline().strip()
tmp = tempfile.TemporaryDirectory()
failures = []


def fail(message):
    failures.append(message)
    print("FAILED: " + message, file=sys.stderr)


def sql_for(statement, concurrency, progress=None):
    setup = f"SELECT stacklite_config('max_concurrency', {concurrency});"
    if progress is not None:
        setup += f" SELECT stacklite_config('progress', {progress});"
    return ["sqlite3", "-bail", "-cmd", f".load {extension}", "-cmd", ".output /dev/null", "-cmd", setup,
            "-cmd", ".output stdout", ":memory:", statement]


def in_terminal(statement, concurrency, progress=None):
    """What the shell wrote on the terminal, stdout and stderr together, as script logged it."""
    log = os.path.join(tmp.name, "tty.log")
    command = shlex.join(sql_for(statement, concurrency, progress))
    subprocess.run(["script", "-qec", command, log], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   env=env, check=False, timeout=120)
    with open(log, encoding="utf-8", errors="replace", newline="") as f:
        text = f.read()
    # The log starts and ends with script's own lines; the session is between them.
    start = text.find("\n") + 1
    end = text.rfind("\nScript done")
    return text[start:end + 1 if end >= 0 else len(text)]


def visible_lines(session):
    """The terminal's lines as they finally look: \\r goes back to the line's start, ESC[K
    erases to its end (all the line ever does), \\n (sent as \\r\\n) ends it."""
    lines, line, col, i = [], [], 0, 0
    while i < len(session):
        if session.startswith("\x1b[K", i):
            del line[col:]
            i += 3
            continue
        ch = session[i]
        if ch == "\r":
            col = 0
        elif ch == "\n":
            lines.append("".join(line))
            line, col = [], 0
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
        i += 1
    if line:
        lines.append("".join(line))
    return lines


def draws_of(session):
    return [m for m in DRAW.finditer(session)]


def check_draws(what, session, pages_expected, rows_expected):
    draws = draws_of(session)
    if len(draws) < 2:
        fail(f"{what}: expected the line redrawn as the listing goes on, saw {len(draws)} draws: {session[:400]!r}")
        return draws
    pages = [int(m[1]) for m in draws]
    rows = [int(m[3]) for m in draws]
    for m in draws:
        if m[2] is None or int(m[2]) != pages_expected or m[4] is None or int(m[4]) != rows_expected:
            fail(f"{what}: expected the totals /{pages_expected} pages and /{rows_expected} rows: {m[0]!r}")
        # count(*) takes every row of a page before the next page is waited for.
        if int(m[3]) != 100 * int(m[1]):
            fail(f"{what}: rows drawn are not the rows of the pages received: {m[0]!r}")
        if m[6] is None or int(m[7]) != 5000:
            fail(f"{what}: no rate-limit budget drawn: {m[0]!r}")
    if pages != sorted(pages) or rows != sorted(rows) or pages[-1] <= pages[0]:
        fail(f"{what}: pages drawn do not count up: {pages}")
    if pages[-1] >= pages_expected:
        fail(f"{what}: drawn after the last page arrived (nothing is waited for then): {pages}")
    if float(draws[0][5]) < 1.0:
        fail(f"{what}: drawn within the first second: {draws[0][0]!r}")
    remaining = [int(m[6]) for m in draws]
    if remaining[-1] >= remaining[0]:
        fail(f"{what}: the rate-limit budget drawn does not go down: {remaining}")
    return draws


def check_erased_before(what, session, result):
    lines = visible_lines(session)
    if result not in lines:
        fail(f"{what}: the terminal does not show {result!r} on a line of its own: {lines[-5:]}")
    if any("workflow_runs: page" in line for line in lines):
        fail(f"{what}: the progress line is left on the terminal: {[l for l in lines if 'page' in l][:3]}")
    last_draw = draws_of(session)[-1].end() if draws_of(session) else 0
    if not session[last_draw:].startswith(ERASE):
        fail(f"{what}: the last draw is not erased at once: {session[last_draw:last_draw + 40]!r}")


listing = "SELECT count(*) FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs';"

# Not a terminal: nothing on stderr, even though the listing takes well over a second.
def run_plain(statement, concurrency, progress=None):
    """stdout and stderr, undecoded newlines kept (\r is what the line is drawn with)."""
    r = subprocess.run(sql_for(statement, concurrency, progress), env=env, capture_output=True, timeout=120)
    return r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


plain_out, plain_err = run_plain(listing, 4)
if plain_out.strip() != str(RUNS) or plain_err != "":
    fail(f"without a terminal: expected {RUNS} and nothing on stderr, got {plain_out!r} and {plain_err!r}")

# A terminal, the default max_concurrency (4): 30 pages, 4 at a time, 1.8 s.
session = in_terminal(listing, 4)
draws = check_draws("max_concurrency 4", session, RUNS // 100, RUNS)
check_erased_before("max_concurrency 4", session, str(RUNS))
summary = [f"c=4: {len(draws)} draws, pages {draws[0][1]}..{draws[-1][1]}" if draws else "c=4: none"]

# One request at a time, under a LIMIT (which the totals show): 10 pages, 2 s.
limited = ("SELECT count(*) FROM (SELECT id FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs' "
           "LIMIT 1000);")
session = in_terminal(limited, 1)
draws = check_draws("max_concurrency 1", session, 10, 1000)
check_erased_before("max_concurrency 1", session, "1000")
summary.append(f"c=1: {len(draws)} draws, pages {draws[0][1]}..{draws[-1][1]}" if draws else "c=1: none")

# Rows the shell prints: each on a line of its own, none sharing one with the line.
printed = "SELECT id FROM workflow_runs WHERE owner = 'bench' AND repo = 'runs' LIMIT 2500;"
session = in_terminal(printed, 2)
if len(draws_of(session)) < 1:
    fail(f"printing rows: the line was never drawn: {session[:300]!r}")
lines = [line for line in visible_lines(session) if line]
if len(lines) != 2500 or not all(line.isdigit() for line in lines):
    fail(f"printing rows: expected 2500 ids on lines of their own, got {len(lines)} lines, e.g. "
         f"{[l for l in lines if not l.isdigit()][:3]}")

# A listing that fails after a second: the error is shown on a clean line, the line is gone.
failing = ("SELECT count(*) FROM workflow_runs WHERE owner = 'bench' AND repo IN ('runs', 'zz-no-such-repo');")
session = in_terminal(failing, 4)
if len(draws_of(session)) < 1:
    fail(f"failing listing: the line was never drawn: {session[:300]!r}")
lines = [line for line in visible_lines(session) if line]
errors = [line for line in lines if "404" in line]
if not errors or not re.match(r"^(Runtime error|Error)[^:]*: .*workflow_runs: GET /repos/bench/zz-no-such-repo/actions/runs: 404",
                              errors[0]):
    fail(f"failing listing: the error is not on a line of its own: {lines}")
if any("workflow_runs: page" in line for line in lines):
    fail(f"failing listing: the progress line is left on the terminal: {lines}")

# Turned off on a terminal: nothing drawn.
session = in_terminal(listing, 4, progress=0)
if draws_of(session) or "workflow_runs: page" in session or [l for l in visible_lines(session) if l] != [str(RUNS)]:
    fail(f"progress 0: drawn on a terminal: {session[:300]!r}")

# Forced without a terminal: drawn on the file, and erased at the end.
forced_out, forced_err = run_plain(listing, 4, progress=1)
if len(draws_of(forced_err)) < 2 or not forced_err.endswith(ERASE) or forced_out.strip() != str(RUNS):
    fail(f"progress 1: expected the line drawn into a file and erased: {forced_err[-200:]!r}, {forced_out!r}")

server.stdin.close()
server.wait(timeout=30)
if failures:
    sys.exit(1)
print("progress line: " + "; ".join(summary) + "; erased before results, printed rows and errors; none without a terminal")
