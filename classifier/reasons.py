"""Reasons for a batch of scores: the words and phrases that pushed each comment up.

For a linear model each feature's contribution is exact: value * coefficient. Hashed
n-gram columns are mapped back to text by hashing the comment's own n-grams again (for
char n-grams, the columns `CharGrams` remembers per word while scoring); a column that
several n-gram occurrences share is split evenly among them. The numeric work runs once
per batch with numpy; per comment only its tokens are walked in Python.

Each contribution is credited to what the owner sees in the comment (`labels`): a word's
char n-grams to the word, a link's n-grams (word or char) to its address, and in
unsegmented script (Japanese, Chinese) each n-gram's weight is spread over the characters
it covers and summed per run of one script, so no reason cuts a word at random.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from .chargrams import CharGrams, gram_spans
from .labels import Shown, lone_non_ideograph, runs, shortened, shown

_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"\w+")
# Logits (before calibration, whose slopes are near 1).  The logistic's slope is at most
# 1/4, so a push under 0.05 moves a probability by under 1.25 percentage points: nothing an
# owner could see, and the order among such crumbs is noise.  Japanese n-grams, which the
# shipped corpora barely hold, weigh 0.00-0.01 and filled the five slots with them.
NEGLIGIBLE = 0.05
Weights = list[dict[str, float]]


def gram_hash(gram: str) -> int:
    """What the hashing vectorisers compute for an n-gram (before ``% n_features``)."""
    return abs(murmurhash3_32(gram, positive=False))


@dataclass(frozen=True)
class Block:
    """One feature block's non-zero contributions in a batch: row, block column, value."""

    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray


def contributions(matrix: sp.csr_matrix, coef: np.ndarray, part: slice) -> Block:
    """value * coefficient of every non-zero feature of ``part`` in the batch."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    inside = (matrix.indices >= part.start) & (matrix.indices < part.stop)
    columns = matrix.indices[inside]
    return Block(rows[inside], columns - part.start, matrix.data[inside] * coef[columns])


def summed(blocks: Sequence[Block]) -> Block:
    """Blocks over the same columns as one: contributions to the same row and column add."""
    if len(blocks) == 1:
        return blocks[0]
    rows = np.concatenate([b.rows for b in blocks]).astype(np.int64)
    columns = np.concatenate([b.columns for b in blocks]).astype(np.int64)
    width = int(columns.max(initial=0)) + 1
    keys, which = np.unique(rows * width + columns, return_inverse=True)
    values = np.bincount(which, weights=np.concatenate([b.values for b in blocks]),
                         minlength=len(keys))
    return Block(keys // width, keys % width, values)


def _shares(rows: np.ndarray, columns: np.ndarray, n_features: int, block: Block) -> np.ndarray:
    """Each n-gram occurrence's share of its row's hashed column's contribution."""
    keys = rows * n_features + columns
    occupied, which, counts = np.unique(keys, return_inverse=True, return_counts=True)
    found = block.rows.astype(np.int64) * n_features + block.columns
    order = np.argsort(found, kind="stable")
    found, values = found[order], block.values[order]
    if not len(found):
        return np.zeros(len(keys))
    at = np.minimum(np.searchsorted(found, occupied), len(found) - 1)
    return np.where(found[at] == occupied, values[at] / counts, 0.0)[which]


class Words(NamedTuple):
    """A text's word n-grams, in the analyzer's order, and where each of its words starts
    and ends (plain lists: a batch's worth of match objects kept the garbage collector busy)."""

    grams: list[str]
    starts: list[int]
    ends: list[int]


class WordGrams:
    """A word hashing vectoriser's n-grams of a text, as its analyzer cuts them (a test holds
    the two side by side), and which words each joins."""

    def __init__(self, vectorizer: HashingVectorizer) -> None:
        self.lowercase = vectorizer.build_preprocessor()
        self.n_features = vectorizer.n_features
        self._pattern = re.compile(vectorizer.token_pattern)
        self._range = vectorizer.ngram_range

    def __call__(self, text: str) -> Words:
        matches = list(self._pattern.finditer(text))
        texts = [match.group() for match in matches]
        grams = [texts[i] if j - i == 1 else " ".join(texts[i:j]) for i, j in self.spans(len(texts))]
        return Words(grams, [match.start() for match in matches], [match.end() for match in matches])

    def spans(self, count: int) -> Iterator[tuple[int, int]]:
        """The words each n-gram of ``count`` words joins, in order: (first, last + 1)."""
        low, high = self._range
        for n in range(low, high + 1):
            for i in range(count - n + 1):
                yield i, i + n


