"""Full-text search (SPEC §17): an SQLite FTS5 index of the client and session notes in
`.coachnotes/search.sqlite`, brought up to date at each search from what changed (the notes'
size and modification time, as the cache), and the query language of a search box.

Words are folded (case and accents) and stemmed in Python before they reach SQLite, since the
standard `sqlite3` module cannot register a tokenizer: each note has a column of its folded
words (for `word*`) and one of their stems (for words and phrases; `gesprek` finds
`gesprekken`). The stemmer is Snowball's `dutch_porter` or `english`, by the vault's language,
through PyStemmer (C: 36× snowballstemmer's pure Python on 36k distinct words, measured). The
filters' fields live beside the text, a client's on its client note's row, so a search never
loads the vault. The line and the snippet of a result come from the note itself.

A missing, damaged or older index is rebuilt without a word; two searches at once wait for
each other (SQLite's lock); `scrub` removes erased notes with `secure_delete` and a vacuum.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, NamedTuple

from coachnotes.answers.wordforms import Forms, Lexicon, dictionary, fold
from coachnotes.errors import CoachnotesError
from coachnotes.i18n import _
from coachnotes.vault.cache import (
    cached_records,
    load_blob,
    private_dir,
    save_blob,
    settled,
    signature,
)
from coachnotes.vault.files import write_atomic
from coachnotes.vault.frontmatter import split_front_matter, without_comments
from coachnotes.vault.layout import CACHE_DIR, CLIENTS, role_of
from coachnotes.vault.load import find_client, read_notes
from coachnotes.vault.parallel import PARALLEL_FROM, parallel_map
from coachnotes.vault.scan import discover

FORMAT = "2"  # 2 (v4): forms and head columns, the lexicon and the vocabulary
INDEX = "search.sqlite"
STEMMERS = {"nl": "dutch_porter", "en": "english"}
_WORD = re.compile(r"\w+")
_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE notes(id INTEGER PRIMARY KEY, path TEXT UNIQUE, sig TEXT, client TEXT,
                   type TEXT, name TEXT, date TEXT, kind TEXT, status TEXT,
                   organization TEXT, sponsor TEXT, tags TEXT, error TEXT);
CREATE INDEX notes_client ON notes(client);
CREATE VIRTUAL TABLE fts USING fts5(words, stems, forms, head,
                                   tokenize='unicode61 remove_diacritics 2');
CREATE TABLE vocab(word TEXT PRIMARY KEY, keys TEXT) WITHOUT ROWID;
"""
LEMMAS = {"nl": "nl"}
LEXICON_PREFIX = "lexicon-"  # the languages whose words are found by their forms and compounds
HEAD_KEYS = ("name", "reason", "goals", "development_points")  # above body text (SPEC §17)
# bm25's weight of each column: the exact word above a form of it, a match in the name,
# reason or goals above one in the body
WEIGHTS = (4.0, 2.0, 1.0, 6.0)


class QueryError(CoachnotesError):
    """A query the search cannot read (exit 2)."""
    exit_code = 2


class Hit(NamedTuple):
    path: str
    client: str | None
    name: str | None
    date: str | None
    kind: str | None
    score: float
    error: str | None
    line: int = 1
    snippet: str = ""

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "client": self.client, "name": self.name,
                "date": self.date, "kind": self.kind, "score": round(self.score, 4),
                "snippet": self.snippet, "error": self.error}


class Found(NamedTuple):
    hits: list[Hit]
    total: int  # every note that matched, of which `hits` are the first
    unread: list = []  # the files in clients/ that could not be read, so were not searched


class Filters(NamedTuple):
    client: str | None = None
    kind: str | None = None
    status: str | None = None
    organization: str | None = None
    sponsor: str | None = None
    tag: str | None = None
    start: str | None = None  # ISO dates
    end: str | None = None


# -- words ------------------------------------------------------------------------------

_stemmers: dict[str, Any] = {}


