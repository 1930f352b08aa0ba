"""Every problem code, declared once: its severity, where it is reported, and what it means.

The checks may only raise a code declared here (a test holds them to it), `Problem.severity`
reads it, and the README's table of problems is made from it (a test keeps them in step).
"""

from __future__ import annotations

from typing import NamedTuple

from coachnotes.i18n import N_, gettext


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
    Code("E001", _NOTE, N_("not readable as UTF-8 text, larger than 1 MiB, a name that is not "
                        "UTF-8, or a link out of the vault")),
    Code("E002", _NOTE, N_("no front matter, or not closed")),
    Code("E003", _NOTE, N_("YAML syntax error (with its line)")),
    Code("E004", _NOTE, N_("front matter is not a mapping, or uses a YAML tag, alias bomb or "
                        "self-reference the safe reader refuses")),
    Code("E005", _NOTE, N_("a key appears twice")),
    Code("E006", _NOTE, N_("git conflict markers (`<<<<<<<`, `>>>>>>>`)")),
    Code("E010", _NOTE, N_("`type` missing or unknown")),
    Code("E011", _NOTE, N_("a required key is missing")),
    Code("E012", _NOTE, N_("a value of the wrong type or form (dates: write `YYYY-MM-DD`)")),
    Code("E013", _NOTE, N_("a value not among the allowed ones")),
    Code("E014", _NOTE, N_("a known key in the wrong case (`Next:`): its value would be ignored")),
    Code("E020", _SESSION, N_("the session names a client that does not exist")),
    Code("E021", _NOTE, N_("a note in the wrong place (the message names where it belongs), "
                        "`client` disagrees with its folder, or a renamed client folder")),
    Code("E022", _CLIENT, N_("two clients with one id")),
    Code("E023", _CLIENT, N_("the id is not a slug, or `id` differs from the folder name")),
    Code("E024", _SESSION, N_("two coaching sessions of one client share a `number`")),
    Code("E025", _CLIENT, N_("a client named in the erasure log (`erasures.yml`) is back in the "
                          "vault (restored from a backup?): run `coachnotes forget` again")),
    Code("E026", _SESSION, N_("more `scores` than the client has goals, or a score that is "
                              "not a whole number from 0 to 10")),
    Code("E027", "invoices.yml", N_("the invoice register cannot be read, or holds one number "
                                    "twice or a gap in a year's series: credit one of them")),
    Code("E030", "the page", N_("a file without the generated marker sits where a generated page "
                             "goes (it is not overwritten)")),
    Code("W101", _CLIENT, N_("more coaching sessions held than (extended) planned, and no "
                          "`extension` or `alternative`")),
    Code("W102", _CLIENT, N_("still `active` after the (extended) planned end, and no `extension` "
                          "or `alternative`")),
    Code("W103", _CLIENT, N_("`follow-up` or `closed` without any follow-up planned")),
    Code("W104", _CLIENT, N_("`active` with 2 or more coaching sessions and no assessment "
                          "decision")),
    Code("W105", _CLIENT, N_("`active` without goals")),
    Code("W106", _SESSION, N_("a session dated before the intake")),
    Code("W107", _CLIENT, N_("`active` and no conversation for more than `stalled_after_days`")),
    Code("W108", "the copy", N_("an unresolved sync conflict copy")),
    Code("W109", _CLIENT, N_("`intake` for more than 30 days after `intake_date`")),
    Code("W110", _SETTINGS, N_("an unknown key in `coachnotes.yml` (a likely typo)")),
    Code("W111", _SETTINGS + " line 1", N_("`coachnotes.yml` sets no `retention_years`")),
    Code("W112", _CLIENT, N_("a `closed` or `declined` client is past the retention period: "
                          "`coachnotes forget <id>`")),
    Code("W113", _CLIENT, N_("a conversation other than the intake was held while the client is "
                          "`intake` or `declined`")),
    Code("W114", _SESSION, N_("more held follow-up sessions than `follow_ups` entries")),
    Code("W115", _NOTE, N_("an unknown key one slip from a known one (`nxet`): did you mean …?")),
    Code("W116", _CLIENT + " / the follow-up note", N_(
        "a result that cannot be compared: goals with a first score but none at the end, or "
        "a held follow-up without `scores`")),
    Code("W117", _SESSION, N_("at a follow-up a goal's score fell by `lasting_drop` or more "
                              "since the end: the result did not last")),
    Code("W119", _SESSION, N_("a session note's file name does not follow "
                              "`<YYYY-MM-DD>-<kind>[-<n>].md` or disagrees with its date or "
                              "kind: `check --fix` renames it")),
    Code("W120", _NOTE, N_("`tags` left empty by a `#` that YAML reads as a comment "
                            "(`tags: #loopbaan`): write `tags: [loopbaan]`")),
    Code("W118", "the document", N_("a document coachnotes wrote (`exports/`, a report, an "
                                     "export, hours) is in git: `git rm --cached` it")),
)}


def severity(code: str) -> str:
    return CODES[code].severity if code in CODES else \
        ("error" if code.startswith("E") else "warning")


def table() -> str:
    """The problems as a Markdown table in English and Dutch, for the README (a test keeps it
    in step with the registry and the catalogs)."""
    rows = ["| code | severity | reported on | meaning | betekenis |", "|---|---|---|---|---|"]
    rows += [f"| {c.code} | {c.severity} | {c.where} | {c.summary} | "
             f"{gettext(c.summary, 'nl')} |" for c in CODES.values()]
    return "\n".join(rows)
