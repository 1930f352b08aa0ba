"""Every mention of an erased client, found and replaced (SPEC §13): one home for `forget`'s
rewrite of the history, of the files here, and of what another device's `sync` erases.

What counts as a mention:
* the client's full name — any name it ever had — in any case, with or without accents
  (`ZOË`, `Zoe`, an NFD `Zoë`), any apostrophe (`'`, `’`), any space (a no-break space too);
* an id it ever had, exactly (ids are lower-case slugs);
* only as a whole word: a letter (accented too), a digit, or a hyphen followed by a letter
  continue a word, so `Jan de Vries-Bakker` and `mark-de-jong` are not mentions of
  `Jan de Vries` or `mark`;
* never inside the name or id of another client (`Jan` is not erased out of `Jan de Vries`).

The replacement keeps every YAML document valid: where the word (`[verwijderd]`) would start
a plain scalar, or stand in a flow collection, the scalar is single-quoted; nowhere does it
become YAML's `[…]` list syntax. Everything else keeps its bytes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from coachnotes.vault.layout import MARKER

COMBINING = "\u0300-\u036f"
HYPHENS = "-\u2010\u2011"
APOSTROPHES = "'\u2018\u2019\u02bc`\u00b4"
ERASED = {"nl": "[verwijderd]", "en": "[erased]"}
_BEFORE = rf"(?<![\w{COMBINING}])(?<!\w[{HYPHENS}])"
_AFTER = rf"(?![\w{COMBINING}]|[{HYPHENS}]\w)"


def fold_name(text: str) -> str:
    """A name as names are compared: no case, no accents, one apostrophe and one hyphen,
    one space between words (`search.fold` folds text for search, which is another idea)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(rf"[{APOSTROPHES}]", "'", text)
    text = re.sub(rf"[{HYPHENS}]", "-", text)
    return " ".join(text.split())


def _variants() -> dict[str, str]:
    """For each base letter, every Latin letter that folds to it (`e`: eEéÉèëË…)."""
    found: dict[str, set[str]] = {}
    for point in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250),
                  *range(0x1E00, 0x1F00)]:
        char = chr(point)
        base = fold_name(char)
        if len(base) == 1 and base.isalpha():
            found.setdefault(base, set()).add(char)
    return {base: "".join(sorted(chars)) for base, chars in found.items()}


_VARIANTS: dict[str, str] | None = None


def name_pattern(name: str) -> str | None:
    """A regular expression of every spelling of a full name, as a whole word."""
    global _VARIANTS
    if _VARIANTS is None:
        _VARIANTS = _variants()
    parts = []
    for char in unicodedata.normalize("NFC", " ".join(name.split())):
        base = fold_name(char)
        if char.isspace():
            parts.append(r"\s+")
        elif base == "'":
            parts.append(f"[{APOSTROPHES}]")
        elif base == "-":
            parts.append(f"[{HYPHENS}]")
        elif len(base) == 1 and base in _VARIANTS:
            parts.append(f"[{re.escape(_VARIANTS[base])}][{COMBINING}]*")
        elif base:
            parts.append(re.escape(char) + f"[{COMBINING}]*")
    return _BEFORE + "".join(parts) + _AFTER if parts else None


def id_pattern(client_id: str) -> str:
    return _BEFORE + re.escape(client_id) + _AFTER