def stems(words: list[str], language: str) -> list[str]:
    stemmer = _stemmers.get(language)
    if stemmer is None:
        import Stemmer

        stemmer = _stemmers[language] = Stemmer.Stemmer(STEMMERS.get(language, "english"))
    return stemmer.stemWords(words)


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flatten(v)]
    if isinstance(value, list):
        return [t for v in value for t in _flatten(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def note_text(raw: bytes, values: dict) -> str:
    """What a search reads of a note: its front-matter values (all of it when they could not
    be read) and its body."""
    text = raw.decode("utf-8-sig", "replace").replace("\r\n", "\n")
    split = split_front_matter(text)
    if split is None or not values:
        return without_comments(text)
    body = without_comments("\n".join(text.splitlines()[split[1]:]))
    return "\n".join(_flatten(values)) + "\n" + body


# -- the index --------------------------------------------------------------------------

def _user_cache() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "coachnotes"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def index_path(root: Path) -> Path:
    return root / CACHE_DIR / INDEX


def lexicon_path(root: Path, language: str) -> Path:
    """The language's dictionary as a table (`wordforms`), in a file of its own: it holds the
    dictionary's words and never a word of a note, so it is shared by every vault of this
    user (`$XDG_CACHE_HOME/coachnotes/`, else `~/.cache/coachnotes/`; the vault's cache when
    neither can be written) and an erasure has nothing to scrub there. Made once, whole, then
    renamed into place."""
    name = f"{LEXICON_PREFIX}{LEMMAS[language]}-{FORMAT}.sqlite"
    home = _user_cache()
    path = (home or root / CACHE_DIR) / name
    if path.exists():
        return path
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".lexicon.", suffix=".tmp")
    os.close(handle)
    try:
        conn = sqlite3.connect(temporary, isolation_level=None)
        try:
            conn.execute("CREATE TABLE lexicon(form TEXT PRIMARY KEY, lemma TEXT) WITHOUT ROWID")
            conn.execute("BEGIN")
            conn.executemany("INSERT OR IGNORE INTO lexicon VALUES (?, ?)",
                             dictionary(LEMMAS[language]))
            conn.execute("COMMIT")
        finally:
            conn.close()
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return path


def _connect(root: Path, language: str) -> sqlite3.Connection:
    """The index, made anew when missing, damaged, of another format or another language."""
    path = index_path(root)
    private_dir(path.parent)
    if path.is_dir() and not path.is_symlink():  # not an index at all: made anew, no word
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    for _attempt in (1, 2):
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete=ON")
            _create(conn, language)  # an empty file (ours, or one another search just made)
            found = dict(conn.execute("SELECT key, value FROM meta"))
            if any(found.get(k) != v for k, v in _meta(language).items()):
                raise sqlite3.DatabaseError("another format")
            if language in LEMMAS:
                conn.execute("ATTACH DATABASE ? AS lex", (str(lexicon_path(root, language)),))
            return conn
        except sqlite3.DatabaseError:  # not a database, damaged, or of another format
            conn.close()
            path.unlink(missing_ok=True)
    raise CoachnotesError(_("the search index in {path} cannot be made").format(path=path))


def _meta(language: str) -> dict[str, str]:
    return {"format": FORMAT, "language": language, "stemmer": STEMMERS.get(language, "english"),
            "lemmas": LEMMAS.get(language, "")}


def _create(conn: sqlite3.Connection, language: str) -> None:
    conn.execute("BEGIN IMMEDIATE")
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:  # not another's
        for statement in _SCHEMA.strip().split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", _meta(language).items())
    conn.execute("COMMIT")


def refresh(conn: sqlite3.Connection, root: Path, language: str) -> list:
    """Bring the index up to date with the notes as they are: re-read every note whose
    signature changed, forget the ones that are gone. Returns the problems of the files in
    `clients/` that could not be read at all (a name that is not UTF-8, a broken link, …):
    a search says it did not search them.

    The signatures of the last refresh are also kept as a marshal blob beside the index,
    stamped with the index's generation: when nothing changed (the usual search), comparing
    with it costs a tenth of reading 77k rows. A note read within the racy margin of its last
    change is stored without a signature, so the next refresh reads it again."""
    generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    if generation and vouched(root, generation[0]):
        return []  # a running watcher has kept the index up to date with every save
    listing = discover(root)
    current = {rel: sig for rel, sig in listing.notes if rel.startswith(CLIENTS + "/")}
    unread = [p for p in listing.unreadable if p.path.startswith(CLIENTS + "/")]
    saved = load_blob(root, "search-sigs")
    if saved and generation and saved[0] == generation[0] and saved[1] == current:
        return unread
    conn.execute("BEGIN IMMEDIATE")  # a second search waits here, then sees this one's work
    try:
        known = dict(conn.execute("SELECT path, sig FROM notes"))
        changed = [(rel, sig) for rel, sig in current.items() if known.pop(rel, None) != str(sig)]
        gone = list(known)
        if gone:
            _delete(conn, gone)
        if changed:
            _add(conn, root, changed, language, listing.taken_ns)
        stamp = str(time.time_ns())
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (stamp,))
        racy = conn.execute("SELECT 1 FROM notes WHERE sig = 'racy' LIMIT 1").fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if not racy:
        save_blob(root, "search-sigs", (stamp, current))
    return unread


