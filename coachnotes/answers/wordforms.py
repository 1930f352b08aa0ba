"""Dutch as coaches write it (SPEC §17, v4): the keys by which a word of a note is found,
besides its Snowball stem — its lemma, its derivational family and the parts of a compound.

* **Forms** come from a lemmatizer: simplemma's Dutch dictionary (370,000 word forms, each
  with its lemma; maintained, no dependencies) gives `solliciteerde` → `solliciteren`,
  `sollicitatiebrieven` → `sollicitatiebrief`, `overwerkuren` → `overwerkuur`. Each lemma is
  then stemmed as the word is (`dutch_porter`), so the query `solliciteren` and the note's
  `solliciteerde` share the key `solliciter`. (Measured on the 51 queries of
  tests/dutch_queries.py by bench/search_quality.py: the stemmer alone finds 51% of what must
  be found, with the lemmas, families and compounds 100%; neither finds what must not be.)
* **Families**: a verb in `-eren` and its noun in `-atie` (solliciteren, sollicitatie;
  presenteren, presentatie; reorganiseren, reorganisatie) share a key `0<root>` — the one
  derivation that neither a stemmer nor a lemmatizer joins, and the one coaches search most.
* **Compounds** are split at index time with that dictionary: `sollicitatiebrief` is found by
  `sollicitatie` and by `brief`, `teamoverleg` by `overleg`, `overwerkuren` by `overwerk`. A
  word is split where both sides are words of the dictionary (or a verb's stem, `overwerk`),
  with a linking `s`, `e` or `en` taken off the first part. A word the dictionary knows whole is
  split only into long parts (`over|leg` and `sol|licitatie` stay whole), and never before a
  suffix that is also a word (`werk|elijk`, `hek|el`): so `werk` does not find `werkelijk`,
  nor `hek` `hekel`.

The keys of every distinct word are kept in the index (`vocab`), so a note is indexed with one
lookup per word it shares with the vault; the dictionary itself is kept in the index too
(`lexicon`), so a search looks up its words there instead of loading simplemma (a second).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from typing import Callable, Iterable

from coachnotes.vault.layout import SPECIAL_LETTERS

SUFFIX_WORDS = frozenset({"lijk", "lijke", "heid", "heden", "baar", "bare", "loos", "loze",
                          "zaam", "zame", "achtig", "achtige", "ling", "lingen", "schap", "dom",
                          "ing", "ingen", "nis", "sel", "isch", "ische", "el", "els"})
LINKS = ("en", "s", "e")  # the linking sounds between a compound's parts
ENDINGS = ("en", "n", "s", "e", "t", "d")  # a last part in a form the dictionary lacks
FAMILY = ("eren", "atie")  # solliciteren / sollicitatie: one family
VERB_STEM = "\x00"  # the lexicon's mark for a verb's stem (known as a part, not as a word)


def fold(text: str) -> str:
    """Lower case without accents, as the index and a query read words: `Zoë` → `zoe`,
    `coördinatie` → `coordinatie`, and the letters that carry no accent to take off too
    (`Aydın` → `aydin`, `Łukasz` → `lukasz`)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.translate(SPECIAL_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def dictionary(language: str) -> Iterable[tuple[str, str]]:
    """(form, lemma) of the language's dictionary, folded; the lemmas themselves, and the
    stems of the verbs (`overwerken` → `overwerk`, marked VERB_STEM), which are the first part
    of many compounds."""
    from simplemma.strategies import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory().get_dictionary(language)
    seen: set[str] = set()
    lemmas: set[str] = set()
    for form, lemma in forms.items():
        form, lemma = fold(form), fold(lemma)
        lemmas.add(lemma)
        if form not in seen:
            seen.add(form)
            yield form, lemma
    for lemma in lemmas - seen:
        seen.add(lemma)
        yield lemma, lemma
    for lemma in lemmas:
        if lemma.endswith("en") and len(lemma) >= 6 and lemma[:-2] not in seen:
            seen.add(lemma[:-2])
            yield lemma[:-2], VERB_STEM


class Lexicon:
    """The dictionary as the index keeps it: looked up row by row for a few words, read
    whole for many (a first index)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.whole: dict[str, str] | None = None
        self.asked: dict[str, str | None] = {}

    def load(self) -> None:
        if self.whole is None:
            self.whole = dict(self.conn.execute("SELECT form, lemma FROM lex.lexicon"))

    def get(self, form: str) -> str | None:
        if self.whole is not None:
            return self.whole.get(form)
        if form not in self.asked:
            row = self.conn.execute("SELECT lemma FROM lex.lexicon WHERE form = ?",
                                    (form,)).fetchone()
            self.asked[form] = row[0] if row else None
        return self.asked[form]

    def lemma(self, word: str) -> str:
        found = self.get(word)
        return word if found is None or found == VERB_STEM else found

    def word(self, form: str) -> bool:
        found = self.get(form)
        return found is not None and found != VERB_STEM

    def part(self, form: str) -> bool:
        return len(form) >= 3 and self.get(form) is not None


class Forms:
    """The keys of a note's word (`keys`: its own and its parts') and of a query's word
    (`own`: a query finds compounds by their parts' keys, never the reverse), with a stemmer."""

    def __init__(self, lexicon: Lexicon, stem: Callable[[list[str]], list[str]]) -> None:
        self.lexicon = lexicon
        self.stem = stem

    def family(self, lemma: str) -> str | None:
        for ending in FAMILY:
            if lemma.endswith(ending) and len(lemma) - len(ending) >= 5:
                return "0" + lemma[:-len(ending)]
        return None

    def own(self, word: str) -> set[str]:
        """A word's stem, its lemma's stem and its family; for a compound the dictionary
        lacks in this form, the lemma of its last part put back (`overwerkt` → `overwerken`)."""
        lemma = self.lexicon.lemma(word)
        lemmas = [lemma]
        if lemma == word and not self.lexicon.word(word):
            lemmas += [head + self.lexicon.lemma(tail) for head, tail in self.splits(word)]
        found = set(self.stem([word, *lemmas]))
        found.update(filter(None, map(self.family, lemmas)))
        return found

    def keys(self, word: str) -> set[str]:
        """What finds the word in a note: its own keys, and those of the parts of a
        compound (each split, one level into the parts)."""
        found = self.own(word)
        for head, tail in self.splits(word) | self.splits(self.lexicon.lemma(word)):
            found |= self.own(head) | self.own(tail)
            for inner_head, inner_tail in self.splits(tail):
                found |= self.own(inner_head) | self.own(inner_tail)
        return found

    def splits(self, word: str) -> set[tuple[str, str]]:
        """Each way to read the word as two dictionary words (SPEC §17, v4)."""
        if len(word) < 6 or not word.isalpha():
            return set()
        whole = self.lexicon.word(word)
        found = set()
        for cut in range(3, len(word) - 2):
            tail = self._tail(word[cut:])
            if tail is None:
                continue
            for head in self._heads(word[:cut]):
                if whole and not (len(head) >= 5 or len(head) >= 4 and len(tail) >= 4):
                    continue  # a known word is split only into long parts
                found.add((head, tail))
        return found

    def _heads(self, head: str) -> list[str]:
        found = [head] if self.lexicon.part(head) else []
        for link in LINKS:
            if head.endswith(link) and self.lexicon.part(head[:-len(link)]):
                found.append(head[:-len(link)])
        return found

    def _tail(self, tail: str) -> str | None:
        if tail in SUFFIX_WORDS or len(tail) < 3:
            return None
        if self.lexicon.word(tail):
            return tail
        for ending in ENDINGS:
            base = tail[:-len(ending)]
            if tail.endswith(ending) and base not in SUFFIX_WORDS and len(base) >= 3 and \
                    self.lexicon.word(base):
                return base
        return None