@dataclass
class Mentions:
    """The clients being erased (each with every id and name it had) and the names and ids
    of every other client, whose own names are never touched."""
    ids: list[str]
    names: list[str]
    others: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = [p for p in map(name_pattern, self.names) if p]
        self._names = re.compile("|".join(f"(?:{p})" for p in names), re.I) if names else None
        self._ids = re.compile("|".join(f"(?:{id_pattern(i)})" for i in self.ids)) \
            if self.ids else None
        words = {w for n in [*self.names, *self.ids]
                 for w in re.split(r"[\s'-]+", fold_name(n)) if w}
        near = sorted({o for o in self.others
                       if set(re.split(r"[\s'-]+", fold_name(o))) & words} - set(self.ids))
        guards = [p for p in map(name_pattern, near) if p]
        self._guard = re.compile("|".join(f"(?:{p})" for p in guards), re.I) if guards else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the text mentions an erased client: a name in any case, an id in its own
        (`mark` is not `Mark`), never inside another client's name or id."""
        found = []
        for pattern in (self._names, self._ids):
            if pattern is not None:
                found += [m.span() for m in pattern.finditer(text)]
        if not found:
            return []
        found = _merged(found)
        if self._guard is not None:
            taken = [m.span() for m in self._guard.finditer(text)]
            found = [s for s in found if not any(  # another name that holds this one
                a < s[1] and s[0] < b and not (s[0] <= a and b <= s[1]) for a, b in taken)]
        return found

    def document_of(self, rel: str) -> bool:
        """Whether a path is a document coachnotes wrote about this client
        (`<id>-voortgangsrapportage-<date>.pdf`, where the id runs on with a hyphen), or one
        whose name mentions it."""
        from coachnotes.vault.layout import is_document

        name = rel.rpartition("/")[2]
        return is_document(rel) and (self.mentioned(rel) or any(
            name.startswith(i + "-") for i in self.ids))

    def mentioned(self, text: str) -> bool:
        return bool(self.spans(text))

    def others_mentioned(self, text: str) -> bool:
        """Whether a text names another client too (outside the erased client's own name):
        a document about several clients, which an erasure must not delete whole."""
        if not hasattr(self, "_others"):
            patterns = [p for p in map(name_pattern, self.others) if p]
            self._others = re.compile("|".join(f"(?:{p})" for p in patterns), re.I) \
                if patterns else None
        if self._others is None:
            return False
        own = self.spans(text)
        return any(not any(a <= m.start() and m.end() <= b for a, b in own)
                   for m in self._others.finditer(text))

    def replace_plain(self, text: str, word: str) -> str:
        spans = self.spans(text)
        for start, end in reversed(spans):
            text = text[:start] + word + text[end:]
        return text


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def text_codec(data: bytes) -> str | None:
    """How a file's text is written: `utf-8`; `utf-16-le`/`-be` (with a byte-order mark, as
    Notepad saves); `cp1252` or `latin-1` (a legacy 8-bit file, as Excel on Windows writes a
    CSV); None for a binary file (a NUL in the first 8 KiB, as git decides; a zip or a PDF)."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom) and len(data) % 2 == 0:
            try:
                data[2:].decode(codec)
                return codec
            except UnicodeDecodeError:
                break
    if b"\0" in data[:8192] or data.startswith((b"PK\x03\x04", b"%PDF")):
        return None
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # every byte is a character: the bytes around a mention stay


def is_binary(data: bytes) -> bool:
    """A file whose text cannot be replaced in place (a zip: .docx, .xlsx; a PDF; an image)."""
    return text_codec(data) is None


def redact(data: bytes, mentions: Mentions, word: str) -> bytes:
    """The bytes with every mention replaced, in the file's own encoding; a binary file comes
    back as it is. A generated page loses the client's rows and sections whole."""
    codec = text_codec(data)
    if codec is None:
        return data
    if codec != "utf-8":
        body = data[2:] if codec.startswith("utf-16") else data
        text = body.decode(codec)
        spans = mentions.spans(text)
        if not spans:
            return data
        return data[:len(data) - len(body)] + _splice(text, spans, word).encode(codec)
    text = data.decode("utf-8", "surrogateescape")
    spans = mentions.spans(text)
    if not spans:
        return data
    if text.lstrip("\ufeff").startswith(MARKER):
        return without_rows(text, mentions).encode("utf-8", "surrogateescape")
    region = yaml_region(text)
    out = _replace(text, spans, word, region)
    return out.encode("utf-8", "surrogateescape")


