"""The declared keys of client notes, session notes and settings, and their normalisers.

This table is the one home of the note format: the checks, `new`, the templates' tests and the
README's format section all read it. `normalise()` turns parsed YAML into plain values (dates as
ISO strings, so that the cache can store them as JSON) plus problems; it never raises for
anything a user can write.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from sys import intern
from typing import Any, Callable, NamedTuple

from coachnotes.i18n import N_, _
from coachnotes.vault.dates import ODD_DASHES, date_reading

STATUSES = ("intake", "active", "paused", "follow-up", "closed", "declined")

FROM_ACTIVE = frozenset({"active", "paused", "follow-up", "closed"})
AFTER_REGULAR = frozenset({"follow-up", "closed"})
SESSION_KINDS = ("intake", "coaching", "assessment", "evaluation", "tripartite", "follow-up")
REFERRERS = ("hr", "manager", "self", "other")
DECISIONS = ("yes", "no", "open")
OUTCOMES = ("yes", "partly", "no")
LANGUAGES = ("nl", "en")
CALENDAR_NAMES = ("initials", "full", "id")
CALENDAR_DETAILS = ("kind", "full")
CLIENT_ID_STYLES = ("name", "code")
SHARES = ("attendance", "goals", "development_points", "assessment", "progress",
          "sponsor_notes", "results")
PRACTICE_FIELDS = ("name", "address", "postcode_city", "email", "phone", "website", "kvk",
                   "vat_id")
VAT_KINDS = ("21", "exempt", "kor")
PROGRAMMES = ("coaching", "uwv", "gemeente", "second-track")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[ T]+\d")
_DUTCH_DATE_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
DATE_HINT = N_("write dates as YYYY-MM-DD, e.g. 2026-01-12")  # translated where it is used

ALWAYS = frozenset(STATUSES) | {"*"}


class Field(NamedTuple):
    """One key of a note or of the settings."""

    key: str
    kind: str
    doc: str
    required: frozenset[str] = frozenset()  # statuses from which the key is required; ALWAYS
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    fields: tuple["Field", ...] = ()  # keys of a mapping, or of each mapping in a list
    maximum: int | None = None
    # settings only: the value when the key is absent; the line `init` writes about it (in
    # English here, in the vault's language through the catalogs); and, for a key `init`
    # leaves commented out, the example it shows (YAML; lines of a mapping joined by \n)
    default: Any = None
    comment: str = ""
    example: str | None = None
    written: bool = False  # `init` writes the example as a value of its own (retention_years)


class Schema:
    """The declared keys of one kind of note (or of the settings), in order."""

    __slots__ = ("name", "fields", "by_key")

    def __init__(self, name: str, fields: tuple[Field, ...]) -> None:
        self.name = name
        self.fields = fields
        self.by_key = {f.key: f for f in fields}


CLIENT = Schema("client", (
    Field("type", "choice", "always `client`", ALWAYS, ("client",)),
    Field("name", "text", "the coachee's name", ALWAYS),
    Field("status", "choice", "where the trajectory stands", ALWAYS, STATUSES),
    Field("id", "slug", "if given, equals the folder name"),
    Field("organization", "text", "employer"),
    Field("sponsor", "text", "who commissions and pays (opdrachtgever)"),
    Field("referred_by", "choice", "where the reason came from", choices=REFERRERS),
    Field("reason", "text", "the reason for the trajectory (aanleiding)", FROM_ACTIVE),
    Field("goals", "text_list", "coaching goals (coachdoelen); W105 while active"),
    Field("development_points", "text_list", "development points (ontwikkelpunten)"),
    Field("intake_date", "date", "date of the intake conversation", ALWAYS),
    Field("start_date", "date", "first regular conversation", FROM_ACTIVE),
    Field("planned_sessions", "int", "planned coaching sessions (default from settings)",
          minimum=1),
    Field("planned_end", "date", "planned end (default: start_date + trajectory_months)"),
    Field("assessment", "mapping", "the assessment, decided with the employee", fields=(
        Field("decision", "choice", "yes, no or open", choices=DECISIONS),
        Field("date", "date", "date of the assessment"),
        Field("reason_confirmed", "choice", "is the reason for the trajectory confirmed?",
              choices=OUTCOMES),
        Field("goals_realistic", "choice", "are the coaching goals realistic?",
              choices=OUTCOMES),
        Field("notes", "text", "notes on the assessment"),
    )),
    Field("end_date", "date", "last regular conversation", AFTER_REGULAR),
    Field("follow_ups", "mapping_list", "planned follow-up conversations", fields=(
        Field("due", "date", "when it is due", ALWAYS),
        Field("done", "date", "when it was held"),
        Field("cancelled", "text", "why it will not take place"),
    )),
    Field("extension", "extension", "documented reason to go past the plan: a text, or a "
          "mapping reason/sessions/until", fields=(
              Field("reason", "text", "why longer guidance helps", ALWAYS),
              Field("sessions", "int", "extra coaching sessions, added to the plan", minimum=1),
              Field("until", "date", "the new planned end"),
          )),
    Field("alternative", "text", "the alternative approach recommended instead, and why"),
    Field("sponsor_consent", "mapping", "what the coachee agreed the sponsor may see", fields=(
        Field("date", "date", "when the coachee agreed", ALWAYS),
        Field("share", "choice_list", "what may be shared", choices=SHARES),
    )),
    Field("tags", "tags", "free tags: a list, or one text split on commas and spaces"),
    Field("programme", "choice", "`coaching` (default: an employer's), `uwv`, `gemeente` or "
          "`second-track`", choices=PROGRAMMES),
    Field("order", "code", "the sponsor's order number for this trajectory (UWV's "
          "ordernummer): on its documents and invoices"),
    Field("result", "mapping", "how the trajectory ended, for the final report", fields=(
        Field("outcome", "text", "the outcome (for `uwv`: work, work-fit or not-work-fit)"),
        Field("early_end", "text", "why it ended before the plan, if it did"),
        Field("client_agrees", "bool", "the coachee agrees with the final report"),
    )),
    Field("costs", "mapping_list", "costs besides the conversations (excluding VAT): in the "
          "plan and, with a date, on the invoice of that period", fields=(
              Field("text", "text", "what it is (an assessment, a test, travel)", ALWAYS),
              Field("amount", "amount", "the amount in euro, excluding VAT", ALWAYS),
              Field("date", "date", "when it was made: invoiced in that period"),
          )),
))

ACTION_FIELDS = (
    Field("text", "text", "what is to be done", ALWAYS),
    Field("due", "date", "when"),
    Field("done", "bool", "true when done"),
)

SESSION = Schema("session", (
    Field("type", "choice", "always `session`", ALWAYS, ("session",)),
    Field("client", "client_ref", "the client's id (its folder name), or a wiki link to it",
          ALWAYS),
    Field("date", "datetime", "date of the conversation, with a time of day if you like",
          ALWAYS),
    Field("kind", "choice", "kind of conversation", ALWAYS, SESSION_KINDS),
    Field("number", "int", "counts coaching sessions; unique per client", minimum=1),
    Field("duration", "int", "minutes", minimum=1),
    Field("next", "datetime", "the next conversation agreed in this one (date, or date and "
          "time)"),
    Field("follow_up", "int", "for follow-up sessions: which follow-up entry it completes",
          minimum=1),
    Field("actions", "action_list", "agreements: a text, or a mapping text/due/done",
          fields=ACTION_FIELDS),
    Field("cancelled", "text", "the conversation did not take place, and why"),
    Field("billable", "bool", "counts in `hours` (default: yes when held, no when cancelled)"),
    Field("scores", "scores", "the coachee's rating 0–10 of each coaching goal, in the order "
          "of the client's `goals` (`~` for one not rated)"),
))

SETTINGS = Schema("settings", (
    Field("coach", "text", "the coach's name",
          comment=N_("your name (also for commits when git does not know you)")),
    Field("language", "choice", "language of templates and pages", choices=LANGUAGES,
          default="nl", comment=N_("language of templates and pages: nl or en")),
    Field("planned_sessions", "int", "default planned coaching sessions", minimum=1,
          maximum=1000, default=8, comment=N_("conversations in a regular trajectory")),
    Field("trajectory_months", "int", "default length of a trajectory", minimum=1,
          maximum=600, default=6, comment=N_("length of a trajectory in months")),
    Field("follow_up_months", "int_list", "offsets after end_date that `close` plans",
          minimum=1, maximum=600, default=[3, 6],
          comment=N_("follow-ups, months after the last conversation")),
    Field("stalled_after_days", "int", "W107 after this many days without a conversation",
          minimum=1, maximum=36500, default=42,
          comment=N_("warning (W107) after this many days without a conversation")),
    Field("due_within_days", "int", "the default window of `due`", minimum=0,
          maximum=36500, default=14, comment=N_("window of `coachnotes due`")),
    Field("timezone", "timezone", "the zone of timed calendar events (IANA name)",
          default="Europe/Amsterdam",
          comment=N_("time zone of appointments with a time (calendar)")),
    Field("hourly_rate", "number", "your hourly rate, for the amounts in `hours`", minimum=0,
          comment=N_("your hourly rate excluding VAT: amounts in `coachnotes hours`"),
          example="85"),
    Field("lasting_drop", "int", "the fall in a goal's score at a follow-up that W117 "
          "reports", minimum=1, maximum=10, default=2,
          comment=N_("a fall of this much in a score at a follow-up is W117")),
    Field("retention_years", "int", "years a closed or declined client's notes are kept "
          "(W111 until you set it, W112 when it has passed)", minimum=1, maximum=100,
          comment=N_("YOUR CHOICE: years you keep a file after it ends (GDPR)"), example="2",
          written=True),
    Field("client_ids", "choice", "`name` (ids from the name) or `code` (pseudonyms "
          "c<year>-<nnn>, no name in any path)", choices=CLIENT_ID_STYLES, default="name",
          comment=N_("name: folder from the name; code: pseudonym c2026-001")),
    Field("sponsors", "sponsors", "by a client's exact `sponsor` text: its own hourly rate, "
          "or a mapping with its rate and what an invoice to it needs", fields=(
              Field("hourly_rate", "number", "its own hourly rate, excluding VAT", minimum=0),
              Field("address", "text", "street and number"),
              Field("postcode_city", "text", "postcode and city (`3511 AR Utrecht`)"),
              Field("postcode", "text", "abroad: the postcode (instead of postcode_city)"),
              Field("city", "text", "abroad: the city"),
              Field("country", "text", "country code (default `NL`)"),
              Field("kvk", "code", "its Chamber of Commerce number"),
              Field("oin", "code", "a government body's OIN"),
              Field("vat_id", "text", "its VAT id"),
              Field("email", "text", "where invoices go"),
              Field("contact", "text", "the contact person (the invoice's buyer reference "
                    "when there is no `reference`)"),
              Field("order", "code", "its order number (UWV), for all its clients"),
              Field("reference", "code", "its own reference, to quote on invoices"),
          ), default={}, comment=N_("per sponsor (its exact `sponsor` text): its own hourly "
                                    "rate, or a mapping with what an invoice needs"),
          example='"HRM — P. de Boer": 95\n"Gemeente Utrecht":\n  hourly_rate: 90\n'
                  '  address: Stadsplateau 1\n  postcode_city: 3521 AZ Utrecht\n'
                  "  oin: '00000001002220647000'\n  reference: WIZ-2026-17"),
    Field("calendar_names", "choice", "how a client is named in a calendar file: `initials` "
          "(Z.v.t.H.), `full` or `id`", choices=CALENDAR_NAMES, default="initials",
          comment=N_("a client in a calendar: initials, full or id")),
    Field("calendar_alarm_minutes", "int", "a reminder this many minutes before each timed "
          "event in a calendar file (0: none)", minimum=0, maximum=40320, default=30,
          comment=N_("a reminder this many minutes before each appointment (0: none)")),
    Field("calendar_details", "choice", "what an action's event in a calendar says: `kind` "
          "(\"Action\" and the client) or `full` (its own text, which can name other "
          "people)", choices=CALENDAR_DETAILS, default="kind",
          comment=N_("an action in a calendar: kind (just \"Action\") or full (its text)")),
    Field("calendar_server", "mapping", "your own CalDAV calendar, for `coachnotes calendar "
          "sync` (the password: $COACHNOTES_CALDAV_PASSWORD or the system keyring)", fields=(
              Field("url", "text", "the URL of the calendar collection"),
              Field("user", "text", "the user name"),
              Field("tasks_url", "text", "where tasks go, when the calendar takes no tasks "
                    "(iCloud)"),
              Field("watch", "bool", "`watch` syncs the calendar after a save"),
          ), default={},
          comment=N_("your own calendar (CalDAV), for `coachnotes calendar sync`"),
          example="url: https://cloud.example.nl/remote.php/dav/calendars/coach/praktijk/\n"
                  "user: coach"),
    Field("practice", "mapping", "the letterhead of documents for the sponsor, and what an "
          "invoice says of you", fields=tuple(
              Field(key, "code" if key == "kvk" else "text",
                    f"the practice's {key.replace('_', ' ')}") for key in PRACTICE_FIELDS) + (
              Field("logo", "text", "a PNG or JPEG in the vault, for the letterhead"),
              Field("iban", "text", "the account invoices are paid to"),
              Field("bic", "text", "its bank's BIC (optional)"),
              Field("vat", "vat", "`21` (default), `exempt` or `kor` (small business scheme)",
                    choices=VAT_KINDS),
              Field("vat_exemption_text", "text", "the legal ground printed when `vat` is not "
                    "21"),
              Field("payment_days", "int", "payment term in days (default 30)", minimum=0,
                    maximum=365),
              Field("invoice_prefix", "text", "put before each invoice number (default "
                    "none)"),
          ), default={},
        comment=N_("the letterhead of documents, and what an invoice says of you"),
        example="\n".join(f"{key}: {value}" for key, value in (
            ("name", "Praktijk"), ("address", "Straat 1"), ("postcode_city", "3511 AR Utrecht"),
            ("email", "coach@example.nl"), ("phone", "'030 123 45 67'"),
            ("website", "example.nl"), ("kvk", "'12345678'"), ("vat_id", "NL000000000B01"),
            ("iban", "NL00BANK0123456789"), ("vat", "21"), ("payment_days", "30")))),
    Field("bill_intake", "bool", "whether the intake counts in `hours` (default no)",
          default=False, comment=N_("whether the intake counts in `coachnotes hours`")),
    Field("health_words", "text_list", "more words (or beginnings of words) that `report` "
          "warns about as health data", default=[],
          comment=N_("more words that `report` warns about as health data"),
          example="[mantelzorg]"),
    Field("charts", "bool", "diagrams in the generated pages (default yes)", default=True,
          comment=N_("diagrams in the generated pages")),
    Field("sync", "mapping", "git settings", fields=(
        Field("remote", "text", "the remote to sync with", default="origin",
              comment=N_("the git remote to sync with")),
        Field("branch", "text", "the branch to sync (default: the current one)",
              comment=N_("default: the current branch"), example="main"),
    ), default={"remote": "origin", "branch": None}, comment=N_("syncing with git")),
))

# Every setting's value when the key is absent: made from the declarations above
SETTINGS_DEFAULTS: dict[str, Any] = {f.key: f.default for f in SETTINGS.fields}

NOTE_SCHEMAS = {"client": CLIENT, "session": SESSION}

Problem3 = tuple[int, str, str]  # (line, code, message) within one file


class _Invalid(Exception):
    """A value does not fit its field; args: (code, message)."""


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return _("the yes/no value {value}").format(value=str(value).lower())
    if isinstance(value, float) and not math.isfinite(value):
        return _("{value}, which is no amount").format(
            value=".nan" if math.isnan(value) else ".inf")
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=value)
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


_ODD_DASHES = ODD_DASHES


def parse_date_text(text: str) -> tuple[dt.date | None, str]:
    """Read a date a person wrote as text; returns (date or None, hint for the message)."""
    text = text.strip()
    if any(c in text for c in _ODD_DASHES) or "\u00a0" in text:
        dashes = any(c in text for c in _ODD_DASHES)
        plain = "".join("-" if c in _ODD_DASHES else " " if c == "\u00a0" else c for c in text)
        parsed, _hint = parse_date_text(plain)
        message = _("the dashes in {text!r} are not the hyphen `-` (a phone or word processor "
                    "typed them): write {plain}") if dashes else \
            _("the spaces in {text!r} are not normal spaces (a phone or word processor typed "
              "them): write {plain}")
        return None, message.format(text=text, plain=parsed.isoformat() if parsed else plain)
    if _ISO_DATE_RE.match(text):
        try:
            year, month, day = (int(p) for p in text.split("-"))
            return dt.date(year, month, day), ""
        except ValueError:
            return None, _("there is no day {text!r} in the calendar").format(text=text)
    if _DATETIME_RE.match(text):
        return None, _("write only the date, without a time, e.g. 2026-01-12")
    reading = date_reading(text)  # the example is what `check --fix` would write
    if reading is not None or _DUTCH_DATE_RE.match(text):
        return None, _("write dates as YYYY-MM-DD, e.g. {date}").format(
            date=(reading or "2026-01-12")[:10])
    return None, _(DATE_HINT)


def _date(f: Field, value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise _Invalid("E012", _("`{key}` must be a date without a time, e.g. {date}").format(
                                 key=f.key, date=value.date().isoformat()))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        parsed, hint = parse_date_text(value)
        if parsed is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return parsed.isoformat()  # '2026-11-09' quoted: quoting is a YAML detail (§6)
        if parsed is not None:  # e.g. 2026-1-5: YAML reads it as text; say how to write it
            hint = _("write dates as YYYY-MM-DD, e.g. {date}").format(date=parsed.isoformat())
        raise _Invalid("E012", _("`{key}` must be a date, found {found}: {hint}").format(
                                 key=f.key, found=describe(value), hint=hint))
    raise _Invalid("E012", _("`{key}` must be a date, found {found}: {hint}").format(
                             key=f.key, found=describe(value), hint=_(DATE_HINT)))


_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


def _datetime(f: Field, value: Any) -> str:
    """A date, or a date with a local time of day: `2026-12-03`, `2026-12-03 14:00`,
    `2026-12-03T14:00` (what Obsidian writes), with or without seconds. As ISO text:
    YYYY-MM-DD or YYYY-MM-DDTHH:MM."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise _Invalid("E012", _("`{key}` takes a local time without a zone, e.g. "
                                     "{strftime}").format(
                                     key=f.key, strftime=value.strftime('%Y-%m-%dT%H:%M')))
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, str):
        match = _TIME_RE.match(value.strip())
        if match:
            day, hour, minute = match.group(1), int(match.group(2)), int(match.group(3))
            parsed, _hint = parse_date_text(day)
            if parsed is not None and hour < 24 and minute < 60:
                return f"{parsed.isoformat()}T{hour:02d}:{minute:02d}"
            raise _Invalid("E012", _("`{key}` has no such day or time: {found}").format(
                                     key=f.key, found=describe(value)))
    return _date(f, value)


