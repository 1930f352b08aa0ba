"""Every problem code, declared once: its severity, where it is reported, and what it means.

The checks may only raise a code declared here (a test holds them to it), `Problem.severity`
reads it, and the README's table of problems is made from it (a test keeps them in step).
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    code: str
    where: str  # where it is reported
    summary: str  # what it means, for the README and `check --help`

    @property
    def severity(self) -> str:
        return "error" if self.code.startswith("E") else "warning"


_NOTE = "the note"
_CLIENT = "`client.md`"
_SESSION = "the session note"
_SETTINGS = "`coachnotes.yml`"

CODES: dict[str, Code] = {c.code: c for c in (
    Code("E001", _NOTE, "not readable as UTF-8 text, larger than 1 MiB, a name that is not "
                        "UTF-8, or a link out of the vault"),
    Code("E002", _NOTE, "no front matter, or not closed"),
    Code("E003", _NOTE, "YAML syntax error (with its line)"),
    Code("E004", _NOTE, "front matter is not a mapping, or uses a YAML tag, alias bomb or "
                        "self-reference the safe reader refuses"),
    Code("E005", _NOTE, "a key appears twice"),
    Code("E006", _NOTE, "git conflict markers (`<<<<<<<`, `>>>>>>>`)"),
    Code("E010", _NOTE, "`type` missing or unknown"),
    Code("E011", _NOTE, "a required key is missing"),
    Code("E012", _NOTE, "a value of the wrong type or form (dates: write `YYYY-MM-DD`)"),
    Code("E013", _NOTE, "a value not among the allowed ones"),
    Code("E014", _NOTE, "a known key in the wrong case (`Next:`): its value would be ignored"),
    Code("E020", _SESSION, "the session names a client that does not exist"),
    Code("E021", _NOTE, "a note in the wrong place (the message names where it belongs), "
                        "`client` disagrees with its folder, or a renamed client folder"),
    Code("E022", _CLIENT, "two clients with one id"),
    Code("E023", _CLIENT, "the id is not a slug, or `id` differs from the folder name"),
    Code("E024", _SESSION, "two coaching sessions of one client share a `number`"),
    Code("E025", _CLIENT, "a client named in the erasure log (`erasures.yml`) is back in the "
                          "vault (restored from a backup?): run `coachnotes forget` again"),
    Code("E030", "the page", "a file without the generated marker sits where a generated page "
                             "goes (it is not overwritten)"),
    Code("W101", _CLIENT, "more coaching sessions held than (extended) planned, and no "
                          "`extension` or `alternative`"),
    Code("W102", _CLIENT, "still `active` after the (extended) planned end, and no `extension` "
                          "or `alternative`"),
    Code("W103", _CLIENT, "`follow-up` or `closed` without any follow-up planned"),
    Code("W104", _CLIENT, "`active` with 2 or more coaching sessions and no assessment "
                          "decision"),
    Code("W105", _CLIENT, "`active` without goals"),
    Code("W106", _SESSION, "a session dated before the intake"),
    Code("W107", _CLIENT, "`active` and no conversation for more than `stalled_after_days`"),
    Code("W108", "the copy", "an unresolved sync conflict copy"),
    Code("W109", _CLIENT, "`intake` for more than 30 days after `intake_date`"),
    Code("W110", _SETTINGS, "an unknown key in `coachnotes.yml` (a likely typo)"),
    Code("W111", _SETTINGS + " line 1", "`coachnotes.yml` sets no `retention_years`"),
    Code("W112", _CLIENT, "a `closed` or `declined` client is past the retention period: "
                          "`coachnotes forget <id>`"),
    Code("W113", _CLIENT, "a conversation other than the intake was held while the client is "
                          "`intake` or `declined`"),
    Code("W114", _SESSION, "more held follow-up sessions than `follow_ups` entries"),
    Code("W115", _NOTE, "an unknown key one slip from a known one (`nxet`): did you mean …?"),
)}


def severity(code: str) -> str:
    return CODES[code].severity if code in CODES else \
        ("error" if code.startswith("E") else "warning")


def table() -> str:
    """The problems as a Markdown table, for the README (a test keeps it in step)."""
    rows = ["| code | severity | reported on | meaning |", "|---|---|---|---|"]
    rows += [f"| {c.code} | {c.severity} | {c.where} | {c.summary} |" for c in CODES.values()]
    return "\n".join(rows)
