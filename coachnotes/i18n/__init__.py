"""Every word a coach reads, in the vault's language (SPEC §14), from gettext catalogs. The
bottom layer with `errors`: it imports nothing of coachnotes (`texts` holds the page words).

The messages in the code are English (the source language) and marked `_("...")`, with named
`{placeholders}` filled in by `.format` after translation. The catalogs are standard gettext
`.po` files in `coachnotes/locale/<lang>/LC_MESSAGES/coachnotes.po`: a translator adds a
language by adding a folder, without touching code. English needs no catalog to run; its
`.po` is kept complete (each msgstr equal to its msgid) as the template for translators.

The language is `COACHNOTES_LANG` when set, else the vault's `language`, else (outside a
vault) the system's (`LC_ALL`, `LC_MESSAGES`, `LANG`) when it is one we have, else English.
A catalog is read (a few milliseconds) only when a message is asked for in its language.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SOURCE = "en"
LOCALE = Path(__file__).parent / "locale"
DOMAIN = "coachnotes"
_catalogs: dict[str, dict[str, str]] = {}
_current: list[str] = []  # the language chosen for this process, once known
_cache: list[Path] = []  # where read catalogs are kept, when a vault is known


def available() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir()))


def _system() -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX"):
            return value.split("_")[0].split(".")[0].lower()
    return None


def choose(vault_language: str | None = None, cache: Path | None = None) -> str:
    """Set (and return) the language of this process's messages; `cache` is a private folder
    where a catalog, once read, is kept ready to load (the vault's cache)."""
    # SPEC 14: the vault's language (its setting, `nl` when it names none), else
    # COACHNOTES_LANG, else the locale, else English
    wanted = [vault_language, os.environ.get("COACHNOTES_LANG"), _system(), SOURCE]
    language = next(w for w in wanted if w and (w == SOURCE or _has(w)))
    _current[:] = [language]
    _cache[:] = [cache] if cache is not None else []
    return language


def current() -> str:
    return _current[0] if _current else choose()


def _has(language: str) -> bool:
    return (LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()


def gettext(message: str, language: str | None = None) -> str:
    """The message in the language (this process's by default); English as written."""
    language = language or (_current[0] if _current else current())
    if language == SOURCE:
        return message
    catalog = _catalogs.get(language)
    if catalog is None:
        catalog = _catalogs[language] = _load(language)
    return catalog.get(message) or message


def _load(language: str) -> dict[str, str]:
    """A catalog: from the vault's cache while its .po is unchanged (a marshal load is ten
    times quicker than reading the .po), else read and kept there."""
    import marshal

    path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        info = path.stat()
    except OSError:
        return {}
    sig = (str(path), info.st_size, info.st_mtime_ns)
    kept = _cache[0] / f"catalog-{language}.marshal" if _cache else None
    if kept is not None:
        try:
            saved_sig, catalog = marshal.loads(kept.read_bytes())
            if tuple(saved_sig) == sig and isinstance(catalog, dict):
                return catalog
        except (OSError, ValueError, EOFError, TypeError):
            pass
    catalog = read_po(path)
    if kept is not None and kept.parent.is_dir() and not kept.parent.is_symlink():
        try:
            temporary = kept.with_name(f".{kept.name}.{os.getpid()}")
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps((sig, catalog)))
            os.replace(temporary, kept)
        except OSError:
            pass
    return catalog


_ = gettext


def pgettext(context: str, message: str, language: str | None = None) -> str:
    """A message whose words depend on where they stand (`follow-up` as a kind of item, as a
    status): its catalog entry has a `msgctxt`."""
    found = gettext(f"{context}\x04{message}", language)
    return message if found.startswith(f"{context}\x04") else found


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is translated later (a table of texts)."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """N_ for pgettext: (context, message), translated later."""
    return context, message


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def parse_po(text: str) -> list[dict]:
    """The entries of a .po file: msgid, msgstr, and the comment lines before each."""
    entries: list[dict] = []
    entry: dict = {"comments": []}
    field = None
    for line in text.splitlines():
        if line.startswith("#"):
            if field == "msgstr":
                entries.append(entry)
                entry, field = {"comments": []}, None
            entry["comments"].append(line)
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ")):
            name, _, rest = line.partition(" ")
            if name in ("msgctxt", "msgid") and field == "msgstr":
                entries.append(entry)
                entry = {"comments": []}
            field = name
            entry[field] = "".join(_unescape(s) for s in _STRING.findall(rest))
        elif line.startswith('"') and field:
            entry[field] += "".join(_unescape(s) for s in _STRING.findall(line))
    if field == "msgstr":
        entries.append(entry)
    return entries


def read_po(path: Path) -> dict[str, str]:
    """msgid (behind its msgctxt and \\x04, as gettext keys them) -> msgstr."""
    return {(f"{e['msgctxt']}\x04" if "msgctxt" in e else "") + e["msgid"]: e["msgstr"]
            for e in parse_po(path.read_text(encoding="utf-8"))
            if e.get("msgid") and e.get("msgstr")}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(path: Path, language: str, entries: list[tuple[str, str, list[str]]]) -> None:
    """A .po file from (msgid, msgstr, places) in order."""
    head = [f"# coachnotes messages: {language}", 'msgid ""', 'msgstr ""',
            '"Content-Type: text/plain; charset=UTF-8\\n"', f'"Language: {language}\\n"', ""]
    body = []
    for key, msgstr, places in entries:
        body += [f"#: {' '.join(sorted(set(places)))}"]
        context, _, msgid = key.rpartition("\x04")
        if "{" in msgid:
            body += ["#, python-brace-format"]
        if context:
            body += [f"msgctxt {_quote(context)}"]
        body += [f"msgid {_quote(msgid)}", f"msgstr {_quote(msgstr)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head + body), encoding="utf-8")


def extract(package: Path = Path(__file__).parent.parent) -> dict[str, list[str]]:
    """Every marked message of the package (`_("...")`, `N_("...")`, `gettext("...")`), with
    where it is used."""
    import ast

    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(package.parent).as_posix()
        for text, line in _help_texts(tree):  # click's help: options' help=, commands' docs
            found.setdefault(text, []).append(f"{where}:{line}")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = []
            for arg in node.args:  # the leading literal arguments only
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    break
                texts.append(arg.value)
            if node.func.id in ("_", "N_", "gettext") and texts[:1]:
                key = texts[0]
            elif node.func.id in ("pgettext", "NP_") and len(texts) >= 2:
                key = f"{texts[0]}\x04{texts[1]}"
            else:
                continue
            where = path.relative_to(package.parent).as_posix()
            found.setdefault(key, []).append(f"{where}:{node.lineno}")
    return found


def _help_texts(tree) -> list[tuple[str, int]]:
    """The help texts of the command line: every `help="..."` of a click option, and the
    docstring of every function made a command (as click cleans it)."""
    import ast
    import inspect

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [(k.value.value, node.lineno) for k in node.keywords
                      if k.arg == "help" and isinstance(k.value, ast.Constant)
                      and isinstance(k.value.value, str)]
        elif isinstance(node, ast.FunctionDef) and any(
                "command" in ast.unparse(d) or "group" in ast.unparse(d)
                for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                found.append((inspect.cleandoc(doc), node.lineno))
    return found


def update_catalogs() -> dict[str, list[str]]:
    """Bring every catalog in step with the code: new messages added (English filled in,
    others left empty for the translator), gone ones dropped. Returns what each language
    still lacks."""
    messages = extract()
    missing = {}
    for language in available():
        path = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        old = read_po(path) if path.exists() else {}
        entries = []
        for msgid, places in messages.items():
            msgstr = msgid.rpartition("\x04")[2] if language == SOURCE else old.get(msgid, "")
            entries.append((msgid, msgstr, [p.rsplit(":", 1)[0] for p in places]))
        write_po(path, language, entries)
        missing[language] = [m for m, s, _p in entries if not s]
    return missing