def _client_ref(f: Field, value: Any) -> str:
    """The client's id, or an Obsidian wiki link to the client: `[[id]]`, `[[id|Name]]`,
    `[[clients/id/client]]` give the id; `[[Name]]` is kept as written and matched against
    the clients' names when the model is built."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) \
            and len(value[0]) == 1 and isinstance(value[0][0], str):
        value = f"[[{value[0][0]}]]"  # `client: [[id]]` unquoted: YAML reads a list in a list
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[[") and text.endswith("]]"):
            target = text[2:-2].split("|", 1)[0].strip()
            parts = target.removesuffix(".md").split("/")
            if len(parts) == 3 and parts[0] == "clients" and parts[2] == "client":
                target = parts[1]
            if SLUG_RE.match(target):
                return target
            if target:
                return f"[[{target}]]"  # a name: resolved against the clients' names
        elif SLUG_RE.match(text):
            return text
    raise _Invalid("E012", _("`{key}` must be the client's id (like jan-de-vries) or a "
                             "link to it (like [[jan-de-vries]]), found {found}").format(
                             key=f.key, found=describe(value)))


def _timezone(f: Field, value: Any) -> str:
    import zoneinfo

    if isinstance(value, str):
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise _Invalid("E013", _("`{key}` must be a time zone name like Europe/Amsterdam, "
                             "found {found}").format(key=f.key, found=describe(value)))


def _number(f: Field, value: Any) -> float | int:
    if isinstance(value, str) and re.fullmatch(r"\s*€?\s*\d+,\d+\s*", value):
        written = value.replace("€", "").strip().replace(",", ".")
        raise _Invalid("E012", _("`{key}` must be a number written with a decimal point, "
                                 "found '{value}': write {written}").format(
                                     key=f.key, value=value, written=written))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        raise _Invalid("E012", _("`{key}` must be a number (like 95 or 87.50), found "
                                 "{found}").format(key=f.key, found=describe(value)))
    if f.minimum is not None and value < f.minimum:
        raise _Invalid("E012", _("`{key}` must be at least {minimum}, found {value}").format(
                                 key=f.key, minimum=f.minimum, value=value))
    return value


def _choice_list(f: Field, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_choice(f, item) for item in items]


def _sponsors(f: Field, value: Any, lines: dict[str, int], path: str,
              problems: list[Problem3]) -> dict[str, dict]:
    """`sponsors:` each sponsor's exact `sponsor` text to a mapping of what is known of it:
    a bare number is its `hourly_rate` (v2); a mapping holds the rate and its invoice details
    (v4). An entry that cannot be read is left out, with its problem."""
    if not isinstance(value, dict):
        raise _Invalid("E012", _("`{key}` must be a mapping of sponsor to hourly rate, "
                                 "like `\"HRM — P. de Boer\": 95`").format(key=f.key))
    found = {}
    for sponsor, entry in value.items():
        where = f"{path}.{sponsor}"
        if isinstance(entry, dict):
            sub, subproblems = normalise(f.fields, entry, lines, where + ".")
            problems.extend(subproblems)
            found[str(sponsor)] = sub
            continue
        try:
            found[str(sponsor)] = {"hourly_rate": _number(
                Field(f"{f.key}.{sponsor}", "number", "", minimum=0), entry)}
        except _Invalid as invalid:
            problems.append((line_of(lines, where), *invalid.args))
    return found


def _code(f: Field, value: Any) -> str:
    """A number written as digits (KvK, OIN, an order number): YAML may read it as a number,
    which is taken as its digits; a leading zero survives only in quotes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(f, value)


