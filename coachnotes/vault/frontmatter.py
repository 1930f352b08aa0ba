"""Reading a note's front matter: bytes -> (data, line of every key, problems).

python-frontmatter finds the front matter (with a boundary that cannot swallow blank lines) and
PyYAML's C loader parses it. We compose the YAML node graph ourselves, so we see the line of
every key, duplicated keys, alias bombs and cycles before anything is constructed. Nothing here
raises for anything a user can write: every surprise becomes a problem `(line, code, message)`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from sys import intern
from typing import Any

from coachnotes.i18n import _
from coachnotes.vault.schema import Problem3

MAX_BYTES = 1 << 20

MAX_NODES = 20_000  # a real note has a few hundred; alias bombs expand to millions
MAX_DEPTH = 64
_BOUNDARY = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_CONFLICT = re.compile(r"^(<{7}|>{7})(?: |$)", re.MULTILINE)


TOO_LARGE: Problem3 = (1, "E001", _("is larger than {value} MiB; notes are small text "
                                    "files — move attachments elsewhere").format(
                                    value=MAX_BYTES // 1024 // 1024))


NOT_A_FILE: Problem3 = (1, "E001", _("is not a file but a pipe, device or socket, so it is "
                                     "not read: remove it, or replace it with the note itself"))


class Parsed:
    """What the reader made of one file."""

    __slots__ = ("data", "lines", "problems")

    def __init__(self, data: dict[str, Any] | None, lines: dict[str, int] | None = None,
                 problems: list[Problem3] | None = None) -> None:
        self.data = data
        self.lines = {} if lines is None else lines
        self.problems = [] if problems is None else problems


def read_note(path: Path) -> Parsed:
    """Read one note from disk; unreadable files become problems, not exceptions."""
    from coachnotes.vault.files import NotRegular, read_regular

    try:
        raw = read_regular(path, MAX_BYTES)
    except ValueError:
        return Parsed(None, problems=[TOO_LARGE])  # not even read
    except NotRegular:
        return Parsed(None, problems=[NOT_A_FILE])
    except OSError as error:
        message = _("cannot be read: {strerror}").format(strerror=error.strerror)
        return Parsed(None, problems=[(1, "E001", message)])
    return parse_bytes(raw)


def decode(raw: bytes) -> tuple[str | None, Problem3 | None]:
    """Bytes -> text with LF line ends and no BOM, or a problem (E001)."""
    if len(raw) > MAX_BYTES:
        return None, TOO_LARGE
    if b"\x00" in raw:
        return None, (1, "E001", _("is not a text file (it holds binary data); keep only "
                                   "Markdown notes under clients/"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, (line, "E001", _("is not UTF-8 text (byte 0x{raw:02x} on line "
                                      "{line}); save the file as UTF-8").format(
                                      raw=raw[error.start], line=line))
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_bytes(raw: bytes) -> Parsed:
    text, problem = decode(raw)
    if text is None:
        return Parsed(None, problems=[problem])
    return parse_text(text)


def split_front_matter(text: str) -> tuple[str, int] | None:
    """(front matter text, line of the closing `---`) or None when the note has none.

    The front matter text starts on the line of the opening `---`, so a YAML mark's line
    plus one is the line in the file. Raises ValueError when it is not closed.
    """
    from frontmatter.default_handlers import YAMLHandler

    handler = YAMLHandler(fm_boundary=_BOUNDARY)
    if not handler.detect(text):
        return None
    boundaries = handler.FM_BOUNDARY.finditer(text)
    opening = next(boundaries)
    closing = next(boundaries, None)
    if closing is None:
        raise ValueError("not closed")
    return text[opening.end(): closing.start()], text.count("\n", 0, closing.start()) + 1


_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)


def without_comments(text: str) -> str:
    """A body without its HTML comments (`<!-- … -->`, the templates' hints; an unclosed one
    runs to the end): a comment is never quoted in a document, a page or a search (SPEC §4,
    v4). Its line breaks stay, so the lines around keep their numbers."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text) \
        if "<!--" in text else text


