# The peer a Python user writes: urllib and json, following the Link header page by page.
# Usage: python3 urllib_loop.py BASE_URL OWNER REPO
import json
import re
import sys
import time
import urllib.request

base, owner, repo = sys.argv[1:4]
url = f"{base}/repos/{owner}/{repo}/actions/runs?per_page=100"
start = time.monotonic()
first_row = -1.0
rows = chars = 0
while url:
    req = urllib.request.Request(url, headers={"Accept": "application/vnd.github+json", "User-Agent": "bench"})
    with urllib.request.urlopen(req) as resp:
        page = json.load(resp)
        link = resp.headers.get("Link", "")
    if first_row < 0:
        first_row = time.monotonic() - start
    for run in page["workflow_runs"]:
        rows += 1
        chars += len(run["name"].encode())
    m = re.search(r'<([^>]+)>;\s*rel="next"', link)
    url = m.group(1) if m else None
print(f"wall_s={time.monotonic() - start:.3f} first_row_s={first_row:.3f} rows={rows} name_chars={chars}")