def _amount(f: Field, value: Any) -> str:
    """An amount in euro, as the decimal text it was written as (never a float's cents)."""
    from decimal import ROUND_HALF_UP, Decimal

    number = _number(f, value)
    if isinstance(number, float):
        number = Decimal(repr(number))
    return str(Decimal(number).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _vat(f: Field, value: Any) -> str:
    """`vat: 21` (YAML reads a number), `exempt` or `kor`."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _choice(f, value)


def _tags(f: Field, value: Any) -> list[str]:
    """`tags: loopbaan, gemeente` split as Obsidian splits it; a `#` before a tag (Obsidian's
    way in the text) is not part of it."""
    if isinstance(value, str):
        return [tag.lstrip("#") for tag in re.split(r"[,\s]+", value) if tag.lstrip("#")]
    return [tag.lstrip("#") for tag in _text_list(f, value)]


def _text(f: Field, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Invalid("E012", _("`{key}` must be text, but YAML read {found}; put the value "
                             "in quotes").format(key=f.key, found=describe(value)))


def _slug(f: Field, value: Any) -> str:
    if isinstance(value, str) and SLUG_RE.match(value):
        return value
    raise _Invalid("E012", _("`{key}` must be an id of lower-case letters, digits and "
                             "single hyphens (like jan-de-vries), found {found}").format(
                             key=f.key, found=describe(value)))


_DURATION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(min|mins|minuten|minutes|minuut|minute|m|u|uur|"
                       r"uren|h|hr|hrs|hour|hours)\.?$", re.I)


def minutes_reading(text: str) -> int | None:
    """A duration written in words as whole minutes (`90 min`, `90 minuten`, `1,5 uur`,
    `1.5 h` → 90): the one reading `check --fix` writes; None when there is none."""
    match = _DURATION.match(text.strip())
    if not match:
        return None
    amount = float(match.group(1).replace(",", "."))
    minutes = amount * 60 if match.group(2).lower()[0] in "uh" else amount
    return int(minutes) if minutes == int(minutes) and minutes >= 1 else None


def _int(f: Field, value: Any) -> int:
    if f.key == "duration" and isinstance(value, str) and minutes_reading(value):
        raise _Invalid("E012", _("`duration` is in minutes: write {minutes} instead of {found} "
                                 "(`coachnotes check --fix` does)").format(
                                 minutes=minutes_reading(value), found=describe(value)))
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid("E012", _("`{key}` must be a whole number, found {found}").format(
                                 key=f.key, found=describe(value)))
    if f.minimum is not None and value < f.minimum:
        raise _Invalid("E012", _("`{key}` must be at least {minimum}, found {value}").format(
                                 key=f.key, minimum=f.minimum, value=value))
    if f.maximum is not None and value > f.maximum:
        raise _Invalid("E012", _("`{key}` must be at most {maximum}, found {value}").format(
                                 key=f.key, maximum=f.maximum, value=value))
    return value


def _bool(f: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    meant = DUTCH_VALUES.get(str(value).strip().lower()) if isinstance(value, str) else None
    if meant in ("yes", "no"):
        raise _Invalid("E012", _("`{key}` is yes or no: write {meant} instead of {found} "
                                 "(`coachnotes check --fix` does)").format(
                                 key=f.key, meant=meant, found=describe(value)))
    raise _Invalid("E012", _("`{key}` must be true or false, found {found}").format(
                             key=f.key, found=describe(value)))


# Dutch words a coach writes for the English values (SPEC §7, E013): "did you mean ...?"
DUTCH_VALUES = {
    "actief": "active", "gepauzeerd": "paused", "pauze": "paused", "nazorg": "follow-up",
    "terugkomfase": "follow-up", "afgerond": "closed", "gesloten": "closed",
    "gestopt": "declined", "afgewezen": "declined", "niet gestart": "declined", "ja": "yes",
    "nee": "no", "deels": "partly", "intakegesprek": "intake", "coachgesprek": "coaching",
    "evaluatie": "evaluation", "evaluatiegesprek": "evaluation", "driegesprek": "tripartite",
    "terugkomgesprek": "follow-up", "vervolggesprek": "coaching",
}


def _choice(f: Field, value: Any) -> str:
    if isinstance(value, bool) and "yes" in f.choices:  # YAML 1.1 reads bare yes/no as bool
        value = "yes" if value else "no"
    if isinstance(value, str) and value in f.choices:
        return value
    allowed = ", ".join(f.choices)
    hint = ""
    word = value.strip().lower() if isinstance(value, str) else ""
    if word in f.choices:
        hint = _(" (did you mean {word!r}?)").format(word=word)
    elif DUTCH_VALUES.get(word) in f.choices:
        hint = _(" (did you mean {DUTCH_VALUES!r}? the values are English)").format(
                 DUTCH_VALUES=DUTCH_VALUES[word])
    raise _Invalid("E013", _("`{key}` must be one of: {allowed}; found {found}{hint}").format(
                             key=f.key, allowed=allowed, found=describe(value), hint=hint))


def _text_list(f: Field, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _Invalid("E012", _("`{key}` must be a list: write each item on its own line "
                                 "starting with '- '").format(key=f.key))
    bad = [item for item in value if not isinstance(item, str)]
    if bad:
        raise _Invalid("E012", _("every item of `{key}` must be text; {found} is not (put "
                                 "it in quotes)").format(key=f.key, found=describe(bad[0])))
    return list(value)


def _scores(f: Field, value: Any) -> list[int | None]:
    """E026: a list of whole numbers 0–10, `~` (nothing) for a goal not rated this time."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item is not None and (isinstance(item, bool) or not isinstance(item, int)
                                 or not 0 <= item <= 10):
            raise _Invalid("E026", _("`scores` holds a rating from 0 to 10 per goal (`~` for "
                                     "one not rated), found {found}").format(
                                         found=describe(item)))
    return list(items)