@dataclass(frozen=True)
class Reading:
    """A comment as its reasons read it: its text lower-cased as the vectorisers see it, its
    whitespace tokens, how each is shown, and the weight each character of an unsegmented
    token has been credited (token index -> one weight per character)."""

    text: str
    starts: list[int]
    tokens: list[str]
    shown: list[Shown]
    plain: list[bool]  # shown by a label of its own, and no link: a word
    chars: dict[int, np.ndarray]

    def credit(self, token: int, start: int, end: int, value: float, row: dict[str, float]) -> None:
        """``value`` to the text's characters start:end in ``token``: to the token's label,
        or spread evenly over those characters."""
        label = self.shown[token].label
        if label is not None:
            row[label] += value
            return
        offset = self.starts[token]
        self.chars_of(token)[start - offset:end - offset] += value / (end - start)

    def chars_of(self, token: int) -> np.ndarray:
        found = self.chars.get(token)
        if found is None:
            found = self.chars[token] = np.zeros(len(self.tokens[token]))
        return found


def read(text: str) -> Reading:
    """``text``, lower-cased as the vectorisers lower-case it, ready to be credited."""
    tokens = list(_TOKEN.finditer(text))
    how = [shown(token.group()) for token in tokens]
    return Reading(text, [token.start() for token in tokens], [token.group() for token in tokens],
                   how, [label is not None and not link for label, link in how], {})


def word_weights(readings: Sequence[Reading], word_grams: WordGrams, block: Block,
                 hash_of: Callable[[str], int], weights: Weights) -> None:
    """Words and phrases as written (`"my channel"`, `"it's"`), none across punctuation and a
    space (`_apart`); an n-gram that touches a link or unsegmented script is credited to
    those tokens (`_credit_special`)."""
    texts = [word_grams(reading.text) for reading in readings]
    flat = [gram for words in texts for gram in words.grams]
    if not flat:
        return
    rows = np.repeat(np.arange(len(readings)), [len(words.grams) for words in texts])
    columns = np.fromiter((hash_of(gram) for gram in flat), dtype=np.int64, count=len(flat))
    n_features = word_grams.n_features
    shares = _shares(rows, columns % n_features, n_features, block).tolist()
    at = 0
    for row, reading, words in zip(weights, readings, texts, strict=True):
        tokens = [bisect_right(reading.starts, start) - 1 for start in words.starts]
        own = [reading.shown[token].label if reading.plain[token] else None for token in tokens]
        apart = [_apart(reading.text[end:start])
                 for end, start in zip(words.ends[:-1], words.starts[1:], strict=True)]
        for (i, j), share in zip(word_grams.spans(len(tokens)), shares[at:at + len(words.grams)],
                                 strict=True):
            if not share:
                continue
            if own[i] is not None and tokens[i] == tokens[j - 1]:  # "it s" is "it's"
                row[own[i]] += share
            elif None in own[i:j]:
                _credit_special(reading, words, tokens, range(i, j), share, row)
            elif True not in apart[i:j - 1]:
                row[_phrase(reading, tokens[i], tokens[j - 1])] += share
        at += len(words.grams)


def _credit_special(reading: Reading, words: Words, tokens: list[int], joined: range,
                    share: float, row: dict[str, float]) -> None:
    """A share of a word n-gram that touches links or unsegmented tokens: to those, in
    proportion to its characters there ("see https" is about the link; "docs python", a
    piece of an address, is no phrase anyone wrote; a whole unsegmented run is the
    sentence, not a reason)."""
    special = [k for k in joined if not reading.plain[tokens[k]]]
    total = sum(words.ends[k] - words.starts[k] for k in special)
    for k in special:
        reading.credit(tokens[k], words.starts[k], words.ends[k],
                       share * (words.ends[k] - words.starts[k]) / total, row)


def _apart(gap: str) -> bool:
    """Whether punctuation and a space part two words ("you. could"): they are no phrase
    the commenter wrote, though the model's n-grams join them ("you could")."""
    return gap != " " and "".join(gap.split()) != gap


def _phrase(reading: Reading, first: int, last: int) -> str:
    """Plain tokens first..last as the comment writes them ("it's a" for "s a"): words no
    punctuation parts (`_apart`) fill their tokens up to the outer edges, which the tokens'
    own labels strip."""
    return f'"{shortened(" ".join(reading.shown[t].label[1:-1] for t in range(first, last + 1)))}"'


