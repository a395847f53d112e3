from classifier import normalize
from classifier.datasets import CommentInput
from classifier.features import model_input
from classifier.text import MAX_BODY_CHARS, signal_tokens


def test_normalize_folds_width_case_and_format_chars():
    assert normalize("ＦＲＥＥ Ｍｏｎｅｙ") == "free money"
    assert normalize("sub\u200bscri\u200dbe\ufeff") == "subscribe"
    assert normalize("Straße") == "strasse"


def test_normalize_decodes_html():
    assert normalize("I&#39;m here<br />now &amp; then<br/>") == "i'm here now & then"
    assert normalize('<a href="http://x.com/a">link</a> ok') == "http://x.com/a link ok"


def test_normalize_is_idempotent_and_keeps_japanese():
    text = "チャンネル登録お願いします！"
    assert normalize(normalize(text)) == normalize(text)
    assert "チャンネル" in normalize(text)


def test_signals_describe_links_homepage_caps_and_repeats():
    tokens = signal_tokens("CHECK OUT MY CHANNEL www.a.com and http://b.net!!!!", "http://me.org")
    assert {"__link__", "__links_2__", "__homepage__", "__caps_high__", "__repeat__"} <= set(tokens)
    assert signal_tokens("hello there") == ["__no_signal__"]


def test_long_bodies_are_truncated_for_the_model():
    rows = model_input([CommentInput(body="spam " * 20000)])
    assert len(rows[0, 0]) <= MAX_BODY_CHARS