def _int_list(f: Field, value: Any) -> list[int]:
    items = value if isinstance(value, list) else [value]
    return [_int(f, item) for item in items]


NORMALISERS: dict[str, Callable[[Field, Any], Any]] = {
    "date": _date, "datetime": _datetime, "client_ref": _client_ref, "tags": _tags,
    "timezone": _timezone, "number": _number, "choice_list": _choice_list, "code": _code,
    "amount": _amount, "vat": _vat,
    "text": _text, "slug": _slug, "int": _int, "bool": _bool,
    "choice": _choice, "text_list": _text_list, "int_list": _int_list, "scores": _scores,
}


def line_of(lines: dict[str, int], path: str, default: int = 1) -> int:
    """The line of a key path like `follow_ups.1.due`, else of its nearest parent."""
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return default


def _required(f: Field, status: str | None) -> bool:
    return "*" in f.required or (status is not None and status in f.required)


def normalise(schema: Schema | tuple[Field, ...], data: dict, lines: dict[str, int],
              prefix: str = "", status: str | None = None,
              unknown_code: str | None = None) -> tuple[dict[str, Any], list[Problem3]]:
    """Check `data` against the declared fields: (valid values, problems).

    Invalid or missing values are left out of the result, so the model only sees good data.
    `unknown_code` reports keys the schema does not declare (settings: W110); notes keep them.
    """
    fields = schema.fields if isinstance(schema, Schema) else schema
    values: dict[str, Any] = {}
    problems: list[Problem3] = []
    where = f"`{prefix.rstrip('.')}`" if prefix else ""
    for f in fields:
        path = prefix + f.key
        value = data.get(f.key)
        if value is None or isinstance(value, str) and not value.strip():
            if _required(f, status):
                why = " " + _("when status is {status}").format(status=status) \
                    if f.required is not ALWAYS and status else ""
                problems.append((line_of(lines, path if f.key in data else prefix),
                                 "E011", _("`{key}` is required{why}{value}; add it").format(
                                           key=f.key, why=why,
                                           value=" " + _("in {where}").format(where=where)
                                           if where else "")))
            continue
        try:
            values[f.key] = _normalise_value(f, value, lines, path, problems)
        except _Invalid as invalid:
            code, message = invalid.args
            problems.append((line_of(lines, path), code, message))
    if unknown_code is None and not prefix:
        problems += _near_misses(fields, data, lines)
    if unknown_code:
        known = {f.key for f in fields}
        for key in data:
            if key not in known:
                close = [k for k in known if _similar(str(key), k)]
                hint = "; " + _("did you mean `{key}`?").format(key=close[0]) if close else ""
                problems.append((line_of(lines, prefix + str(key)), unknown_code,
                                 _("unknown setting `{key}` is ignored{hint}").format(
                                     key=key, hint=hint)))
    return values, problems