def without_rows(text: str, mentions: Mentions) -> str:
    """A generated page without the rows and sections about the client (SPEC §13, v4): a
    row that keeps the sponsor and the dates identifies a person as well as the name, so
    every line that mentions the client goes whole, and a heading that names it takes its
    section along (up to the next heading of the same or a higher level)."""
    kept, within = [], None
    for line in text.splitlines(keepends=True):
        heading = re.match(r"(#{1,6})\s", line)
        if heading and within is not None and len(heading.group(1)) <= within:
            within = None
        if within is not None:
            continue
        if mentions.spans(line):
            within = len(heading.group(1)) if heading else None
            continue
        kept.append(line)
    return "".join(kept)


def yaml_region(text: str) -> tuple[int, int] | None:
    """Where YAML stands in a file: a note's front matter, or a whole file that is a YAML
    mapping or list (coachnotes.yml); None for plain text."""
    match = re.match(r"\ufeff?---[ \t]*\r?\n", text)
    if match:
        closing = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M).search(text, match.end())
        return (match.end(), closing.start()) if closing else None
    if len(text) > 256 << 10:  # a settings file is small; a large text is read as text
        return None
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    return (0, len(text)) if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) else None


def _scalars(source: str):
    """Every scalar node of a YAML text with its place and whether it stands in a flow
    collection; nothing when it is not YAML."""
    import yaml

    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    found, stack = [], [(root, False)] if root is not None else []
    while stack:
        node, flow = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found.append((node.start_mark.index, node.end_mark.index, node.style, flow))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(n, flow or bool(node.flow_style)) for n in node.value]
        elif isinstance(node, yaml.MappingNode):
            inner = flow or bool(node.flow_style)
            stack += [(n, inner) for pair in node.value for n in pair]
    return found


def _replace(text: str, spans: list[tuple[int, int]], word: str,
             region: tuple[int, int] | None) -> str:
    if region is None:
        return _splice(text, spans, word)
    start, end = region
    inside = [(a - start, b - start) for a, b in spans if start <= a and b <= end]
    outside = [s for s in spans if not (start <= s[0] and s[1] <= end)]
    source = text[start:end]
    edits = []  # (from, to, new text) in the YAML source
    used = set()
    for a, b, style, flow in sorted(_scalars(source)):
        mine = [s for s in inside if a <= s[0] and s[1] <= b]
        if not mine:
            continue
        used.update(mine)
        value = _splice(source[a:b], [(x - a, y - a) for x, y in mine], word)
        if not style and (flow or mine[0][0] == a or "\n" in value):
            value = "'" + " ".join(value.split()).replace("'", "''") + "'"
        edits.append((a, b, value))
    # a mention in a comment, or in YAML that does not parse: the word alone
    edits += [(x, y, word) for x, y in inside if (x, y) not in used]
    for a, b, value in sorted(edits, reverse=True):
        source = source[:a] + value + source[b:]
    return _splice(text[:start], [s for s in outside if s[1] <= start], word) + source + \
        _splice(text[end:], [(a - end, b - end) for a, b in outside if a >= end], word)


def _splice(text: str, spans: list[tuple[int, int]], word: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + word + text[end:]
    return text


_TYPE_RE = re.compile(r"^type:\s*['\"]?(client|session)['\"]?\s*(?:#.*)?$", re.M)
_KEY_RE = r"^{key}:[ \t]*(.+?)[ \t]*(?:#.*)?$"


def front_value(text: str, key: str) -> str | None:
    """A top-level text value of a note's front matter, without YAML (for history's many
    versions): quotes removed."""
    region = yaml_region(text) if text.lstrip("\ufeff").startswith("---") else None
    if region is None:
        return None
    match = re.search(_KEY_RE.format(key=re.escape(key)), text[region[0]:region[1]], re.M)
    if not match:
        return None
    value = match.group(1).strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1]
    return value