# -- a running watcher vouches for the index ------------------------------------------------
#
# A search must notice every change, so it lists every note (a `stat` each: at 70,000 notes as
# long as `grep -ril` over them). While `watch` runs, it has seen every save: it marks the
# index fresh (`search-fresh`: the generation it brought the index to) and holds `watch.lock`;
# the observer removes the mark the moment a note changes, before the change is queued, so a
# search skips the listing only while the mark names the index's generation and the watcher
# is alive (SPEC §17; issue #39).

FRESH = "search-fresh"
WATCH_LOCK = "watch.lock"


def vouch(root: Path, generation: str) -> None:
    write_atomic(root / CACHE_DIR / FRESH, generation.encode())


def doubt(root: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(root / CACHE_DIR / FRESH)


def vouched(root: Path, generation: str) -> bool:
    """Whether a live watcher vouches for this generation of the index."""
    import fcntl

    try:
        with open(root / CACHE_DIR / FRESH, "rb") as handle:
            if handle.read(64).decode("ascii", "replace") != generation:
                return False
        handle = os.open(root / CACHE_DIR / WATCH_LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False  # nobody holds it: the watcher that vouched is gone
    except BlockingIOError:
        return True
    finally:
        os.close(handle)


def brought_up_to_date(root: Path, language: str) -> str | None:
    """The whole index brought up to date (the watcher's start, and after a re-scan found
    what no event said): its generation, or None when there is no index or a note in
    `clients/` cannot be read (then every search lists the notes itself)."""
    if not index_path(root).exists():
        return None
    conn = _connect(root, language)
    try:
        doubt(root)
        unread = refresh(conn, root, language)
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    finally:
        conn.close()
    return None if unread or not generation else generation[0]


def update(root: Path, language: str, rels: list[str]) -> str | None:
    """After saves (`watch`): bring these notes up to date in the index, if there is one;
    the index's generation then (None: no index)."""
    rels = [r for r in rels if r.startswith(CLIENTS + "/") and role_of(r) == "note"]
    if not index_path(root).exists():
        return None
    conn = _connect(root, language)
    if not rels:
        try:
            found = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            return found[0] if found else None
        finally:
            conn.close()
    try:
        conn.execute("BEGIN IMMEDIATE")
        known = dict(conn.execute(
            f"SELECT path, sig FROM notes WHERE path IN ({','.join('?' * len(rels))})", rels))
        gone, changed = [], []
        for rel in rels:
            try:
                sig = signature(os.stat(root / rel))
            except OSError:
                gone.append(rel)
                continue
            if known.get(rel) != str(sig):
                changed.append((rel, sig))
        _delete(conn, gone)
        if changed:
            _add(conn, root, changed, language, time.time_ns())
        if gone or changed:  # the signatures blob of the last search no longer holds
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)",
                         (str(time.time_ns()),))
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        conn.execute("COMMIT")
    finally:
        conn.close()
    return generation[0] if generation else None


def _delete(conn: sqlite3.Connection, paths: list[str]) -> None:
    for start in range(0, len(paths), 500):
        part = paths[start:start + 500]
        marks = ",".join("?" * len(part))
        conn.execute(f"DELETE FROM fts WHERE rowid IN (SELECT id FROM notes WHERE path IN "
                     f"({marks}))", part)
        conn.execute(f"DELETE FROM notes WHERE path IN ({marks})", part)


