"""Markdown written from what a coach wrote: a table cell or a line that stays text (no
link, tag, comment or column can be made from it), and a relative link that works on
GitHub, GitLab and in Obsidian. The pages and the documents' Markdown use them."""

from __future__ import annotations

import re
from urllib.parse import quote

_PLAIN_TARGET = re.compile(r"[A-Za-z0-9_.~/-]*")  # nothing to percent-encode (most paths)


def link(label: str, target: str) -> str:
    """A relative Markdown link that works on GitHub, GitLab and in Obsidian."""
    if not _PLAIN_TARGET.fullmatch(target):
        target = quote(target, safe="/")
    return f"[{cell(label)}]({target})"


_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]",
                         "<": "&lt;", ">": "&gt;"})


def cell(value: object) -> str:
    """Text a coach wrote, as inert Markdown on one line: no link, tag, comment or table
    column can be made from it, and control characters are dropped."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if not text.isprintable():
        text = "".join(c for c in text if c.isprintable())
    return text.translate(_ESCAPES)