def section_text(text: str, headings: tuple[str, ...]) -> str:
    """The body text under the first heading among `headings` (`## For the sponsor`), up to
    the next heading of the same or a higher level, comments left out; "" when there is
    none (a heading whose only text is a comment is empty)."""
    split = split_front_matter(text)
    body = text.splitlines()[split[1]:] if split else text.splitlines()
    lines = without_comments("\n".join(body)).splitlines()
    found: list[str] = []
    level = 0
    for line in lines:
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if level and match and len(match.group(1)) <= level:
            break
        if level:
            found.append(line)
        elif match and match.group(2).strip().casefold() in headings:
            level = len(match.group(1))
    return "\n".join(found).strip()


def parse_text(text: str) -> Parsed:
    problems: list[Problem3] = []
    conflict = _CONFLICT.search(text) if "<<<<<<<" in text or ">>>>>>>" in text else None
    if conflict:
        line = text.count("\n", 0, conflict.start()) + 1
        problems.append((line, "E006", _("holds git conflict markers: keep the right text "
                                         "and delete the lines <<<<<<<, ======= and >>>>>>>")))
    if not text.strip():
        message = _("is empty: a note starts with front matter between two `---` lines")
        return Parsed(None, problems=problems + [(1, "E002", message)])
    try:
        split = split_front_matter(text)
    except ValueError:
        message = _("front matter is not closed: add a line `---` after the keys")
        return Parsed(None, problems=problems + [(1, "E002", message)])
    if split is None:
        message = _("has no front matter: start the note with a line `---`, the keys, and "
                    "another `---`")
        return Parsed(None, problems=problems + [(1, "E002", message)])
    front, closing_line = split
    if conflict and text.count("\n", 0, conflict.start()) + 1 <= closing_line:
        return Parsed(None, problems=problems)  # YAML errors would only repeat E006
    data, lines, yaml_problems = parse_yaml(front)
    return Parsed(data, lines, problems + yaml_problems)


def parse_yaml(source: str, line_offset: int = 1,
               ) -> tuple[dict[str, Any] | None, dict[str, int], list[Problem3]]:
    """Parse a YAML mapping: (data or None, key path -> line, problems)."""
    import yaml

    loader = _loader_class()(source)
    try:
        node = loader.get_single_node()
        if node is None:
            message = _("front matter is empty: add the keys, starting with `type`")
            return None, {}, [(line_offset, "E004", message)]
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            return None, {}, [(node.start_mark.line + line_offset, "E004",
                               _("front matter is {kind}, not keys with values (`key: "
                                 "value` lines)").format(kind=kind))]
        builder = _Builder(loader, line_offset)
        data = builder.build(node, "", 0)
        if builder.refusal:
            return None, {}, [builder.refusal]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        last = max(len(source.splitlines()) - 1, 0) + line_offset  # errors at the end of input
        line = min(mark.line + line_offset, last) if mark else line_offset
        if isinstance(error, yaml.constructor.ConstructorError):
            return None, {}, [(line, "E004", _("uses a YAML tag that is not allowed in "
                                               "notes ({first_line}); remove it").format(
                                               first_line=_first_line(error.problem)))]
        cause = _cause(source, line_offset, error.problem or "")
        if cause:
            return None, {}, [cause]
        started = ""
        if error.context_mark and mark and \
                min(error.context_mark.line + line_offset, last) != line:
            started = _(", {context} on line {line}").format(
                context=_first_line(error.context),
                line=min(error.context_mark.line + line_offset, last))
        return None, {}, [(line, "E003", _("YAML cannot read this line: check the "
                                           "indentation, colons and quotes (YAML says: "
                                           "{first_line}{started})").format(
                                           first_line=_first_line(error.problem), started=started))]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        return None, {}, [(line_offset, "E003", _("YAML cannot be read: {first_line}").format(
                                                  first_line=_first_line(str(error))))]
    finally:
        loader.dispose()
    return data, builder.lines, builder.problems + _hashed_tags(source, line_offset, data)