def char_weights(readings: Sequence[Reading], folded: Sequence[str], char_grams: CharGrams,
                 block: Block, weights: Weights) -> None:
    """Char n-grams credited to the token they occur in; for an unsegmented token, spread
    over the characters each covers.

    ``folded`` holds the texts the n-grams were taken from; each splits into the same words
    as its reading, character for character (digit folding maps one character to one).
    """
    words = [char_grams.words(fold) for fold in folded]
    columns = [char_grams.columns(word) for row in words for word in row]
    if not columns:
        return
    lengths = np.fromiter((len(c) for c in columns), dtype=np.int64, count=len(columns))
    rows = np.repeat(np.repeat(np.arange(len(readings)), [len(row) for row in words]), lengths)
    shares = _shares(rows, np.concatenate(columns), char_grams.n_features, block)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    sums = iter(zip(np.add.reduceat(shares, starts).tolist(), starts.tolist(), strict=True))
    for row, reading, row_words in zip(weights, readings, words, strict=True):
        for token, (how, word) in enumerate(zip(reading.shown, row_words, strict=True)):
            total, start = next(sums)
            if how.label is not None:
                row[how.label] += total
                continue
            grams, chars, parts = _coverage(len(word), char_grams.ngram_range)
            spread = reading.chars_of(token)
            spread += np.bincount(chars, weights=shares[start + grams] * parts, minlength=len(word))


@lru_cache(maxsize=1024)
def _coverage(length: int, ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a ``length``-character word: which characters each of its char n-grams covers,
    as (n-gram, character, 1 / characters it covers) triples (the padding covers none)."""
    spans = np.clip(np.array(gram_spans(length, ngram_range)) - 1, 0, length)  # unpadded
    counts = spans[:, 1] - spans[:, 0]
    firsts = np.cumsum(counts) - counts  # where each n-gram's characters begin in the triples
    grams = np.repeat(np.arange(len(spans)), counts)
    chars = np.repeat(spans[:, 0] - firsts, counts) + np.arange(counts.sum())
    return grams, chars, np.repeat(1.0 / np.maximum(counts, 1), counts)


def piece_weights(readings: Sequence[Reading], weights: Weights) -> None:
    """What the characters of unsegmented tokens were credited, summed by script run."""
    for row, reading in zip(weights, readings, strict=True):
        for token, chars in reading.chars.items():
            total = [0.0, *np.cumsum(chars).tolist()]  # a run's sum: the difference at its ends
            for start, end, label in runs(reading.tokens[token]):
                row[label] += total[end] - total[start]


def signal_weights(block: Block, names: Sequence[str], readable: dict[str, str], weights: Weights) -> None:
    for row, column, value in zip(block.rows.tolist(), block.columns.tolist(), block.values.tolist(),
                                  strict=True):
        weights[row][readable.get(names[column], names[column])] += value


def new_weights(n: int) -> Weights:
    return [defaultdict(float) for _ in range(n)]


# English function words and the letters left of contractions ("it's" -> "it", "s"): they
# carry real weight (conversation reads as ham), but "the" or "is" explains nothing to an
# owner, so they are offered only when nothing else pushed the same way.
_FUNCTION_WORDS = frozenset("""
a an the and or but nor so if then than as of to in on at by for from with about into onto
over under is are was were be been being am do does did done has have had having will would
shall should can could may might must it its this that these those there here what which who
whom whose when where why how not very too just also s t d ll m re ve
""".split())


def _says_little(reason: str) -> bool:
    """A function word, a lone letter, or one word made of them ("it's", "i'm")."""
    if not reason.startswith('"') or " " in reason:
        return False
    parts = _WORD.findall(reason)
    return bool(parts) and all(p in _FUNCTION_WORDS or lone_non_ideograph(p) for p in parts)


def top(weights: dict[str, float], count: int, toward_spam: bool = True) -> list[str]:
    """The ``count`` labels that pushed the score most, strongest first.

    For a comment that leans spam these are what pushed it up; for one that leans ham,
    what pulled it down: listing weak spam features on a 3% comment would mislead.
    Pushes under `NEGLIGIBLE` are left out, but the strongest is kept, so a comment that
    anything pushed has a reason.  Function words and single letters are left out unless
    nothing else is there.
    """
    sign = 1.0 if toward_spam else -1.0
    ranked = sorted(((sign * w, r) for r, w in weights.items() if sign * w > 0), reverse=True)
    strong = [reason for push, reason in ranked if push >= NEGLIGIBLE] or [r for _, r in ranked[:1]]
    telling = [reason for reason in strong if not _says_little(reason)]
    return (telling or strong)[:count]