def _add(conn: sqlite3.Connection, root: Path, changed: list[tuple[str, int]], language: str,
         taken_ns: int) -> None:

    records = cached_records(root, changed, lambda rels: read_notes(root, rels), taken_ns)
    _delete(conn, [rel for rel, _sig in changed])
    vocab = _Vocabulary(conn, language, whole=len(changed) >= PARALLEL_FROM)

    def work(rel: str) -> tuple[str, str, str, str, list[tuple[str, str]]]:
        """A note's columns, as texts (cheap to send back from a worker), and the words new
        to the vocabulary with their keys."""
        try:
            with open(root / rel, "rb") as handle:
                raw = handle.read(2 * 1024 * 1024)
        except OSError:
            return "", "", "", "", []
        values = records[rel].values
        words = _WORD.findall(fold(note_text(raw, values)))
        head = _WORD.findall(fold(" ".join(
            t for key in HEAD_KEYS for t in _flatten(values.get(key))))) \
            if records[rel].type == "client" else []
        learned = vocab.learn(set(words).union(head))
        head_text = " ".join(head + stems(head, language) + vocab.forms(head))
        return (" ".join(words), " ".join(stems(words, language)), " ".join(vocab.forms(words)),
                head_text, learned)

    texts = parallel_map([rel for rel, _sig in changed], work)
    rows = []
    for (rel, sig), (words, stemmed, forms, head, _learned) in zip(changed, texts):
        row = _fields(rel, sig if settled((sig,), taken_ns) else "racy", records[rel])
        cursor = conn.execute("INSERT INTO notes(path, sig, client, type, name, date, kind, "
                              "status, organization, sponsor, tags, error) VALUES "
                              "(?,?,?,?,?,?,?,?,?,?,?,?)", row)
        rows.append((cursor.lastrowid, words, stemmed, forms, head))
    conn.executemany("INSERT INTO fts(rowid, words, stems, forms, head) VALUES (?, ?, ?, ?, ?)",
                     rows)
    conn.executemany("INSERT OR REPLACE INTO vocab VALUES (?, ?)",
                     [pair for *_columns, learned in texts for pair in learned])


class _Vocabulary:
    """The keys of words (`wordforms`) beyond their stem, from the index's `vocab` table and,
    for words new to it, made with the dictionary. For a large batch (`whole`) both tables are
    read into memory first, so that a forked worker (`parallel_map`) never touches the
    connection; for a few notes they are looked up word by word."""
    def __init__(self, conn: sqlite3.Connection, language: str, whole: bool) -> None:
        self.conn, self.language, self.whole = conn, language, whole
        self.engine = forms_of(conn, language)
        self.extra: dict[str, tuple[str, ...]] = {}  # word -> its keys beyond its stem
        if self.engine is not None and whole:
            self.engine.lexicon.load()
            self._remember(conn.execute("SELECT word, keys FROM vocab").fetchall())

    def _remember(self, rows: list[tuple[str, str]]) -> None:
        words = [word for word, _keys in rows]
        for (word, keys), stem in zip(rows, stems(words, self.language)):
            self.extra[word] = tuple(k for k in keys.split() if k != stem)

    def learn(self, words: set[str]) -> list[tuple[str, str]]:
        """Know the keys of these words; the rows for `vocab` of those that were new."""
        if self.engine is None:
            return []
        unknown = [w for w in words if w not in self.extra and w.isalpha()]
        if unknown and not self.whole:
            for start in range(0, len(unknown), 500):
                part = unknown[start:start + 500]
                self._remember(self.conn.execute(
                    f"SELECT word, keys FROM vocab WHERE word IN ({','.join('?' * len(part))})",
                    part).fetchall())
            unknown = [w for w in unknown if w not in self.extra]
        learned = [(w, " ".join(sorted(self.engine.keys(w)))) for w in unknown]
        self._remember(learned)
        return learned

    def forms(self, words: list[str]) -> list[str]:
        """The keys of these words beyond their stems, each once."""
        found: set[str] = set()
        for word in set(words):
            more = self.extra.get(word)
            if more:
                found.update(more)
        return sorted(found)

    def keys(self, words: list[str]) -> list[set[str]]:
        """Each word's keys: its stem and the rest (what marks a result's line)."""
        self.learn(set(words))
        return [{stem, *self.extra.get(word, ())}
                for word, stem in zip(words, stems(words, self.language))]


def forms_of(conn: sqlite3.Connection, language: str) -> Forms | None:
    """The forms of the vault's language (None: its stems alone, as for English)."""
    if language not in LEMMAS:
        return None
    return Forms(Lexicon(conn), lambda words: stems(words, language))


