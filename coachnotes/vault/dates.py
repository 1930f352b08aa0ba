"""Dates as a person writes them (SPEC §6): the one ISO reading of `27-11-2026`,
`27/11/2026`, `2026/12/03`, `27 nov 2026` (day first, as Dutch and English vaults write) —
what `check --fix` writes, and the example E012's message gives."""

from __future__ import annotations

import datetime as dt
import re

NBSP = "\u00a0"
ODD_DASHES = _DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"  # not `-`
MONTHS = {  # Dutch and English month names and their usual abbreviations
    **dict.fromkeys(("jan", "januari", "january"), 1),
    **dict.fromkeys(("feb", "febr", "februari", "february"), 2),
    **dict.fromkeys(("mrt", "mar", "maart", "march"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7),
    **dict.fromkeys(("aug", "augustus", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oct", "oktober", "october"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dec", "december"), 12),
}
_TIME = r"(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)  # 2026/12/03 too
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})" + _TIME)
_NAMED = re.compile(r"^(\d{1,2})\.?\s+([A-Za-z]+)\.?,?\s+(\d{4})" + _TIME)

def date_reading(text: str) -> str | None:
    """The one ISO reading of a date a person wrote (`27-11-2026`, `27/11/2026`, `27 nov
    2026`, with phone dashes or spaces; day first, as Dutch and English vaults write), with
    its time of day if any; None when there is no reading or more than one."""
    plain = "".join("-" if c in _DASHES else " " if c == NBSP else c for c in text.strip())
    iso = _ISO.match(plain)
    if iso:
        day, month, year, time = int(iso[4]), int(iso[3]), int(iso[1]), iso["time"]
    elif (numeric := _NUMERIC.match(plain)):
        day, month, year, time = int(numeric[1]), int(numeric[3]), int(numeric[4]), \
            numeric["time"]
    elif (named := _NAMED.match(plain)) and named[2].lower() in MONTHS:
        day, month, year, time = int(named[1]), MONTHS[named[2].lower()], int(named[3]), \
            named["time"]
    else:
        return None
    try:
        day_text = dt.date(year, month, day).isoformat()
    except ValueError:
        return None
    if time:
        hours, minutes = time.strip().lstrip("T").split(":")[:2]
        if int(hours) > 23 or int(minutes) > 59:
            return None
        return f"{day_text} {int(hours):02d}:{minutes}"
    return day_text
