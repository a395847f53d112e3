"""Text normalisation and the model-input string.

Spammers dodge filters with look-alike characters (full-width letters, zero-width
joiners, HTML entities).  Everything the model sees goes through `normalize`, so these
variants map to the same features.  The caller keeps the original text; only the model
input is normalised.  These are plain functions applied *before* the sklearn pipeline,
so the saved model file holds nothing but library types.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import urlsplit

MAX_BODY_CHARS = 5000  # long bodies are truncated: spam signal sits early, cost grows linearly

_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_HREF_RE = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    # Bare domains only for TLDs that are not also words: "me.i", "cherthala.in case" in
    # hurried SMS text are not links.  A country suffix may follow (`x.com.br`), but no
    # other label: `wikipedia.org.spam.example/x` is not a link to wikipedia.org.
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|biz|ly|ru|tk|gl|co\.uk)(?:\.[a-z]{2})?"
    r"\b(?!\.\w)(?:/\S*)?"
    # Any other TLD only with a path after it (`trojmiasto.pl/vena-bus.html`), and YouTube's
    # own relative links (`/watch?v=...`), which comments paste without the host.
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,13}/[\w\-./?=&%#~+]+"
    r"|(?<![\w/])/watch\?v=[\w-]{11}",
    re.IGNORECASE,
)
# An address to write to is not a page to visit: counted apart, never as a link.  Not
# inside a URL: `https://paypal.com@evil.example/` is a link to evil.example.
_EMAIL_RE = re.compile(r"(?<![\w.+/-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REPEAT_RE = re.compile(r"(\S)\1{3,}")
# SMS spam gives phone numbers (07xxx..., 0800 ...) and 5-digit short codes; YouTube ham
# quotes view and subscriber counts ("1000000000 views", "14,000,000").  Separate tokens
# let the model weigh the two shapes apart.
_PHONE_RE = re.compile(r"(?<![\d,.])(?:0\d{9,11}|0\d{3,4}[ -]\d{3}[ -]?\d{3,4}|\d{5})(?![\d,.])")
_BIG_NUMBER_RE = re.compile(r"\d{6,}|\d{1,3}(?:,\d{3}){2,}")
_VIDEO_LINK_RE = re.compile(r"youtu\.be/|youtube\.com/watch|^/watch\?v=", re.IGNORECASE)
# Any currency sign, and yen written after the number ("月収100万円"): the signal is
# "money amount" in every script, not only where the corpora's spam put it.
_MONEY_RE = re.compile(r"[$£€¥₩₹₽]\s?\d|\d\s?(?:万|億)?円")
# Self-promotion, the commonest comment spam ("check out my channel", "subscribe to me",
# "click on my picture"): one signal for the phrase family, so the model does not have to
# spread that evidence over single words ("check" also opens "just came to check the views").
_PROMO_RE = re.compile(
    r"\b(?:check (?:out|me|my|it|this|our)"
    r"|(?:my|our) (?:new )?(?:channel|videos?|music|songs?|page|profile|playlist|blog|website|site"
    r"|track|mixtape)"
    r"|sub(?:scribe)? (?:to )?(?:me|my|hear|see|watch|listen)|follow me"
    r"|click (?:on )?my (?:picture|pic|name|profile|icon|avatar))\b"
    # The same phrases in Japanese, where no space marks a word boundary: "my channel /
    # video / blog / site / profile" (私, 僕, 俺 and 自分 all say "my"), "please subscribe to
    # the channel", "please follow", "look at / check my profile".
    r"|(?:私|僕|俺|自分)の(?:新しい)?(?:チャンネル|動画|ブログ|サイト|ページ|曲|プロフィール)"
    r"|チャンネル登録(?:お願い|して|よろしく)|フォロー(?:お願い|して)"
    r"|プロフ(?:ィール)?(?:を|から|に)?(?:見て|チェック|ご覧)"
    # And in Spanish, Portuguese, French and German: "my (new) channel / video / blog",
    # "subscribe to my", "follow me", "check out my".  There the adjective follows the
    # noun: "mi video favorito" is a fan's "my favourite video", not promotion.
    r"|\b(?:(?:mi|nuestro|meu|nosso|mon|ma|notre|mein(?:en|em)?|unser(?:en|em)?)"
    r" (?:nuevo |novo |nouvelle |nouveau |neue[nms]? )?"
    r"(?:canal|cha[iî]ne|kanal|v[ií]d[eé]os?|blog|p[aá]gina|sitio|site|perfil|profil)\b"
    r"(?! (?:favorit|preferid|pr[eé]f[eé]r|lieblings))"
    r"|sub?scr[ií]b\w* (?:a )?(?:mi|nuestro)\b|inscrev\w*(?:-se)? (?:no|em|ao) (?:meu|nosso)\b"
    r"|abonne[rz]?(?:-vous|-toi)? (?:à )?(?:ma|mon|notre)\b|abonnier\w* (?:mich|meinen)\b"
    r"|s[ií]gue(?:me|nos)\b|s[ií]ganme\b|me sigam\b|sigam-me\b|suivez-moi\b|folgt mir\b"
    r"|(?:mira|miren|visita|visiten|confira|confiram|vejam?|visitez) (?:el |o |mon |ma )?"
    r"(?:mi|meu|nosso|nuestro)\b)",
    re.IGNORECASE,
)
# Links written so that filters miss them ("marketglory . com/...", "gonintendo(dot)com",
# "W W W. THE FARRELL REPORT. NET"): disguising a link says more than the link would.
_HIDDEN_LINK_RE = re.compile(
    r"\b[a-z0-9][\w-]*"
    r"(?:(?:\s+\.\s*|\s*[(\[]\s*dot\s*[)\]]\s*|dot)(?:com|net|org|info|biz|ru|ly|tk)"
    # "site. com": only in lower case, which a sentence's next word ("home. Com on") is not
    r"|\.\s+(?-i:com|net|org|info|biz|ru|ly|tk))\b"
    r"|\bw\s+w\s+w\b|\bwww\s+\.",
    re.IGNORECASE,
)
# Engagement bait: asking for likes or shares ("like this comment if...", "please share").
# The YouTube Spam Collection labels it spam (32 of 32 such comments in its four videos)
# but its words ("like", "comment", "share") are everyday words. Thumbs-up polls ("thumbs
# up if you're watching in 2015") are labelled either way (9 spam, 7 ham), so they are a
# signal of their own, which the model weighs apart.  "Thumbs up so others can see" asks
# for likes to be seen: 12 spam and no ham in the four videos.
_ENGAGEMENT_RE = re.compile(
    r"\b(?:like this comment|give (?:it|this|me|us) a (?:like|thumbs? up)"
    r"|(?:please|plz|pls) share|share this (?:video|song|comment|page)"
    r"|share (?:it )?on (?:facebook|twitter)|like and share|share and like"
    r"|so (?:that )?(?:others|other people|more people|everyone|people) (?:can|may|will|could)"
    r" (?:see|hear|notice)"
    # The same in Spanish and Portuguese: "give this comment a like", "share this video",
    # "so that others see it".
    r"|(?:dale|denle|den|d[eê]em?|deixem?) (?:un |um )?like (?:a |ao |no |n[eo]ste )?"
    r"(?:este |esse |mi |meu )?coment[aá]rio|(?:curtam|curta) (?:este|esse|meu) coment[aá]rio"
    r"|compart(?:e|an|ir|am|ilhe|ilhem) (?:este|esta|el|la|esse|essa|o|a)"
    r" (?:video|v[ií]deo|canci[oó]n|m[uú]sica)"
    r"|para que (?:otros|todos|m[aá]s (?:gente|personas)|la gente|outros|mais pessoas) (?:lo |a |o )?"
    r"(?:vean|escuchen|vejam|ou[cç]am|possam ver))\b",
    re.IGNORECASE,
)
_POLL_RE = re.compile(
    r"\b(?:like (?:this )?if|thumbs? up (?:this )?(?:if|for)"
    r"|like si|(?:curte|curtam|curta|like) se)\b", re.IGNORECASE)
_VIDEO_ID_RE = re.compile(r"(?:youtu\.be/|[?&]v=|/embed/|/shorts/)([\w-]{11})(?![\w-])")
# Where a blog reader points to back a point: encyclopaedias, standards, papers, official
# documentation, code hosts and Q&A sites, public institutions.  The training corpora
# (YouTube, SMS) hold almost no ham with a link, so the model reads any link as spam; a
# link to one of these hosts (or a subdomain: ja.wikipedia.org) is counted apart instead.
# Hosts only, never free-hosting domains (github.io, blogspot.com) where anyone can
# publish a landing page, nor app stores (apps.apple.com, play.google.com).
_REFERENCE_HOST_RE = re.compile(
    r"(?:^|\.)(?:"
    r"wikipedia\.org|wikimedia\.org|wiktionary\.org|wikidata\.org|archive\.org"
    r"|w3\.org|whatwg\.org|ietf\.org|rfc-editor\.org|unicode\.org|iso\.org"
    r"|arxiv\.org|doi\.org|acm\.org|ieee\.org"
    r"|github\.com|gitlab\.com|codeberg\.org|stackoverflow\.com|stackexchange\.com"
    r"|superuser\.com|serverfault\.com|askubuntu\.com"
    r"|python\.org|mozilla\.org|rust-lang\.org|go\.dev|nodejs\.org|php\.net|postgresql\.org"
    r"|sqlite\.org|kernel\.org|debian\.org"
    # only the documentation hosts of platforms whose app stores spammers promote
    r"|developer\.apple\.com|learn\.microsoft\.com|developer\.android\.com"
    r")$"
    # Public institutions: .gov, .edu, .gov.uk, .ac.jp, .go.jp, .edu.sg, .gouv.fr, .europa.eu
    r"|(?:^|\.)(?:gov|edu|mil)(?:\.[a-z]{2})?$|\.(?:ac|go)\.[a-z]{2}$|\.gouv\.fr$|\.europa\.eu$"
)


# Signals that are one pattern each; where a group has two, the first that matches counts
# (a phone number is not also a large number, engagement bait not also a poll).
_PATTERN_SIGNALS = (
    ((_HIDDEN_LINK_RE, "__hidden_link__"),),
    ((_EMAIL_RE, "__email__"),),
    ((_REPEAT_RE, "__repeat__"),),
    ((_PHONE_RE, "__phone__"), (_BIG_NUMBER_RE, "__big_number__")),
    ((_MONEY_RE, "__money__"),),
    ((_PROMO_RE, "__promo__"),),
    ((_ENGAGEMENT_RE, "__engagement__"), (_POLL_RE, "__poll__")),
)


def _drop_format_chars(text: str) -> str:
    """Remove Unicode format characters (category Cf: zero-width space/joiner, BOM...)."""
    if text.isascii():  # no ASCII character is in Cf; most comments take this fast path
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _tag_to_text(match: re.Match[str]) -> str:
    """Replace an HTML tag by a space, keeping a link target so it still counts."""
    href = _HREF_RE.search(match.group(0))
    return f" {href.group(1)} " if href else " "


def clean(text: str) -> str:
    """Canonical form before case folding: NFKC, no Cf chars, no HTML tags or entities.

    Format chars are dropped and NFKC applied first, so a zero-width char or a full-width
    letter inserted inside `&amp;` or `<br>` cannot change how the markup is read.
    """
    text = unicodedata.normalize("NFKC", _drop_format_chars(text[: MAX_BODY_CHARS * 2]))
    text = html.unescape(_TAG_RE.sub(_tag_to_text, text))
    text = unicodedata.normalize("NFKC", _drop_format_chars(text))
    return _SPACE_RE.sub(" ", text).strip()[:MAX_BODY_CHARS]


def normalize(text: str) -> str:
    """Model view of a text: NFKC, Cf chars dropped, casefolded, HTML decoded, `<br>` -> space."""
    return fold(clean(text))


def fold(cleaned: str) -> str:
    """`normalize` for a text `clean` has already been through."""
    return unicodedata.normalize("NFKC", cleaned.casefold())


def find_links(text: str) -> list[str]:
    """URLs and bare domains (`example.com/x`) in a cleaned text; email addresses are none."""
    return _URL_RE.findall(_EMAIL_RE.sub(" ", text))


def _host_and_path(address: str) -> tuple[str, str]:
    """Host (lower case, without `www.`) and path (without a trailing `/`) of a URL or a
    bare `example.com/x`; empty strings where there is none."""
    address = address.strip()
    if not address.lower().startswith(("http://", "https://")):
        address = "http://" + address
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return "", ""
    return host, parts.path.rstrip("/")


def _page_key(address: str, host: str, path: str) -> tuple[str, str] | None:
    """What identifies a page: ("video", id) for a YouTube video, else (host, path), from
    the address and its `_host_and_path`.

    Without a host or with the root path alone it identifies nothing: a link to a home
    page is not a link to the post.
    """
    video = _VIDEO_ID_RE.search(address)
    if video:
        return ("video", video.group(1))
    return (host, path) if host and path else None


class SortedLinks(NamedTuple):
    """A comment's links by where they point."""

    elsewhere: list[str]  # what a promoter would post: counted as links
    to_site: bool  # any to the page the comment is on, or (on a blog) to its own site
    to_reference: bool  # any to a reference site (`_REFERENCE_HOST_RE`)