def _normalise_value(f: Field, value: Any, lines: dict[str, int], path: str,
                     problems: list[Problem3]) -> Any:
    if f.kind == "extension" and isinstance(value, str):
        return value  # a text (v1); as a mapping (v2) it is read like any mapping
    if f.kind in ("mapping", "extension"):
        return _mapping(f, value, lines, path, problems)
    if f.kind in ("mapping_list", "action_list"):
        return _mapping_list(f, value, lines, path, problems)
    if f.kind == "sponsors":
        return _sponsors(f, value, lines, path, problems)
    value = NORMALISERS[f.kind](f, value)
    if f.kind in _SHARED_KINDS and type(value) is str:
        # A few dozen words and dates recur in every note: one object each, here and (marshal
        # keeps interned strings interned) in every record loaded from the cache.
        value = intern(value)
    return value


def _mapping(f: Field, value: Any, lines: dict[str, int], path: str,
             problems: list[Problem3]) -> dict:
    if not isinstance(value, dict):
        message = _("`{key}` must be a text (why), or a mapping of keys: {keys}") \
            if f.kind == "extension" else _("`{key}` must be a mapping of keys: {keys}")
        raise _Invalid("E012", message.format(key=f.key,
                                              keys=", ".join(sub.key for sub in f.fields)))
    sub, subproblems = normalise(f.fields, value, lines, path + ".")
    problems.extend(subproblems)
    return sub