def _hashed_tags(source: str, offset: int, data: dict) -> list[Problem3]:
    """W120: `tags: #loopbaan` is a YAML comment, so `tags` is empty in silence."""
    if data.get("tags") is not None:
        return []
    import re

    found = re.search(r"^tags[ \t]*:[ \t]+(#.*)$", source, re.M)
    if found is None:
        return []
    line = source.count("\n", 0, found.start()) + offset
    words = " ".join(w.lstrip("#") for w in found.group(1).split())
    return [(line, "W120", _("`tags` is empty: YAML reads everything after `#` as a comment; "
                             "write the tags without `#`, like `tags: [{words}]`").format(
                                 words=", ".join(words.split())))]


def _cause(source: str, offset: int, problem: str) -> Problem3 | None:
    """The everyday cause of a YAML syntax error, named with its fix (SPEC §7, E003): a tab
    used for indentation, a non-breaking space (phones type one after a colon), or a colon
    inside an unquoted text."""
    lines = source.splitlines()
    for number, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return (number + offset, "E003", _("this line is indented with a tab; YAML "
                                               "needs spaces: replace the tab with two spaces"))
    for number, line in enumerate(lines):
        if "\u00a0" in line:
            return (number + offset, "E003", _("this line holds a non-breaking space (a "
                                               "phone often types one after a colon); replace "
                                               "it with a normal space"))
    if "mapping values are not allowed" in problem:
        for number, line in enumerate(lines):
            head, colon, rest = line.partition(": ")
            if colon and ": " in rest and not rest.lstrip().startswith(("'", '"')):
                message = _("a colon followed by a space inside a text makes YAML read a "
                            "new key: put the text in quotes, like {key}: \"{text}\"").format(
                                key=head.strip(), text=rest.strip())
                return (number + offset, "E003", message)
    return None


def _first_line(text: str | None) -> str:
    return (text or "unknown problem").strip().splitlines()[0][:120]


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SET = "tag:yaml.org,2002:set"
_OMAP = "tag:yaml.org,2002:omap"
_PAIRS = "tag:yaml.org,2002:pairs"
_PLAIN_SCALARS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                            "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                            "tag:yaml.org,2002:timestamp"})


class _TooBig(Exception):
    pass


