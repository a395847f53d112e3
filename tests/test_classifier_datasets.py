from collections import Counter

import pytest

from classifier import DatasetError, LabelledComment, load_file, shipped_corpora


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_youtube_csv_with_author_multiline_and_bom(tmp_path):
    path = write(tmp_path, "yt.csv", "\ufeffCOMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"
                 'a,Jane,2015,"Hello<br />\nworld",0\nb,Spammer,,check my channel,1\n')
    rows = load_file(path)
    assert rows == [
        LabelledComment(body="Hello<br />\nworld", name="Jane", label=0, source="file:yt.csv"),
        LabelledComment(body="check my channel", name="Spammer", label=1, source="file:yt.csv"),
    ]


def test_pilot_csv_uses_tag_column(tmp_path):
    path = write(tmp_path, "p.csv", "COMMENT_ID,CONTENT,TAG\nx,buy now,1\ny,nice,0\n")
    assert [r.label for r in load_file(path)] == [1, 0]


def test_sms_tsv_keeps_quotes_and_tabs_in_text(tmp_path):
    path = write(tmp_path, "sms", 'ham\tHe said "hi\nspam\tWIN\tnow\n')
    rows = load_file(path, source="sms")
    assert [(r.label, r.body, r.source) for r in rows] == [(0, 'He said "hi', "sms"),
                                                          (1, "WIN\tnow", "sms")]


def test_plain_csv_with_optional_fields(tmp_path):
    path = write(tmp_path, "own.csv", "body,label,name,email,homepage\n"
                 "nice post,ham,Ann,a@x.org,\nbuy pills,spam,Bob,,http://x.com\n")
    rows = load_file(path)
    assert rows[1] == LabelledComment(body="buy pills", name="Bob", homepage="http://x.com",
                                      label=1, source="file:own.csv")
    assert rows[0].email == "a@x.org"


def test_bad_label_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.csv", "body,label\nok,ham\nhmm,maybe\n")
    with pytest.raises(DatasetError, match=r"bad\.csv, line 3: label 'maybe'"):
        load_file(path)


def test_unknown_columns_are_refused(tmp_path):
    with pytest.raises(DatasetError, match="unknown columns"):
        load_file(write(tmp_path, "x.csv", "text,spam\nhello,1\n"))


def test_non_utf8_and_missing_files_are_clear_errors(tmp_path):
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_file(write(tmp_path, "latin.csv", "body,label\ncafé,ham\n", encoding="latin-1"))
    with pytest.raises(DatasetError, match="not found"):
        load_file(tmp_path / "missing.csv")
    with pytest.raises(DatasetError, match="empty"):
        load_file(write(tmp_path, "empty.csv", ""))


def test_shipped_corpora_counts_match_the_readmes():
    counts = Counter((e.source, e.label) for e in shipped_corpora())
    assert counts[("youtube:Youtube01-Psy", 1)] == 175
    assert counts[("youtube:Youtube04-Eminem", 0)] == 203
    assert counts[("sms", 1)] == 598 and counts[("sms", 0)] == 3862
    assert counts[("pilot:PlayStation4_x7QhUL8NUK4", 1)] == 20
    assert not any(e.source.startswith("pilot:") for e in shipped_corpora(include_pilot=False))


def test_youtube_files_know_their_video_and_sms_files_their_channel(tmp_path):
    header = "COMMENT_ID,CONTENT,CLASS\nx,nice,0\n"
    assert load_file(write(tmp_path, "Youtube05-Shakira.csv", header))[0].page \
        == "https://www.youtube.com/watch?v=pRpeEdMmmQ0"
    assert load_file(write(tmp_path, "PlayStation4_x7QhUL8NUK4.csv", header))[0].page \
        == "https://www.youtube.com/watch?v=x7QhUL8NUK4"
    assert load_file(write(tmp_path, "comments.csv", header))[0].page == ""
    [sms] = load_file(write(tmp_path, "msgs", "spam\tWIN now\n"))
    assert (sms.channel, load_file(write(tmp_path, "c.csv", header))[0].channel) == ("sms", "comment")
    own = load_file(write(tmp_path, "own.csv", "body,label,post\nsee /a/b,ham,/a/b\n"))
    assert own[0].page == "/a/b"


def test_other_common_column_names_and_the_kaggle_sms_csv(tmp_path):
    [row] = load_file(write(tmp_path, "a.csv", "text,label\nbuy now,spam\n"))
    assert (row.body, row.label, row.channel) == ("buy now", 1, "comment")
    kaggle = load_file(write(tmp_path, "spam.csv", "v1,v2,,,\nspam,WIN now,,,\nham,ok,,,\n"))
    assert [(r.label, r.body, r.channel) for r in kaggle] == [(1, "WIN now", "sms"), (0, "ok", "sms")]
    tagged = load_file(write(tmp_path, "b.csv", "message,class,channel\nhi there,0,sms\n"))
    assert tagged[0].channel == "sms"


@pytest.mark.parametrize("name, text", [
    ("header.csv", "body,label\n"), ("youtube.csv", "COMMENT_ID,CONTENT,CLASS\n\n"),
    ("header.tsv", "label\ttext\n"),
])
def test_a_file_with_only_a_header_is_refused_naming_it(tmp_path, name, text):
    with pytest.raises(DatasetError, match=rf"{name}: no labelled rows"):
        load_file(write(tmp_path, name, text))


def test_an_unclosed_quote_is_malformed_csv_at_the_line_it_opens(tmp_path):
    path = write(tmp_path, "quote.csv", 'body,label\nok,ham\n\n"never closed,spam\nnext,ham\n')
    expected = r"quote\.csv, line 4: malformed CSV \(a quoted field is never closed\)"
    with pytest.raises(DatasetError, match=expected):
        load_file(path)


def test_rows_are_numbered_by_the_line_they_start_on(tmp_path):
    path = write(tmp_path, "multi.csv", 'body,label\nok,ham\n\n"two\nlines",maybe\n')
    with pytest.raises(DatasetError, match=r"multi\.csv, line 4: label 'maybe'"):
        load_file(path)


def test_sms_tsv_may_have_a_label_text_header(tmp_path):
    rows = load_file(write(tmp_path, "labelled.tsv", "label\ttext\nspam\tWIN now\nham\tok\n"))
    assert [(r.label, r.body, r.channel) for r in rows] == [(1, "WIN now", "sms"), (0, "ok", "sms")]


def test_renamed_copies_of_collection_files_keep_their_video(tmp_path):
    header = "COMMENT_ID,CONTENT,CLASS\nx,nice,0\n"
    for name in ("Youtube05-Shakira (1).csv", "youtube05-shakira_copy.csv"):
        assert load_file(write(tmp_path, name, header))[0].page \
            == "https://www.youtube.com/watch?v=pRpeEdMmmQ0"
    assert load_file(write(tmp_path, "Youtube05-Shakira2.csv", header))[0].page == ""


def test_non_utf8_file_error_says_how_to_convert_it(tmp_path):
    path = write(tmp_path, "spam.csv", "v1,v2\nham,café\n", encoding="latin-1")
    expected = r"not UTF-8 .*: iconv -f latin1 -t utf-8 .*spam\.csv > .*spam\.csv\.utf8"
    with pytest.raises(DatasetError, match=expected):
        load_file(path)