def sort_links(links: list[str], page: str) -> SortedLinks:
    """Split `links` into promotion and references.

    A link to `page`, the page the comment is on ("my favourite part is 2:19"), or to
    another page of the same site when the page is not a video (a reader pointing at the
    owner's older post), promotes nothing but the owner.  The caller vouches for `page`:
    taken from a client, it would let a spammer declare their own site "this page".
    A YouTube video's site is YouTube, where every spammer's own video lives, so there
    only the video itself counts.
    """
    page_host, page_path = _host_and_path(page)
    page_key = _page_key(page, page_host, page_path)
    site = "" if page_key is not None and page_key[0] == "video" else page_host
    elsewhere, to_site, to_reference = [], False, False
    for link in links:
        host, path = _host_and_path(link)
        if (site and host == site) or (
                page_key is not None and _page_key(link, host, path) == page_key):
            to_site = True
        elif host and _REFERENCE_HOST_RE.search(host):
            to_reference = True
        else:
            elsewhere.append(link)
    return SortedLinks(elsewhere, to_site, to_reference)


def _caps_ratio(text: str) -> tuple[float, int]:
    """Share of upper-case letters among cased letters, and the number of cased letters."""
    cased = [ch for ch in text if ch.isupper() or ch.islower()]
    if not cased:
        return 0.0, 0
    return sum(ch.isupper() for ch in cased) / len(cased), len(cased)