class _Builder:
    """One pass over the node graph: values, key lines, duplicate keys, expansion limits.

    Doing this ourselves (instead of PyYAML's construct_document plus a second walk) reads
    every node once; plain text scalars, most of a note, are taken as they are. Aliases share
    the value they point to, as in PyYAML, but their expanded size is counted so that an
    alias bomb is refused before anything downstream (JSON, pages) expands it.
    """

    def __init__(self, loader: Any, offset: int) -> None:
        self.loader = loader
        self.offset = offset
        self.lines: dict[str, int] = {}
        self.problems: list[Problem3] = []
        self.refusal: Problem3 | None = None
        self._done: dict[int, tuple[Any, int]] = {}  # node id -> (value, expanded size)
        self._open: set[int] = set()
        self.size = 0

    def build(self, node: Any, path: str, depth: int) -> Any:
        try:
            value, _depth = self._build(node, path, depth)
        except _TooBig:
            return None
        return value

    def _refuse(self, node: Any, message: str) -> None:
        self.refusal = (node.start_mark.line + self.offset, "E004", message)
        raise _TooBig()

    def _build(self, node: Any, path: str, depth: int) -> tuple[Any, int]:
        key = id(node)
        done = self._done.get(key)
        if done is not None:
            self.size += done[1]
            self._check_size(node)
            return done
        if key in self._open or depth > MAX_DEPTH:
            self._refuse(node, _("front matter refers to itself or is nested too deeply "
                                 "(YAML anchors and aliases); write it out"))
        tag = node.tag
        kind = node.__class__
        start = self.size
        self.size += 1
        if kind is _nodes.ScalarNode:
            if tag == _STR:
                value = node.value
            elif tag in _PLAIN_SCALARS:  # int, float, bool, null, timestamp: no bookkeeping
                value = self.loader.yaml_constructors[tag](self.loader, node)
            else:
                value = _plain(self.loader.construct_object(node, deep=True))
        elif kind is _nodes.MappingNode and tag in (_MAP, _SET):
            self._open.add(key)
            value = self._mapping(node, path, depth)
            if tag == _SET:
                value = sorted(value)
            self._open.discard(key)
        elif kind is _nodes.SequenceNode and tag in (_SEQ, _OMAP, _PAIRS):
            # !!omap and !!pairs are lists of one-key mappings: built (and counted) as such,
            # never by PyYAML's constructors, which expand aliases without limit
            self._open.add(key)
            value = self._sequence(node, path, depth)
            self._open.discard(key)
        else:  # any other tag: PyYAML's safe constructor refuses it (E004)
            value = _plain(self.loader.construct_object(node, deep=True))
        self._check_size(node)
        result = self._done[key] = (value, self.size - start)
        return result

    def _check_size(self, node: Any) -> None:
        if self.size > MAX_NODES:
            self._refuse(node, _("front matter expands to too much data (YAML aliases); "
                                 "write the values out"))

    def _mapping(self, node: Any, path: str, depth: int) -> dict[str, Any]:
        value: dict[str, Any] = {}
        seen: dict[str, int] = {}
        lines = self.lines
        offset = self.offset
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + offset
            if key_node.__class__ is not _nodes.ScalarNode:
                raise _constructor_error(_("a key must be a single value"), key_node)
            name = intern(key_node.value)
            if key_node.tag != _STR:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _constructor_error(_("merge keys (<<) are not supported"), key_node)
                if depth == 0:
                    message = _("the key `{name}` is not read as text; put it in quotes or "
                                "remove it").format(name=name)
                    self.problems.append((key_line, "E012", message))
            sub = intern(f"{path}.{name}") if path else name
            if name in seen:
                message = _("`{name}` appears twice (also on line {seen}); YAML keeps only the "
                            "last one — remove one of them").format(name=name, seen=seen[name])
                self.problems.append((key_line, "E005", message))
            else:
                seen[name] = key_line
                if sub not in lines:
                    lines[sub] = key_line
            value[name] = self._build(value_node, sub, depth + 1)[0]
        return value

    def _sequence(self, node: Any, path: str, depth: int) -> list[Any]:
        value = []
        lines = self.lines
        for index, item in enumerate(node.value):
            sub = intern(f"{path}.{index}")
            if sub not in lines:
                lines[sub] = item.start_mark.line + self.offset
            value.append(self._build(item, sub, depth + 1)[0])
        return value


def _constructor_error(message: str, node: Any) -> Exception:
    return _nodes.ConstructorError(None, None, message, node.start_mark)


class _Nodes:
    """PyYAML's node classes, imported on first use (a warm cache never needs YAML)."""

    def __getattr__(self, name: str) -> Any:
        import yaml

        for source in (yaml, yaml.constructor):
            if hasattr(source, name):
                value = getattr(source, name)
                setattr(self, name, value)
                return value
        raise AttributeError(name)


_nodes = _Nodes()


_LOADER = None


