"""Labelled comment data: the shipped public corpora and the owner's own files.

One loader autodetects the three formats we meet (YouTube Spam Collection CSV, SMS Spam
Collection TSV, a plain `body,label` CSV) so the CLI needs a single `--data FILE` option.
Every example carries a `source` group: validation splits by group (one video, one set of
duplicate SMS) so scores are not inflated by near-copies between train and test.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_SPAM_WORDS = {"spam": 1, "1": 1, "ham": 0, "0": 0}
COMMENT, SMS = "comment", "sms"
CHANNELS = (COMMENT, SMS)
# The YouTube Spam Collection's videos (its README and UCI page): a link to the video a
# comment is on is a reference ("best part at 2:19"), not promotion.
COLLECTION_VIDEOS = {
    "Youtube01-Psy": "9bZkp7q19f0", "Youtube02-KatyPerry": "CevxZvSJLk8",
    "Youtube03-LMFAO": "KQ6zr6kCPj8", "Youtube04-Eminem": "uelHwf8o7_U",
    "Youtube05-Shakira": "pRpeEdMmmQ0",
}
_VIDEO_ID_IN_NAME = re.compile(r"[_-]([\w-]{11})$")


@dataclass(frozen=True)
class CommentInput:
    """What the model scores: the comment as submitted (original text, not normalised).

    `page` is the address (a URL with its host) of the page the comment was posted on: a
    link back to it is not promotion.  `channel` says what kind of text this is: blog and
    video comments are `comment`; the SMS corpus is `sms`, whose spam and base rates
    differ, so the model keeps channel-specific weights and thresholds for it.
    """

    body: str
    name: str = ""
    email: str = ""
    homepage: str = ""
    page: str = ""
    channel: str = COMMENT


@dataclass(frozen=True)
class LabelledComment(CommentInput):
    """A comment with its label (1 spam, 0 ham) and validation group (`source`)."""

    label: int = 0
    source: str = ""


class DatasetError(ValueError):
    """A data file cannot be read; the message names the file, the line and the problem."""


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        # in place: the file's name can carry its video (see video_page)
        source, target = shlex.quote(str(path)), shlex.quote(f"{path}.utf8")
        raise DatasetError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); convert it first, "
            f"e.g. from Latin-1: iconv -f latin1 -t utf-8 {source} > {target} && mv {target} {source}"
        ) from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None


def _label(value: str, path: Path, line: int) -> int:
    label = _SPAM_WORDS.get(value.strip().lower())
    if label is None:
        raise DatasetError(f"{path}, line {line}: label {value!r} is not spam/ham or 1/0")
    return label


def _load_sms(text: str, path: Path, source: str) -> list[LabelledComment]:
    """SMS Spam Collection: `ham|spam<TAB>text`, no quoting (messages contain `"`), under
    an optional `label<TAB>text` header."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or (not rows and _is_sms_header(line)):
            continue
        label, sep, body = line.partition("\t")
        if not sep:
            raise DatasetError(f"{path}, line {number}: expected 'label<TAB>text'")
        rows.append(LabelledComment(body=body, label=_label(label, path, number), source=source,
                                    channel=SMS))
    return rows