def signal_tokens(text: str, homepage: str = "", page: str = "") -> list[str]:
    """Extra signals as pseudo-words (`__links_2__`), so a plain vectorizer can use them.

    `text` is a body as `clean` returns it (NFKC, Cf-free, markup decoded), so they are as
    robust to look-alike characters as the text features are; the caller cleans once for
    both.  Links back to `page` (or its site) and to reference sites are counted apart.
    """
    tokens: list[str] = []
    links, to_site, to_reference = sort_links(find_links(text), page)
    if to_site:
        tokens.append("__page_link__")
    if to_reference:
        tokens.append("__ref_link__")
    if links:
        tokens += ["__link__", f"__links_{min(len(links), 3)}__"]
        if all(_VIDEO_LINK_RE.search(link) for link in links):
            tokens.append("__video_link__")
    if homepage.strip():
        tokens.append("__homepage__")
    ratio, letters = _caps_ratio(_URL_RE.sub(" ", text))  # links are lower case anyway
    if letters >= 8 and ratio >= 0.6:
        tokens.append("__caps_high__")
    elif letters >= 8 and ratio >= 0.3:
        tokens.append("__caps_some__")
    for alternatives in _PATTERN_SIGNALS:
        for pattern, token in alternatives:
            if pattern.search(text):
                tokens.append(token)
                break
    if not tokens:
        tokens.append("__no_signal__")
    return tokens


SIGNAL_WORDS = {
    "__link__": "contains a link",
    "__links_1__": "1 link",
    "__links_2__": "2 links",
    "__links_3__": "3 or more links",
    "__homepage__": "homepage given",
    "__caps_high__": "shouting (caps)",
    "__caps_some__": "many capitals",
    "__repeat__": "repeated characters",
    "__video_link__": "link to a video",
    "__page_link__": "link to this page or site",
    "__ref_link__": "link to a reference site",
    "__phone__": "phone number or short code",
    "__big_number__": "large number",
    "__money__": "money amount",
    "__promo__": "self-promotion phrase",
    "__hidden_link__": "disguised link",
    "__email__": "email address",
    "__engagement__": "asks for likes or shares",
    "__poll__": "thumbs-up poll",
    "__no_signal__": "no links, numbers or shouting",
}