def _mapping_list(f: Field, value: Any, lines: dict[str, int], path: str,
                  problems: list[Problem3]) -> list:
    if not isinstance(value, list):
        raise _Invalid("E012", _("`{key}` must be a list: each item on its own line "
                                 "starting with '- '").format(key=f.key))
    items = []
    for index, item in enumerate(value):
        if f.kind == "action_list" and isinstance(item, str):
            items.append({"text": item})
            continue
        item_path = f"{path}.{index}"
        problem = _item_problem(f, item, index)
        if problem is not None:
            problems.append((line_of(lines, item_path), "E012", problem))
            continue
        sub, subproblems = normalise(f.fields, item, lines, item_path + ".")
        problems.extend(subproblems)
        if all(sub.get(k.key) is not None for k in f.fields if "*" in k.required):
            if f.kind == "mapping_list":
                sub["_n"] = index + 1  # the entry's number as written (follow_up: N)
            items.append(sub)
    return items


def _item_problem(f: Field, item: Any, index: int) -> str | None:
    """Why an item of a list of mappings is not one: not a mapping; an action whose colon
    made YAML read it as a key."""
    if not isinstance(item, dict):
        message = _("item {n} of `{key}` must be a mapping or a text") \
            if f.kind == "action_list" else _("item {n} of `{key}` must be a mapping")
        return message.format(n=index + 1, key=f.key)
    if f.kind == "action_list" and len(item) == 1 and "text" not in item \
            and isinstance(next(iter(item.values())), (str, type(None))):
        head, tail = next(iter(item.items()))
        return _("the colon in action {n} makes YAML read it as a key: put the whole text in "
                 "quotes, like - \"{head}: {tail}\"").format(n=index + 1, head=head,
                                                              tail=tail or "")
    return None


