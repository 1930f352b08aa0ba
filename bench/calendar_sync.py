"""`coachnotes calendar sync` against its baseline, in one run (SPEC §21, issue #38).

    python bench/calendar_sync.py VAULT [--runs 3]

VAULT is a generated vault (bench/generate.py; 10,000 clients for the issue's figure). A
Radicale server is started on 127.0.0.1 with a calendar of its own, and the vault is pointed at
it. Measured in the same run: `due --ics` of the same items (the baseline: building every
item without a server), the first `calendar sync` (every item sent), a sync with nothing changed
(one listing, nothing sent), and a sync after one note changed (one item sent). Prints medians
and the ratios to `due --ics`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from caldav_server import free_port, start_radicale  # noqa: E402
from run import coachnotes  # noqa: E402

PASSWORD = "bench"


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-500:]}")
    return time.perf_counter() - start


def radicale(folder: Path) -> tuple[subprocess.Popen, str]:
    import caldav

    port = free_port()
    server = start_radicale(folder, port, PASSWORD)
    client = caldav.DAVClient(f"http://127.0.0.1:{port}/", username="coach", password=PASSWORD)
    calendar = client.principal().make_calendar(name="bench", cal_id="bench")
    return server, str(calendar.url)


def seed(root: Path, folder: Path, url: str) -> int:
    """The state of a finished first sync, made without it: every item written as a file
    into Radicale's collection (as `save_object` names it), the ETags read back in one
    listing, and coachnotes' record of what was pushed. Returns how many items."""
    import hashlib
    import json

    import caldav

    from coachnotes.calendar import push
    from coachnotes.vault.load import load_settings

    wanted = push.wanted_items(root, dt.date.today(), load_settings(root))
    collection = folder / "store" / "collection-root" / "coach" / "bench"
    for uid, (_task, data) in wanted.items():
        (collection / f"{uid}.ics").write_bytes(data)
    # Radicale reads every new file on the first listing: minutes for 20,000 items
    client = caldav.DAVClient(url, username="coach", password=PASSWORD, timeout=3600)
    there = push._ours(client.calendar(url=url))
    state = {"events": {uid: [hashlib.sha256(data).hexdigest(), there[uid][1]]
                        for uid, (_task, data) in wanted.items() if uid in there}}
    (root / ".coachnotes" / push.STATE).write_text(json.dumps({url: state}))
    return len(wanted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", action="store_true",
                        help="put the items into Radicale's storage directly instead of timing "
                             "a first sync (a first sync of 10,000 clients takes hours: "
                             "Radicale's own PUT grows with the collection)")
    args = parser.parse_args()
    root = args.vault.resolve()
    settings = root / "coachnotes.yml"
    original = settings.read_text(encoding="utf-8")
    folder = Path(tempfile.mkdtemp(prefix="coachnotes-calendar-bench-"))
    server, url = radicale(folder)
    env = {**os.environ, "COACHNOTES_CALDAV_PASSWORD": PASSWORD}
    try:
        settings.write_text(original + f"\ncalendar_server:\n  url: {url}\n  user: coach\n",
                            encoding="utf-8")
        base = [coachnotes(), "--vault", str(root)]
        timed([*base, "due"], env)  # warm the cache: every figure below starts from it
        ics = statistics.median(timed([*base, "due", "--ics", str(folder / "x.ics")], env)
                                for _ in range(args.runs))
        first = seed(root, folder, url) if args.seed else timed([*base, "calendar", "sync"], env)
        same = statistics.median(timed([*base, "calendar", "sync"], env)
                                 for _ in range(args.runs))
        note = next(p for p in sorted((root / "clients").glob("*/sessions/*.md"))
                    if re.search(r"^next: \d{4}-\d\d-\d\d", p.read_text(encoding="utf-8"),
                                 re.M))
        one = []
        for _ in range(args.runs):  # an agreed date moves by a day: one event is sent again
            text = note.read_text(encoding="utf-8")
            day = dt.date.fromisoformat(re.search(r"^next: (\S+)", text, re.M).group(1)[:10])
            note.write_text(re.sub(r"^next: \S+", f"next: {day + dt.timedelta(days=1)}", text,
                                   count=1, flags=re.M), encoding="utf-8")
            one.append(timed([*base, "calendar", "sync"], env))
        events = (folder / "x.ics").read_text(encoding="utf-8").count("BEGIN:VEVENT")
        print(f"items in the calendar file: {events}")
        print(f"due --ics              {ics:7.2f} s   1.00x")
        if args.seed:
            print(f"(seeded: {first} items written into Radicale's storage, not timed)")
        else:
            print(f"calendar sync, first   {first:7.2f} s   {first / ics:5.2f}x  "
                  "(every item sent)")
        print(f"calendar sync, same    {same:7.2f} s   {same / ics:5.2f}x  (nothing sent)")
        print(f"calendar sync, 1 note  {statistics.median(one):7.2f} s   "
              f"{statistics.median(one) / ics:5.2f}x")
    finally:
        settings.write_text(original, encoding="utf-8")
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
