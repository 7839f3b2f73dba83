"""The demo server for the Python checks: started in its own process, GITHUB_API_URL pointed
at it with no token, and stopped (by closing its stdin) when the block ends."""
import contextlib
import os
import subprocess


@contextlib.contextmanager
def demo_server(server_path):
    server = subprocess.Popen([server_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        os.environ["GITHUB_API_URL"] = base_url
        os.environ.pop("GITHUB_TOKEN", None)
        os.environ.pop("GH_TOKEN", None)
        yield base_url
    finally:
        server.stdin.close()
        server.wait(timeout=10)