def _fields(rel: str, sig: int, record) -> tuple:
    """A note's row: the filters' fields (a client's on its client note's row)."""
    v = record.values
    folder = rel.split("/")[1] if rel.count("/") >= 2 else None  # clients/<id>/…
    client = folder or (str(v.get("client") or "").strip("[]").split("|")[0]
                        .rsplit("/", 1)[-1] or None)
    errors = sorted((line, code) for line, code, _message in record.problems
                    if code.startswith("E"))
    return (rel, str(sig), client, record.type, v.get("name") if record.type == "client" else None,
            str(v.get("date") or "")[:10] or None, v.get("kind"), v.get("status"),
            v.get("organization"), v.get("sponsor"), json.dumps(v.get("tags") or []),
            errors[0][1] if errors else None)


# -- the query ----------------------------------------------------------------------------

class Query(NamedTuple):
    match: str | None  # an FTS5 expression, or None: no words, only filters
    stems: frozenset[str]  # what marks a line as matching: stems and prefixes of the words
    prefixes: tuple[str, ...]


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


class _Parts:
    """What a query is made of while it is read: AND-groups of OR-ed terms, and exclusions."""
    def __init__(self, text: str, language: str, forms: Forms | None = None) -> None:
        self.text, self.language, self.forms = text, language, forms
        self.groups: list[list[str]] = []
        self.excluded: list[str] = []
        self.marks: set[str] = set()
        self.prefixes: list[str] = []
        self.pending_or = False

    def fail(self, message: str, **values: str) -> QueryError:
        return QueryError(message.format(query=self.text, **values))

    def take(self, match: re.Match) -> None:
        negative, phrase, plain = match.group(1), match.group(2), match.group(3)
        if plain == "OR":
            if not self.groups or self.pending_or:
                raise self.fail(_("OR needs a word on both sides: {query}"))
            self.pending_or = True
            return
        if plain is not None and plain.startswith("-") and len(plain) > 1:
            negative, plain = "-", plain[1:]
        term = _term(phrase if phrase is not None else plain, phrase is not None,
                     self.language, self.marks, self.prefixes, not negative, self.forms)
        if term is None:
            raise self.fail(_("'{word}' holds no letters or digits to search for"),
                            word=match.group(0))
        if negative:
            self.excluded.append(term)
        elif self.pending_or:
            self.groups[-1].append(term)
        else:
            self.groups.append([term])
        self.pending_or = False

    def query(self) -> Query:
        if self.pending_or:
            raise self.fail(_("OR needs a word on both sides: {query}"))
        if self.excluded and not self.groups:
            raise self.fail(_("a search needs at least one word to find, not only words to "
                              "leave out: {query}"))
        if not self.groups:
            return Query(None, frozenset(), ())
        expression = " AND ".join("(" + " OR ".join(g) + ")" for g in self.groups)
        expression += "".join(f" NOT {term}" for term in self.excluded)
        return Query(expression, frozenset(self.marks), tuple(self.prefixes))


def parse(words: list[str], language: str, forms: Forms | None = None) -> Query:
    """The search box's language: words (all of them), `"a phrase"`, `begin*`, `-not`,
    `A OR B` (OR binds closer than the space between words); a QueryError for what it
    cannot read."""
    text = " ".join(words)
    if text.count('"') % 2:
        raise QueryError(_("the query has an opening quote without a closing one: {query}")
                         .format(query=text))
    parts = _Parts(text, language, forms)
    for match in _TOKEN.finditer(text):
        parts.take(match)
    return parts.query()


def _term(value: str, phrase: bool, language: str, marks: set[str], prefixes: list[str],
          positive: bool, forms: Forms | None = None) -> str | None:
    star = not phrase and value.endswith("*")
    words = _WORD.findall(fold(value.rstrip("*") if star else value))
    if not words:
        return None
    if star:
        head, last = words[:-1], words[-1]
        if positive:
            prefixes.append(last)
            marks.update(stems(head, language))
        inner = " ".join(stems(head, language))
        if inner:
            return f'(stems : "{inner}" AND words : "{last}" *)'
        return f'words : "{last}" *'
    stemmed = stems(words, language)
    if phrase or len(words) > 1:
        if positive:
            marks.update(stemmed)
        return 'stems : "' + " ".join(stemmed) + '"'
    return _word_term(words[0], stemmed[0], marks if positive else set(), forms)


