"""A Radicale CalDAV server on 127.0.0.1, for the calendar tests and bench/calendar_sync.py:
plain-text htpasswd with one user, `coach`, and filesystem storage in a folder of its own."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_radicale(folder: Path, port: int, password: str) -> subprocess.Popen:
    """Radicale serving `folder/store` on `port`, once it accepts connections."""
    (folder / "users").write_text(f"coach:{password}\n")
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder / "store"), "--auth-type", "htpasswd",
         "--auth-htpasswd-filename", str(folder / "users"),
         "--auth-htpasswd-encryption", "plain"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("radicale did not start")
