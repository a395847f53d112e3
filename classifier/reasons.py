"""Reasons for a batch of scores: the words and phrases that pushed each comment up.

For a linear model each feature's contribution is exact: value * coefficient. Hashed
n-gram columns are mapped back to text by hashing the comment's own n-grams again; a
column that several n-gram occurrences share is split evenly among them. The numeric
work runs once per batch with numpy; per comment only its tokens are walked in Python,
and each token's n-grams and hashes are cached, because words recur across comments.
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


def _shares(rows: np.ndarray, hashes: np.ndarray, n_features: int, block: Block) -> np.ndarray:
    """Each n-gram occurrence's share of its row's hashed column's contribution."""
    keys = rows * n_features + hashes % n_features
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
    hashes = np.fromiter((hash_of(gram) for gram in flat), dtype=np.int64, count=len(flat))
    shares = iter(_shares(rows, hashes, n_features, block).tolist())
    for row, row_grams in zip(weights, grams, strict=True):
        for gram in row_grams:
            share = next(shares)
            if share:
                row[f'"{gram}"'] += share


@dataclass(frozen=True)
class TokenGrams:
    """A token's padded char n-grams: their hashes, and the reason label for them (one
    label for a whole word; per n-gram ``labels`` for CJK runs and very long tokens)."""

    hashes: np.ndarray
    label: str | None
    labels: tuple[str, ...] = ()


@lru_cache(maxsize=65_536)
def char_grams(token: str, hashed: str, low: int, high: int) -> TokenGrams:
    """``hashed`` is the token as the n-grams were taken from (digits as 0); ``token`` is
    its original spelling, which the owner reads."""
    readable = _EDGE_PUNCT.sub("", token) or token
    unsegmented = _is_unsegmented(token) or len(readable) > _LONG_TOKEN
    padded = f" {hashed} "
    grams = [padded[i:i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]
    hashes = np.fromiter((gram_hash(gram) for gram in grams), dtype=np.int64, count=len(grams))
    if unsegmented:  # a gram of the padding alone (char 1-grams) names nothing: no label
        return TokenGrams(hashes, None, tuple(f'"{gram.strip()}"' if gram.strip() else ""
                                              for gram in grams))
    return TokenGrams(hashes, f'"{readable}"')


def char_weights(texts: Sequence[str], folded: Sequence[str], ngram_range: tuple[int, int],
                 n_features: int, block: Block, weights: Weights) -> None:
    """Char n-grams credited to the word they occur in; CJK runs show the n-gram itself.

    ``folded`` holds the texts the n-grams were taken from; each splits into the same words
    as its text.
    """
    tokens = [[char_grams(token, hashed, *ngram_range)
               for token, hashed in zip(text.split(), fold.split(), strict=True)]
              for text, fold in zip(texts, folded, strict=True)]
    flat = [token for row in tokens for token in row]
    if not flat:
        return
    lengths = np.fromiter((len(t.hashes) for t in flat), dtype=np.int64, count=len(flat))
    rows = np.repeat(np.repeat(np.arange(len(texts)), [len(row) for row in tokens]), lengths)
    shares = _shares(rows, np.concatenate([t.hashes for t in flat]), n_features, block)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    sums = iter(zip(np.add.reduceat(shares, starts).tolist(), starts.tolist(), strict=True))
    for row, row_tokens in zip(weights, tokens, strict=True):
        for token in row_tokens:
            total, start = next(sums)
            if token.label is not None:
                row[token.label] += total
                continue
            for label, share in zip(token.labels, shares[start:start + len(token.hashes)].tolist(),
                                    strict=True):
                if label:
                    row[label] += share


def signal_weights(block: Block, names: Sequence[str], readable: dict[str, str], weights: Weights) -> None:
    for row, column, value in zip(block.rows.tolist(), block.columns.tolist(), block.values.tolist(),
                                  strict=True):
        weights[row][readable.get(names[column], names[column])] += value


def new_weights(n: int) -> Weights:
    return [defaultdict(float) for _ in range(n)]


def top(weights: dict[str, float], count: int, toward_spam: bool = True) -> list[str]:
    """The ``count`` labels that pushed the score most, strongest first.

    For a comment that leans spam these are what pushed it up; for one that leans ham,
    what pulled it down: listing weak spam features on a 3% comment would mislead.
    """
    sign = 1.0 if toward_spam else -1.0
    ranked = sorted(((sign * w, r) for r, w in weights.items() if sign * w > 0), reverse=True)
    return [reason for _, reason in ranked[:count]]
