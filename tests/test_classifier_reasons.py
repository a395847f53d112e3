"""Reasons name what pushed a score as the owner sees it in the comment: whole words,
phrases as written, links by their address, Japanese by its runs of one script; and
nothing that hardly moved the score."""

import numpy as np
import pytest
from classifier_fixtures import trained_store_dir
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from classifier import CommentInput, ModelStore, reasons
from classifier.features import WORD_PATTERN, model_input
from classifier.reasons import NEGLIGIBLE, WordGrams, top

JAPANESE_HAM = "素敵な記事でした！写真もとても綺麗で、参考にします。"
JAPANESE_SPAM = "副業で月収100万円！詳しくはプロフィールを見てください"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return ModelStore(trained_store_dir(tmp_path_factory)).load()


def every_label(model, body: str) -> dict[str, float]:
    """Every label's push on one comment's logit, not only the five `score` keeps."""
    rows = model_input([CommentInput(body)])
    return dict(model._reason_weights(rows, model._features(rows))[0])


def quoted(labels) -> set[str]:
    return {label.strip('"') for label in labels if label.startswith('"')}


def test_a_long_link_is_one_reason_named_by_its_address(model):
    body = "Visit http://www.subscribersforyoutubechannels.example/free-trial now"
    [score] = model.score([CommentInput(body)])
    # it was '"ub"' and '"sub"': char n-grams of the address, shown one by one
    assert '"subscribersforyoutu…"' in score.reasons
    assert quoted(score.reasons) <= {"visit", "now", "visit now", "subscribersforyoutu…"}


def test_the_pieces_of_a_cited_address_are_credited_to_it(model):
    body = "Thanks, I found the answer in https://docs.python.org/3/library/re.html"
    [score] = model.score([CommentInput(body)])
    words = {"thanks", "i", "found", "the", "answer", "in", "i found", "found the", "the answer",
             "answer in"}
    assert quoted(score.reasons) <= words  # it was '"oc"' and '"yth"'
    # neither "docs python" nor "https" nor "in https": each is a piece of the address
    labels = quoted(every_label(model, body))
    assert "docs.python.org/…" in labels and labels <= words | {"docs.python.org/…"}


@pytest.mark.parametrize(("body", "runs"), [
    (JAPANESE_HAM, {"素敵", "記事", "でした", "写真", "もとても", "綺麗", "参考", "にします"}),
    (JAPANESE_SPAM, {"副業", "月収", "100", "万円", "詳", "しくは", "プロフィール", "見",
                     "てください"}),
])
def test_japanese_reasons_are_runs_of_one_script_never_the_sentence(model, body, runs):
    [score] = model.score([CommentInput(body)])
    # they were '"素"', '"も綺麗で"', '"考にし"', '"0万円"' (digits folded to 0) and the
    # whole comment, which the word block reads as one or two "words"
    assert quoted(score.reasons) <= runs
    assert quoted(every_label(model, body)) <= runs


def test_reasons_leave_out_what_hardly_moved_the_score(model):
    assert top({'"free"': 2.0, '"crumb"': NEGLIGIBLE / 5, "2 links": 0.3}, 5) == ['"free"', "2 links"]
    # a comment that anything pushed keeps its strongest push, however small
    assert top({'"crumb"': 0.01, '"dust"': 0.002}, 5) == ['"crumb"']
    # a crumb does not outrank a function word that did push
    assert top({'"the"': -0.5, '"song"': -0.01}, 5, toward_spam=False) == ['"the"']
    [score] = model.score([CommentInput(JAPANESE_HAM)])
    # its n-grams push 0.00-0.01 logits each: they filled four slots
    assert score.reasons == ["no links, numbers or shouting"]


def test_a_phrase_is_shown_as_written_never_across_a_sentence(model):
    [score] = model.score([CommentInput("Thank you. Could you share the code?")])
    assert '"you could"' not in score.reasons  # the model's feature, but not what was written
    labels = every_label(model, "Thank you. Could you share the code? It's e-mail only")
    assert not {'"you could"', '"code it"', '"s e"', '"e mail"'} & set(labels)
    assert {'"thank you"', '"it\'s"', '"e-mail"', '"it\'s e-mail"'} <= set(labels)


def test_a_contraction_of_function_words_says_as_little_as_they_do():
    assert top({'"it\'s"': -2.0, '"song"': -1.0, '"is it"': -0.5}, 5, toward_spam=False) == [
        '"song"', '"is it"']


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=60))
def test_word_grams_are_the_vectorisers_own(text):
    hasher = HashingVectorizer(ngram_range=(1, 2), token_pattern=WORD_PATTERN)
    word_grams = WordGrams(hasher)
    assert word_grams(word_grams.lowercase(text)).grams == hasher.build_analyzer()(text)


def every_word_label(text: str) -> dict[str, float]:
    """The labels of ``text``'s word n-grams when each of them weighs 1, whatever a model
    learnt: every phrase the crediting can make is there."""
    hasher = HashingVectorizer(ngram_range=(1, 2), token_pattern=WORD_PATTERN, n_features=2**18)
    word_grams = WordGrams(hasher)
    reading = reasons.read(word_grams.lowercase(text))
    columns = np.unique([reasons.gram_hash(gram) % 2**18 for gram in word_grams(reading.text).grams])
    block = reasons.Block(np.zeros(len(columns), dtype=np.int64), columns, np.ones(len(columns)))
    weights = reasons.new_weights(1)
    reasons.word_weights([reading], word_grams, block, reasons.gram_hash, weights)
    reasons.piece_weights([reading], weights)
    return dict(weights[0])


def test_no_phrase_spans_a_token_between_its_words():
    # the word block's bigram "them 253" has a weight; "them. 😢 (253" is no phrase (this
    # stopped the worker: the emoji between them has no label of its own)
    labels = every_word_label("Tell my family I loved them. 😢 (253)")
    assert '"loved them"' in labels and '"253"' in labels
    assert not any("them" in label and "253" in label for label in labels)


PIECES = ["word", "it's", "e-mail", ".", ",", "(", ")", "😢", "日本語", "で", "100",
          "http://x.example/a", "www.long-address-for-a-test.example/path", "a" * 30]


@settings(max_examples=150, deadline=None)
@given(pieces=st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", ". ", " - "])),
                       max_size=12))
def test_any_mix_of_words_links_and_scripts_gets_readable_labels(pieces):
    labels = every_word_label("".join(piece + separator for piece, separator in pieces))
    for label in labels:
        quoted = label[1:-1]
        assert label.startswith('"') and quoted.strip() == quoted and quoted, labels
        assert len(quoted) <= 20 and ". " not in quoted and " - " not in quoted, labels