_SHARED_KINDS = frozenset({"choice", "slug", "date", "datetime", "client_ref"})


# keys that editors add, never a typo of ours
_EDITOR_KEYS = frozenset({"aliases", "alias", "cssclasses", "cssclass", "publish", "created",
                          "modified", "updated", "title"})


def _near_misses(fields: tuple[Field, ...], data: dict, lines: dict[str, int],
                 ) -> list[Problem3]:
    """E014: a known key in the wrong case (`Next:`), whose value would be ignored in silence;
    W115: an unknown key one slip from a known one (`nxet`). Other unknown keys are kept."""
    known = {f.key for f in fields}
    found: list[Problem3] = []
    for key in data:
        if not isinstance(key, str) or key in known or key.lower() in _EDITOR_KEYS:
            continue
        line = line_of(lines, key)
        if key.lower() in known and key.lower() not in data:
            found.append((line, "E014", _("`{key}` is not read (keys are lower case), so "
                                          "its value is ignored: did you mean `{lower}`?").format(
                                          key=key, lower=key.lower())))
            continue
        close = [k for k in sorted(known) if _similar(key, k)]
        if close:
            found.append((line, "W115", _("unknown key `{key}`: did you mean `{close}`?").format(
                                          key=key, close=close[0])))
    return found


def _similar(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.75


def format_tables() -> str:
    """The note format as Markdown tables, for the README (a test keeps them in step)."""
    out = []
    for title, note_schema in (("Client note — `clients/<id>/client.md`", CLIENT),
                               ("Session note — `clients/<id>/sessions/<date>-<kind>.md`",
                                SESSION),
                               ("Settings — `coachnotes.yml`", SETTINGS)):
        out += [f"#### {title}", "", "| key | kind | required | values / meaning |",
                "|---|---|---|---|"]
        for f in note_schema.fields:
            out += _format_rows(f, "")
        out.append("")
    return "\n".join(out)


def _format_rows(f: Field, prefix: str) -> list[str]:
    if "*" in f.required:
        required = "yes"
    elif f.required:
        required = "from " + " · ".join(s for s in STATUSES if s in f.required)
    else:
        required = ""
    meaning = f.doc
    if f.choices:
        meaning = " · ".join(f"`{c}`" for c in f.choices) + (f" — {f.doc}" if f.doc else "")
    rows = [f"| `{prefix}{f.key}` | {f.kind.replace('_', ' ')} | {required} | {meaning} |"]
    inner = "[]." if f.kind in ("mapping_list", "action_list") else \
        ".<sponsor>." if f.kind == "sponsors" else "."
    for sub in f.fields:
        rows += _format_rows(sub, f"{prefix}{f.key}{inner}")
    return rows