def _loader_class() -> type:
    """A safe loader (C parser where available) that turns impossible dates into text."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class NoteLoader(base):  # type: ignore[misc, valid-type]
            pass

        def timestamp(loader: Any, node: Any) -> Any:
            try:
                return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
            except (ValueError, OverflowError):
                return str(node.value)  # 2026-02-30: reported as E012 by the schema

        NoteLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
        _LOADER = NoteLoader
    return _LOADER


def _plain(value: Any) -> Any:
    """Constructed YAML -> JSON-friendly values (dates stay dates; keys become text)."""
    if isinstance(value, dict):
        return {key if isinstance(key, str) else str(key): _plain(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(item) for item in value)
    if isinstance(value, bytes):
        return "<binary data>"
    if value is None or isinstance(value, (str, int, float, bool, dt.date)):
        return value
    return str(value)


_SCALAR_LINE = re.compile(r"^(?P<head>(?P<key>[A-Za-z_][\w-]*)[ \t]*:)(?P<space>[ \t]*)"
                          r"(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^#\r\n]*?)"
                          r"(?P<rest>[ \t]+#[^\r\n]*|[ \t]*)?(?P<end>\r?\n?)$")


class EditError(ValueError):
    """The note cannot be edited safely in place; nothing was changed."""


def edit_front_matter(raw: bytes, set_scalars: dict[str, str],
                      set_blocks: dict[str, list[str]]) -> bytes:
    """Change top-level keys of a note in place, leaving every other byte as it was.

    `set_scalars` maps a key to the YAML text of its new one-line value; `set_blocks` maps a key
    to the lines of a block value (the key's own line is written as `key:`). A key that exists
    must be a one-line value (or empty, or `[]`); a missing key is added before the closing
    `---`. The BOM and the file's line ends (LF or CRLF) are kept.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    if "\r" in text.replace("\r\n", ""):
        raise EditError(_("the note has old-style line ends (CR only); save it with LF or "
                          "CRLF"))
    newline = "\r\n" if "\r\n" in text else "\n"
    parsed = parse_text(text.replace("\r\n", "\n"))
    if parsed.data is None or parsed.problems:
        raise EditError(_("the note has problems; fix those first (`coachnotes check`)"))
    split = split_front_matter(text.replace("\r\n", "\n"))
    assert split is not None
    closing = split[1]  # 1-based line of the closing ---
    lines = text.splitlines(keepends=True)
    replacements: dict[int, list[str]] = {}
    additions: list[str] = []
    for key, value in [*set_scalars.items(), *((k, None) for k in set_blocks)]:
        block = set_blocks.get(key)
        new_lines = [f"{key}:"] + block if block is not None else None
        if key in parsed.lines and "." not in key:
            index = parsed.lines[key] - 1
            match = _SCALAR_LINE.match(lines[index])
            following = parsed.lines.get(f"{key}.0")
            if not match or match["key"] != key or (following and following - 1 != index):
                raise EditError(_("`{key}` spans several lines; edit it by hand").format(key=key))
            if block is not None and match["value"].strip() not in ("", "[]"):
                raise EditError(_("`{key}` already has a value").format(key=key))
            end = match["end"] or newline
            if block is None:
                replacements[index] = [f"{match['head']}{match['space'] or ' '}{value}"
                                       f"{match['rest'] or ''}{end}"]
            else:
                replacements[index] = [line + newline for line in new_lines[:-1]] + \
                    [new_lines[-1] + end]
        else:
            additions += new_lines if block is not None else [f"{key}: {value}"]
    out: list[str] = []
    for index, line in enumerate(lines):
        if index == closing - 1:
            out += [line + newline for line in additions]
        out += replacements.get(index, [line])
    return (b"\xef\xbb\xbf" if bom else b"") + "".join(out).encode("utf-8")


def scalar_text(raw: bytes, key: str) -> str | None:
    """The YAML text of a top-level one-line value as written (quotes included), or None."""
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    parsed = parse_text(text)
    if parsed.data is None or key not in parsed.lines:
        return None
    match = _SCALAR_LINE.match(text.splitlines(keepends=True)[parsed.lines[key] - 1])
    return match["value"] if match and match["key"] == key else None
