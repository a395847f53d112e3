"""What reasons call the pieces of a comment: words as written, links by address, and
Japanese by its runs of one script, never longer than a glance."""

import pytest

from classifier.labels import WIDTH, Shown, address, runs, shortened, shown


def labels_of(token: str) -> list[str]:
    return [label for _, _, label in runs(token)]


def test_a_long_link_is_shown_by_its_host_not_by_its_pieces():
    assert shown("https://docs.python.org/3/library/re.html") == Shown('"docs.python.org/…"', True)
    assert shown("(http://www.supercheapsubscribers.example/offer).") == Shown(
        '"supercheapsubscribe…"', True)


def test_a_short_link_is_shown_whole_without_scheme_or_www():
    assert address("http://www.bit.ly/abc") == "bit.ly/abc"
    assert shown("youtube.com/watch?v=dQw4w9WgXcQ,") == Shown('"youtube.com/…"', True)


def test_a_long_word_is_cut_readably():
    assert shown("subscribeeeeeeeeeeeeeeeeeeeeeeee!!!") == Shown('"subscribeeeeeeeeeee…"', False)
    assert shown("thanks!") == Shown('"thanks"', False)


@pytest.mark.parametrize("text", ["a" * 40, "参考にします" * 5, "mixed日本語text" * 3])
def test_a_label_fits_the_width_a_cjk_character_taking_two(text):
    cut = shortened(text)
    assert cut.endswith("…") and text.startswith(cut[:-1])
    assert sum(2 if "\u3000" <= ch <= "\u9fff" else 1 for ch in cut) <= WIDTH


def test_unsegmented_script_is_shown_by_its_runs_of_one_script():
    assert shown("副業で月収100万円!詳しくはプロフィールを見てください") == Shown(None, False)
    # the kana "で" and "を" alone name nothing; "100" is the text's own digits, not "000"
    assert labels_of("副業で月収100万円!詳しくはプロフィールを見てください") == [
        '"副業"', '"月収"', '"100"', '"万円"', '"詳"', '"しくは"', '"プロフィール"', '"見"',
        '"てください"']
    assert labels_of("素敵な記事でした!写真もとても綺麗で、参考にします。") == [
        '"素敵"', '"記事"', '"でした"', '"写真"', '"もとても"', '"綺麗"', '"参考"', '"にします"']
    assert labels_of("人々とline友達") == ['"人々"', '"line"', '"友達"']


def test_a_run_without_script_changes_is_cut_to_the_width():
    assert labels_of("这个视频太好看了我每天都看") == ['"这个视频太好看了我…"']