def is_own_note(data: bytes, mentions: Mentions) -> bool:
    """Whether a file is a note of an erased client, wherever it lies: a client note with
    one of its ids or names, or a session whose `client` names it (a copy in Obsidian's
    `.trash/`, an inbox, a misplaced note): removed whole, not just its name."""
    if is_binary(data) or not data.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
        return False
    text = data.decode("utf-8", "replace")
    region = yaml_region(text)
    if region is None:
        return False
    kind = _TYPE_RE.search(text, region[0], region[1])
    if kind is None:
        return False
    if kind.group(1) == "client":
        values = [front_value(text, "id"), front_value(text, "name")]
    else:
        link = front_value(text, "client") or ""
        values = [part.strip() for part in re.sub(r"^\[\[|\]\]$", "", link).split("|")]
        values += [values[0].rstrip("/").split("/")[-2]] if values[0].endswith(
            "/client") else []
    wanted = {fold_name(v) for v in [*mentions.ids, *mentions.names]}
    return any(v and fold_name(v) in wanted for v in values)


def document_mentions(data: bytes, mentions: Mentions) -> bool:
    """Whether a binary file — a document coachnotes may have written or anything else —
    mentions an erased client anywhere in its text (SPEC §13, v4: by its contents)."""
    return any(mentions.mentioned(piece) for piece in document_text(data))


def hidden_mention(data: bytes, mentions: Mentions) -> bool:
    """Whether a text names the client only in a way its bytes do not show: HTML entities
    (`Zo&euml;`, `van &#x27;t Hek`, as an export's `dossier.html` writes them)."""
    codec = text_codec(data)
    if codec is None or b"&" not in data:
        return False
    import html

    text = data.decode(codec, "replace")
    return not mentions.mentioned(text) and mentions.mentioned(html.unescape(text))


_XML_BREAK = re.compile(r"</(?:w:p|a:p|text:p|text:h|p|div|li|tr|td|th|row|c|si)>|"
                        r"<(?:w:tab|w:br|text:tab|text:line-break|br)\b[^>]*/?>")
_XML_TAG = re.compile(r"<[^>]*>")


def document_text(data: bytes, depth: int = 0) -> list[str]:
    """Every piece of text a file holds, as a reader would see it: a zip's member names and
    members (a .docx, .xlsx or .odt: their XML with the words of a paragraph joined, as Word
    splits them over runs; a zip inside a zip), a PDF's page text, metadata and strings, HTML
    with its entities decoded, and for any other binary file its bytes read as Latin-1 and
    as UTF-16 (a PNG's `tEXt`, an image's comment)."""
    import html

    codec = text_codec(data)
    if codec is not None:
        text = data.decode(codec, "replace")
        return [text, html.unescape(text)] if "&" in text else [text]
    pieces = [data.decode("latin-1")]
    if data.startswith(b"PK\x03\x04") and depth < 4:
        pieces += _zip_text(data, depth)
    elif data.startswith(b"%PDF"):
        pieces += _pdf_text(data)
    elif b"\0" in data[:8192]:
        pieces.append(data.decode("utf-16-le", "replace"))
        pieces.append(data[1:].decode("utf-16-le", "replace"))
    return pieces


def _zip_text(data: bytes, depth: int) -> list[str]:
    import html
    import io
    import zipfile
    import zlib

    pieces = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                pieces.append(info.filename)
                if info.file_size > 64 << 20:
                    continue
                member = archive.read(info)
                if info.filename.endswith((".xml", ".rels", ".html", ".htm", ".xhtml")):
                    text = member.decode("utf-8", "replace")
                    pieces.append(html.unescape(_XML_TAG.sub("", _XML_BREAK.sub(" ", text))))
                pieces += document_text(member, depth + 1)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, zlib.error, ValueError,
            NotImplementedError):
        pass
    return pieces