def _word_term(word: str, stem: str, marks: set[str], forms: Forms | None) -> str:
    """One word: itself, its stem, its forms and compounds (SPEC §17, v4), in the body or the
    name, reason and goals — each column weighted (`WEIGHTS`), so the exact word ranks first."""
    keys = sorted(forms.own(word) | {stem}) if forms else [stem]
    marks.update(keys)
    either = " OR ".join(f'"{k}"' for k in keys)
    columns = "{stems forms}" if forms else "stems"
    return f'(words : "{word}" OR {columns} : ({either}) OR head : ("{word}" OR {either}))'


# -- searching ----------------------------------------------------------------------------

def search(root: Path, language: str, words: list[str], filters: Filters,
           limit: int = 20) -> Found:
    """The notes that hold every word of the query and pass the filters, best first."""
    query = parse(words, language)  # a query it cannot read: said before any index is made
    for attempt in (1, 2):
        conn = _connect(root, language)
        try:
            unread = refresh(conn, root, language)
            if filters.client is not None:
                filters = filters._replace(client=_client(conn, filters.client))
            forms = forms_of(conn, language)
            if forms is not None and query.match:
                query = parse(words, language, forms)
            rows, total = _select(conn, query, filters, limit)
            keys_of = _keys_of(conn, language)
            hits = [_placed(root, Hit(*row), query, language, keys_of) for row in rows]
            break
        except sqlite3.OperationalError as error:
            if query.match and ("fts5" in str(error) or "syntax" in str(error)):
                raise QueryError(_("the query cannot be read: {query}").format(
                    query=" ".join(words))) from None
            raise
        except sqlite3.DatabaseError:  # damaged: made anew, once
            conn.close()
            index_path(root).unlink(missing_ok=True)
            if attempt == 2:
                raise
        finally:
            conn.close()
    return Found(hits, total, unread)


def _keys_of(conn: sqlite3.Connection, language: str) -> Callable[[list[str]], list[set]]:
    """The keys of each of a line's words (its stem, and its forms where the language has
    them): what marks a word of a result's line as a match."""
    vocab = _Vocabulary(conn, language, whole=False)

    def keys(words: list[str]) -> list[set]:
        learned = vocab.learn(set(words))
        if learned:
            conn.executemany("INSERT OR REPLACE INTO vocab VALUES (?, ?)", learned)
        return vocab.keys(words)

    return keys


def _client(conn: sqlite3.Connection, wanted: str) -> str:
    """A client by id, name or a unique beginning of either (as every CLIENT argument)."""
    names = dict(conn.execute("SELECT client, name FROM notes WHERE type = 'client'"))
    return find_client(wanted, names)


def _select(conn: sqlite3.Connection, query: Query, filters: Filters,
            limit: int) -> tuple[list[tuple], int]:
    """The first `limit` matches and the count of all. The client's row is joined only when
    a filter needs its fields; the names of the hits are looked up after (a join over every
    match of a common word cost a tenth of a second on 77k notes)."""
    where, values = _where(filters)
    joined = any(value is not None for value in (filters.status, filters.organization,
                                                  filters.sponsor, filters.tag))
    client_row = (" LEFT JOIN notes c ON c.client = n.client AND c.type = 'client' AND "
                  "c.path = 'clients/' || n.client || '/client.md'") if joined else ""
    columns = ("n.path, n.client, n.date, "
               "CASE WHEN n.type = 'client' THEN 'client' ELSE n.kind END")
    if query.match:
        source = "fts JOIN notes n ON n.id = fts.rowid" + client_row
        clause = "fts MATCH ?" + (" AND " + where if where else "")
        args = [query.match, *values]
        rank = f"bm25(fts, {', '.join(str(w) for w in WEIGHTS)})"
        order, score = f"{rank}, n.date DESC, n.path", f"-{rank}"
    else:
        source = "notes n" + client_row
        clause, args = where or "1", values
        order, score = "n.date IS NULL, n.date DESC, n.path", "0.0"
    rows = conn.execute(f"SELECT {columns}, {score}, n.error FROM {source} WHERE {clause} "
                        f"ORDER BY {order} LIMIT ?", [*args, limit]).fetchall()
    total = len(rows) if len(rows) < limit else \
        conn.execute(f"SELECT count(*) FROM {source} WHERE {clause}", args).fetchone()[0]
    clients = sorted({row[1] for row in rows if row[1]})
    names = dict(conn.execute(
        f"SELECT client, name FROM notes WHERE type = 'client' AND client IN "
        f"({','.join('?' * len(clients))}) AND path = 'clients/' || client || '/client.md'",
        clients)) if clients else {}
    return [(path, client, names.get(client) or client, day, kind, score, error)
            for path, client, day, kind, score, error in rows], total