def _csv_rows(text: str, path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Parse a CSV with a header; returns lower-cased column names and (line, row) pairs.

    Strict, so a quote that is never closed is an error at the line where it opens: else
    it swallows the rest of the file into one field and the row looks short a column.
    A row's line is the one it starts on (quoted fields may span lines).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, start = [], 1
    try:
        for fields in reader:
            if fields:
                records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        problem = "a quoted field is never closed" if "end of data" in str(exc) else str(exc)
        raise DatasetError(f"{path}, line {start}: malformed CSV ({problem})") from None
    header = [name.strip().lower() for name in records[0][1]] if records else []
    return header, [(line, dict(zip(header, fields, strict=False))) for line, fields in records[1:]]


def video_page(path: Path) -> str:
    """The video a YouTube file's comments are on: a Collection file's known id, or an
    11-character id ending the file name (`PlayStation4_x7QhUL8NUK4.csv`)."""
    known = next((video for stem, video in COLLECTION_VIDEOS.items()
                  if _is_copy_of(path.stem, stem)), None)
    found = _VIDEO_ID_IN_NAME.search(path.stem)
    video = known or (found.group(1) if found else "")
    return f"https://www.youtube.com/watch?v={video}" if video else ""


def _is_copy_of(name: str, stem: str) -> bool:
    """`name` is `stem`, or a downloaded copy of it (`Youtube05-Shakira (1)`, `..._v2`)."""
    name, stem = name.lower(), stem.lower()
    return name.startswith(stem) and not name[len(stem):len(stem) + 1].isalnum()


# Plain CSV column names: the first present of each list (`v1,v2` is the SMS collection's
# CSV edition on Kaggle).
_BODY_COLUMNS = ("body", "text", "message", "comment", "v2")
_LABEL_COLUMNS = ("label", "class", "v1")


def _load_csv(text: str, path: Path, source: str) -> list[LabelledComment]:
    header, rows = _csv_rows(text, path)
    page, channel = "", COMMENT
    body_col = next((c for c in _BODY_COLUMNS if c in header), None)
    label_col = next((c for c in _LABEL_COLUMNS if c in header), None)
    if "content" in header and ("class" in header or "tag" in header):
        body_col, label_col, name_col = "content", "class" if "class" in header else "tag", "author"
        page = video_page(path)
    elif body_col and label_col:
        name_col = "name"
        channel = SMS if (label_col, body_col) == ("v1", "v2") else COMMENT
    else:
        raise DatasetError(
            f"{path}, line 1: unknown columns {header}; expected CONTENT+CLASS/TAG "
            "(YouTube), body+label (plain CSV), or a 'ham|spam<TAB>text' file (SMS)"
        )
    examples = []
    for line, row in rows:
        if row.get(body_col) is None or row.get(label_col) is None:
            raise DatasetError(f"{path}, line {line}: missing {body_col!r} or {label_col!r}")
        examples.append(
            LabelledComment(
                body=row[body_col],
                name=(row.get(name_col) or "").strip(),
                email=(row.get("email") or "").strip(),
                homepage=(row.get("homepage") or "").strip(),
                page=(row.get("page") or row.get("post") or page).strip(),
                channel=(row.get("channel") or channel).strip(),
                label=_label(row[label_col], path, line),
                source=source,
            )
        )
    return examples


def _is_sms_header(line: str) -> bool:
    """A `label<TAB>text` header (any of the plain CSV's column names) over SMS rows."""
    fields = [field.strip().lower() for field in line.split("\t")]
    return len(fields) == 2 and fields[0] in _LABEL_COLUMNS and fields[1] in _BODY_COLUMNS


def _looks_like_sms(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    labelled = "\t" in first and first.split("\t", 1)[0].strip().lower() in ("ham", "spam")
    return labelled or _is_sms_header(first)


def load_file(path: str | Path, source: str | None = None) -> list[LabelledComment]:
    """Load labelled comments from a YouTube CSV, SMS TSV or plain `body,label` CSV.

    `source` defaults to `file:<name>`; pass one to group the rows differently.
    """
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise DatasetError(f"{path}, line 1: file is empty")
    source = source or f"file:{path.name}"
    load = _load_sms if _looks_like_sms(text) else _load_csv
    examples = load(text, path, source)
    if not examples:
        raise DatasetError(f"{path}: no labelled rows (only a header?)")
    return examples


def _corpus_dir() -> Path:
    return Path(str(resources.files("classifier") / "corpora"))


def shipped_corpora(include_pilot: bool = True) -> list[LabelledComment]:
    """All labelled corpora shipped in `classifier/corpora`, with validation groups.

    Groups: `youtube:<file stem>` per video, `pilot:<file stem>` for the 2014 pilot sets
    (other videos, low spam rate), `sms` for the SMS collection.
    """
    root = _corpus_dir()
    examples: list[LabelledComment] = []
    for path in sorted((root / "youtube").glob("*.csv")):
        examples += load_file(path, source=f"youtube:{path.stem}")
    if include_pilot:
        for path in sorted((root / "youtube_pilot_2014").iterdir()):
            if path.suffix in (".csv", ".original"):
                examples += load_file(path, source=f"pilot:{path.stem}")
    examples += load_file(root / "sms" / "SMSSpamCollection", source="sms")
    return examples