def _pdf_text(data: bytes) -> list[str]:
    """A PDF's text: pypdf's reading of every page and the metadata (a subset font's codes
    mapped back to letters), and the raw strings of the content streams, decoded (Flate,
    ASCII85, `\\353` escapes)."""
    import base64
    import zlib

    pieces = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = stream.group(1)
        for ascii85 in (False, True):
            try:
                if ascii85:
                    raw = base64.a85decode(raw.strip().removesuffix(b"~>"),
                                           ignorechars=b" \t\n\r\v")
                pieces.append(_pdf_strings(zlib.decompress(raw)))
                break
            except (zlib.error, ValueError):
                continue
    pieces.append(_pdf_strings(data))
    try:
        import io

        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data))
        pieces += [str(v) for v in (reader.metadata or {}).values()]
        pieces += [page.extract_text() or "" for page in reader.pages]
    except Exception:  # noqa: BLE001 - a damaged PDF is still read by its raw strings above
        pass
    return pieces


_PDF_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)


def _pdf_strings(data: bytes) -> str:
    """The literal strings of PDF content, escapes decoded, each on a line of its own; the
    pieces of one `TJ` array joined."""
    def one(raw: bytes) -> str:
        body = raw[1:-1]
        body = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), body)
        body = re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(
            m.group(1), m.group(1)), body)
        return body.decode("latin-1")

    lines = []
    for array in re.finditer(rb"\[((?:[^\]\\]|\\.)*)\]\s*TJ", data, re.S):
        lines.append("".join(one(m.group(0)) for m in _PDF_STRING.finditer(array.group(1))))
    lines += [one(m.group(0)) for m in _PDF_STRING.finditer(data)]
    return "\n".join(lines)


GENERATOR = "coachnotes"  # the creator coachnotes writes into the metadata of its documents
_DOSSIER = b'<meta name="generator" content="coachnotes">'


_INVOICE_TITLE = re.compile(rb"/Title \((?:Factuur|Invoice|Creditnota|Credit note) ")
_NLCIUS = b"urn:fdc:nen.nl:nlcius:v1.0"


def fiscal_record(data: bytes) -> bool:
    """Whether a file is part of the fiscal record that the law keeps for 7 years and an
    erasure therefore keeps (SPEC §13, v4: AVG art. 17(3)(b)): the invoice register, or an
    invoice or credit note coachnotes made (its PDF or its e-invoice), by its contents."""
    from coachnotes.vault.register import HEAD

    if data.startswith(HEAD.encode("utf-8")):
        return True
    if data.startswith(b"%PDF"):
        return written_by_coachnotes(data) and _INVOICE_TITLE.search(data) is not None
    return data.startswith(b"<?xml") and _NLCIUS in data[:4096]


def written_by_coachnotes(data: bytes) -> bool:
    """Whether a file is a document coachnotes wrote (SPEC §12, v4), by its contents, not its
    name: a PDF or workbook whose creator is coachnotes, a Word file made by coachnotes, an
    export's zip (its `data.json` beside `dossier.html`), an unpacked dossier, an hours CSV."""
    if data.startswith(b"%PDF"):
        return re.search(rb"/Creator \(coachnotes\)", data) is not None
    if data.startswith(b"PK\x03\x04"):
        return _zip_by_coachnotes(data)
    if _DOSSIER in data[:4096]:
        return True
    from coachnotes.i18n import gettext

    first = data.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    heads = ["date", "client", "name", "sponsor", "kind", "minutes", "amount"]
    return any(first.strip() == sep.join(gettext(h, lang) for h in heads)
               for lang in ("nl", "en") for sep in (";", ","))


def _zip_by_coachnotes(data: bytes) -> bool:
    import io
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(n.endswith("/data.json") or n == "data.json" for n in names) and \
                    any(n.endswith("dossier.html") for n in names):
                return True
            for member, mark in (("docProps/core.xml", b"<dc:creator>coachnotes</dc:creator>"),
                                 ("docProps/app.xml", b"<Application>coachnotes</Application>")):
                if member in names and mark in archive.read(member):
                    return True
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, zlib.error, ValueError):
        return False
    return False
