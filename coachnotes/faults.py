"""Fault-injection points for the tests of crash safety: a command that rewrites history
(`forget`), numbers invoices (`invoice`) or merges devices' work (`sync`) names each step of
its journal with `fault_point("<command>:<step>")`. Nothing happens unless the environment
asks:

* `COACHNOTES_FAULT=<name>` kills this process with SIGKILL at that point (as a power loss or
  `kill -9` would), so a test can stop the command after every step, deterministically, and
  run it again;
* `COACHNOTES_FAULT_TRACE=<file>` appends the name of every point reached, so a test knows
  every step there is and fails when a new step has no test.
"""

from __future__ import annotations

import os
import signal


def fault_point(name: str) -> None:
    trace = os.environ.get("COACHNOTES_FAULT_TRACE")
    if trace:
        with open(trace, "a", encoding="utf-8") as out:
            out.write(name + "\n")
    if os.environ.get("COACHNOTES_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
