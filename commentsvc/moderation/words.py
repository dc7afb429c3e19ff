"""Word-list matching that sees through the ways spammers disguise words in French.

Both the list entries and the comment are folded the same way: lower case, accents removed
("grâtuit" = "gratuit"), leetspeak undone ("v1@gra"), repeated letters collapsed ("viaaagra"),
and runs of single letters joined ("v i a g r a", "v.i.a.g.r.a"). Matching is on whole words,
so "con" never matches inside "conseil"; an entry ending in ``*`` matches as a prefix, and a
plain entry also matches its French plural or feminine ("gratuits", "gratuite").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_ENTRY_LENGTH = 64
MAX_ENTRIES = 2000
# Variants of one token tried at most: a token made only of digits would otherwise explode.
MAX_VARIANTS = 64
# Two neighbouring words are also tried joined ("via gra"), for entries at least this long.
MIN_JOINED_LENGTH = 6
INFLECTIONS = ("", "s", "x", "e", "es")

# What each disguise character may stand for; the character itself is kept as an option for
# digits so that "2026" still reads as a number.
LEET: dict[str, tuple[str, ...]] = {
    "0": ("o", "0"),
    "1": ("i", "l", "1"),
    "2": ("2", "z"),
    "3": ("e", "3"),
    "4": ("a", "4"),
    "5": ("s", "5"),
    "6": ("g", "6"),
    "7": ("t", "7"),
    "8": ("b", "8"),
    "9": ("g", "9"),
    "@": ("a",),
    "$": ("s",),
    "€": ("e",),
    "£": ("l",),
    "!": ("i", ""),
    "|": ("i", "l"),
    "+": ("t",),
}
_TOKEN_CHARS = r"[\w@$€£!|+]"
_RAW_TOKEN = re.compile(_TOKEN_CHARS + "+")
_REPEATS = re.compile(r"(.)\1+")


class WordListError(ValueError):
    """A word list that cannot be used; the message names the bad entry."""


def fold(text: str) -> str:
    """Lower case without accents; ligatures spelled out (œ → oe)."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().replace("_", " ")


def _collapse(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def _raw_tokens(text: str) -> list[tuple[str, ...]]:
    """Folded tokens, each with its readings; runs of single characters are joined.

    "v i @ g r a" becomes "vi@gra"; a run also reads without its first or last letter, since
    French puts one-letter words next to it ("à v i a g r a").
    """
    tokens = _RAW_TOKEN.findall(fold(text))
    joined: list[tuple[str, ...]] = []
    run: list[str] = []

    def end_run() -> None:
        word = "".join(run)
        if len(word) >= 3:
            joined.append((word, word[1:], word[:-1], word[1:-1]))
        else:
            joined.append((word,))
        run.clear()

    for token in tokens:
        if len(token) == 1:
            run.append(token)
            continue
        if run:
            end_run()
        joined.append((token,))
    if run:
        end_run()
    return joined


def _variants(token: str) -> set[str]:
    """Every plain reading of a token (leetspeak undone), repeated letters collapsed."""
    options = [LEET.get(ch, (ch,)) for ch in token]
    plain = "".join(opts[0] for opts in options)
    readings = {plain, token.strip("!")}
    if any(len(opts) > 1 for opts in options):
        for combo in itertools.islice(itertools.product(*options), MAX_VARIANTS):
            readings.add("".join(combo))
    return {_collapse(r) for r in readings if r and r.isalnum()}


@dataclass(frozen=True)
class Entry:
    """One folded list entry: whole words, or a prefix when written with a trailing ``*``."""

    original: str
    words: tuple[str, ...]
    prefix: bool


def parse_entry(raw: str) -> Entry:
    """Fold one entry; refuses entries that are empty, too long or only punctuation."""
    text = raw.strip()
    if not text:
        raise WordListError("empty entry")
    if len(text) > MAX_ENTRY_LENGTH:
        raise WordListError(f"{text[:20]!r}…: entries are at most {MAX_ENTRY_LENGTH} characters")
    prefix = text.endswith("*")
    body = text.rstrip("*")
    if "*" in body:
        raise WordListError(f"{text!r}: '*' is only allowed at the end of an entry")
    words = tuple(_collapse(fold(w)) for w in re.findall(r"\w+", fold(body)))
    if not words:
        raise WordListError(f"{text!r}: the entry has no letters")
    if prefix and len(words[-1]) < 3:
        raise WordListError(f"{text!r}: a prefix needs at least 3 letters before '*'")
    return Entry(text, words, prefix)


def parse_word_list(lines: Iterable[str]) -> list[str]:
    """Validate a word list given as lines; returns the cleaned entries, duplicates removed."""
    cleaned: list[str] = []
    seen: set[tuple[tuple[str, ...], bool]] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entry = parse_entry(line)
        except WordListError as exc:
            raise WordListError(f"line {number}: {exc}") from exc
        key = (entry.words, entry.prefix)
        if key not in seen:
            seen.add(key)
            cleaned.append(entry.original)
    if len(cleaned) > MAX_ENTRIES:
        raise WordListError(f"a list holds at most {MAX_ENTRIES} entries ({len(cleaned)} given)")
    return cleaned


class Text:
    """A comment prepared once for matching against any number of entries."""

    def __init__(self, text: str) -> None:
        self.positions: list[set[str]] = [
            set().union(*(_variants(reading) for reading in token)) for token in _raw_tokens(text)
        ]
        self.joined: set[str] = set()
        for left, right in itertools.pairwise(self.positions):
            for a, b in itertools.islice(itertools.product(left, right), MAX_VARIANTS):
                self.joined.add(_collapse(a + b))

    def contains(self, entry: Entry) -> bool:
        n = len(entry.words)
        for start in range(len(self.positions) - n + 1):
            if all(
                _word_matches(
                    entry.words[i], self.positions[start + i], last=(i == n - 1) and entry.prefix
                )
                for i in range(n)
            ):
                return True
        if n == 1 and len(entry.words[0]) >= MIN_JOINED_LENGTH:
            return _word_matches(entry.words[0], self.joined, last=entry.prefix)
        return False


def _word_matches(word: str, readings: set[str], *, last: bool) -> bool:
    if last:
        return any(r.startswith(word) for r in readings)
    if len(word) < 4:
        return word in readings
    return any(word + ending in readings for ending in INFLECTIONS)


def find_matches(text: str, entries: Sequence[str]) -> list[str]:
    """The entries of a list found in ``text`` (as written in the list)."""
    prepared = Text(text)
    found = []
    for raw in entries:
        try:
            entry = parse_entry(raw)
        except WordListError:
            continue  # lists are validated when saved; an old bad entry must not break posting
        if prepared.contains(entry):
            found.append(entry.original)
    return found