def _where(f: Filters) -> tuple[str, list]:
    parts, values = [], []
    if f.kind == "client":  # the client notes: their `type`, not a session's kind
        parts.append("n.type = 'client'")
    for column, value, how in (
            ("n.client", f.client, "="),
            ("n.kind", f.kind if f.kind != "client" else None, "="), ("c.status", f.status, "="),
            ("c.organization", f.organization, "like"), ("c.sponsor", f.sponsor, "like"),
            ("n.date", f.start, ">="), ("n.date", f.end, "<=")):
        if value is None:
            continue
        if how == "like":
            parts.append(f"{column} LIKE ? ESCAPE '\\'")
            values.append("%" + re.sub(r"([%_\\])", r"\\\1", value) + "%")
        else:
            parts.append(f"{column} {how} ?")
            values.append(value)
    if f.tag is not None:
        parts.append("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE lower(json_each.value) "
                     "= lower(?))")
        values.append(f.tag.lstrip("#"))
    return " AND ".join(parts), values


def _placed(root: Path, hit: Hit, query: Query, language: str,
            keys_of: Callable[[list[str]], list[set]]) -> Hit:
    """The line of the first match in the note (never inside a comment), and a snippet of it
    with the words marked `**…**`; without a query, the note's first line of text."""
    try:
        with open(root / hit.path, "rb") as handle:
            lines = handle.read(2 * 1024 * 1024).decode("utf-8-sig", "replace").splitlines()
    except OSError:
        return hit
    lines = without_comments("\n".join(lines)).split("\n")
    for number, line in enumerate(lines, 1):
        spans = _matches(line, query, keys_of)
        if spans:
            return hit._replace(line=number, snippet=_snippet(line, spans))
    # no words (or none on one line): the first line of the body says what the note is about

    split = split_front_matter("\n".join(lines) + "\n")
    start = split[1] if split else 0
    for number, line in enumerate(lines[start:], start + 1):
        if line.strip().lstrip("#").strip():
            return hit._replace(line=number, snippet=_snippet(line.strip().lstrip("# "), []))
    return hit


def _matches(line: str, query: Query, keys_of: Callable[[list[str]], list[set]],
             ) -> list[tuple[int, int]]:
    if not query.match:
        return []
    found = list(_WORD.finditer(line))
    if not found:
        return []
    folded = [fold(m.group(0)) for m in found]
    return [(m.start(), m.end()) for m, w, keys in zip(found, folded, keys_of(folded))
            if keys & query.stems or any(w.startswith(p) for p in query.prefixes)]


def _snippet(line: str, spans: list[tuple[int, int]], width: int = 160) -> str:
    line = " ".join(line.split()) if not spans else line
    start = max(0, spans[0][0] - 50) if spans else 0
    end = min(len(line), start + width)
    out, at = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [line[at:a], "**", line[a:b], "**"]
        at = b
    out.append(line[at:end])
    text = "".join(out).strip()
    return ("…" if start > 0 else "") + " ".join(text.split()) + ("…" if end < len(line) else "")


# -- erasure ------------------------------------------------------------------------------

def scrub(root: Path, language: str) -> None:
    """After `forget`: bring the index up to date (the erased notes leave it, the notes whose
    mentions were replaced are read anew) with `secure_delete`, merge FTS5's segments so no
    deleted entry stays in them, and vacuum: no erased text remains in the file."""
    if not index_path(root).exists():
        return
    conn = _connect(root, language)
    try:
        refresh(conn, root, language)
        conn.execute("DELETE FROM vocab")  # the words of every note seen: made again as needed
        conn.execute("INSERT INTO fts(fts) VALUES('optimize')")
        conn.execute("VACUUM")
    finally:
        conn.close()
