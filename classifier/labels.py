"""What the reasons call the pieces of a comment, in words a blog owner recognises.

A reason is shown as the comment writes it, quoted, and never longer than `WIDTH`
columns: a word as written, a link by its address, and a run of Japanese or Chinese (no
spaces: a whitespace "word" can be the whole comment) by its runs of one script, which is
where such a text can be cut without a dictionary: "副業で月収100万円" reads as 副業, 月収,
100, 万円 (the kana "で" alone names nothing).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, groupby
from typing import NamedTuple

from .text import find_links

WIDTH = 20  # columns; a CJK character takes two
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
# Unicode name prefixes of the scripts a text without spaces changes between at word edges
_SCRIPTS = {"CJK": "kanji", "IDEOGRAPHIC": "kanji", "KATAKANA": "katakana",
            "HIRAGANA": "hiragana", "HANGUL": "hangul"}


class Shown(NamedTuple):
    """How one whitespace token is shown: by ``label``, or, when that is None (unsegmented
    script), by the script runs (`runs`) its characters' weights add up to.  Everything in
    a link is credited to it: "docs python" or "oc" are pieces of an address, not words."""

    label: str | None
    link: bool


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def lone_non_ideograph(text: str) -> bool:
    """One character that names nothing by itself: a letter, a kana syllable, a digit (a
    CJK ideograph such as "金" is a word)."""
    return len(text) == 1 and not unicodedata.name(text, "").startswith("CJK")


def shortened(text: str) -> str:
    """``text`` cut to `WIDTH` columns, "…" where it was cut: a glued-together phrase or a
    run of Japanese can be a sentence, and a reason is a glance."""
    if len(text) <= WIDTH // 2 or (len(text) <= WIDTH and text.isascii()):  # fits, surely
        return text
    columns = list(accumulate(2 if _wide(ch) else 1 for ch in text))
    return text if columns[-1] <= WIDTH else text[:bisect_right(columns, WIDTH - 1)] + "…"


def address(link: str) -> str:
    """A link as an owner reads it: no scheme, no "www.", and when it is long, its host
    alone ("docs.python.org/…"): the host says where it leads, the path rarely does."""
    bare = _EDGE_PUNCT.sub("", _SCHEME.sub("", link))
    host, slash, _ = bare.partition("/")
    return bare if len(bare) <= WIDTH or not slash else shortened(host + "/…")


@lru_cache(maxsize=65_536)
def shown(token: str) -> Shown:
    """How a whitespace token (lower-cased) is shown: a link by its `address`, unsegmented
    script run by run, any other word as written, without the punctuation at its edges."""
    links = find_links(token)
    if links:
        return Shown(f'"{shortened(address(links[0]))}"', link=True)
    if any(_wide(ch) for ch in token):
        return Shown(None, link=False)
    return Shown(f'"{shortened(_EDGE_PUNCT.sub("", token) or token)}"', link=False)


@lru_cache(maxsize=4096)
def _script(ch: str) -> str | None:
    """The script of a word character (kanji, katakana, hiragana, hangul; "word" for letters
    and digits of any other); None for punctuation, which no reason shows."""
    if not (ch.isalnum() or ch == "_"):
        return None
    name = unicodedata.name(ch, "")
    return next((script for prefix, script in _SCRIPTS.items() if name.startswith(prefix)), "word")


def runs(token: str) -> list[tuple[int, int, str]]:
    """The runs of one script in an unsegmented token, as (start, end, label); left out are
    punctuation and runs that name nothing by themselves (a kana syllable, a lone digit).

    Not cached: such a token is often a whole comment, seldom seen twice, and up to 5,000
    characters long."""
    found = []
    start = 0
    for script, chars in groupby(token, _script):
        end = start + len(list(chars))
        if script is not None and not lone_non_ideograph(token[start:end]):
            found.append((start, end, f'"{shortened(token[start:end])}"'))
        start = end
    return found
