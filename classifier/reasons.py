"""Reasons for a batch of scores: the words and phrases that pushed each comment up.

For a linear model each feature's contribution is exact: value * coefficient. Hashed
n-gram columns are mapped back to text by hashing the comment's own n-grams again (for
char n-grams, the columns `CharGrams` remembers per word while scoring); a column that
several n-gram occurrences share is split evenly among them. The numeric work runs once
per batch with numpy; per comment only its tokens are walked in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from .chargrams import CharGrams

_LONG_TOKEN = 20
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
Weights = list[dict[str, float]]


def _is_unsegmented(token: str) -> bool:
    """CJK/Thai-like scripts have no spaces, so a whitespace 'word' can be a sentence."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in token)


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


def word_weights(texts: Sequence[str], analyzer: Callable, n_features: int, block: Block,
                 hash_of: Callable[[str], int], weights: Weights) -> None:
    """Word and two-word phrases, quoted: `"my channel"`."""
    grams = [list(set(analyzer(text))) for text in texts]
    flat = [gram for row in grams for gram in row]
    if not flat:
        return
    rows = np.repeat(np.arange(len(texts)), [len(row) for row in grams])
    columns = np.fromiter((hash_of(gram) for gram in flat), dtype=np.int64, count=len(flat))
    shares = iter(_shares(rows, columns % n_features, n_features, block).tolist())
    for row, row_grams in zip(weights, grams, strict=True):
        for gram in row_grams:
            share = next(shares)
            if share:
                row[f'"{gram}"'] += share


def _lone_non_ideograph(text: str) -> bool:
    """One character that names nothing by itself: a letter, a kana syllable, a digit (a
    CJK ideograph such as "金" is a word)."""
    return len(text) == 1 and not unicodedata.name(text, "").startswith("CJK")


@lru_cache(maxsize=65_536)
def _word_label(token: str) -> str | None:
    """How the owner reads a word's char n-grams: the word as written, quoted; None for a
    CJK run or a very long token, whose n-grams are shown one by one instead."""
    readable = _EDGE_PUNCT.sub("", token) or token
    if _is_unsegmented(token) or len(readable) > _LONG_TOKEN:
        return None
    return f'"{readable}"'


@lru_cache(maxsize=65_536)
def _gram_label(gram: str) -> str | None:
    """How the owner reads one n-gram of a CJK run: without the padding and punctuation at
    its edges, quoted; None when nothing is left that names something: the padding alone,
    "！", "。", or one character that is no ideograph (a kana syllable "ま", "す！", or a
    Latin letter).  Its weight still counts in the score; it is only not offered as a
    reason."""
    readable = _EDGE_PUNCT.sub("", gram.strip())
    return None if not readable or _lone_non_ideograph(readable) else f'"{readable}"'


def char_weights(texts: Sequence[str], folded: Sequence[str], char_grams: CharGrams,
                 block: Block, weights: Weights) -> None:
    """Char n-grams credited to the word they occur in; CJK runs show the n-gram itself.

    ``folded`` holds the texts the n-grams were taken from; each splits into the same words
    as its text.
    """
    tokens = [list(zip(text.split(), char_grams.words(fold), strict=True))
              for text, fold in zip(texts, folded, strict=True)]
    columns = [char_grams.columns(word) for row in tokens for _, word in row]
    if not columns:
        return
    lengths = np.fromiter((len(c) for c in columns), dtype=np.int64, count=len(columns))
    rows = np.repeat(np.repeat(np.arange(len(texts)), [len(row) for row in tokens]), lengths)
    shares = _shares(rows, np.concatenate(columns), char_grams.n_features, block)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    sums = iter(zip(np.add.reduceat(shares, starts).tolist(), starts.tolist(), strict=True))
    for row, row_tokens in zip(weights, tokens, strict=True):
        for token, word in row_tokens:
            total, start = next(sums)
            label = _word_label(token)
            if label is not None:
                row[label] += total
                continue
            grams = char_grams.grams(word)
            for gram, share in zip(grams, shares[start:start + len(grams)].tolist(), strict=True):
                label = _gram_label(gram)
                if label is not None:
                    row[label] += share


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
    word = reason[1:-1] if reason.startswith('"') and reason.endswith('"') else None
    return word is not None and (word in _FUNCTION_WORDS or _lone_non_ideograph(word))


def top(weights: dict[str, float], count: int, toward_spam: bool = True) -> list[str]:
    """The ``count`` labels that pushed the score most, strongest first.

    For a comment that leans spam these are what pushed it up; for one that leans ham,
    what pulled it down: listing weak spam features on a 3% comment would mislead.
    Function words and single letters are left out unless nothing else is there.
    """
    sign = 1.0 if toward_spam else -1.0
    ranked = [reason for _, reason in sorted(
        ((sign * w, r) for r, w in weights.items() if sign * w > 0), reverse=True)]
    telling = [reason for reason in ranked if not _says_little(reason)]
    return (telling or ranked)[:count]
