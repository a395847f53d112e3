import pytest

from classifier import normalize
from classifier.datasets import CommentInput
from classifier.features import model_input
from classifier.text import MAX_BODY_CHARS, clean, find_links, signal_tokens, sort_links


def signals(body: str, homepage: str = "", page: str = "") -> list[str]:
    """Signals of a raw body, cleaned first as `model_input` does."""
    return signal_tokens(clean(body), homepage, page)


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
    tokens = signals("CHECK OUT MY CHANNEL www.a.com and http://b.net!!!!", "http://me.org")
    assert {"__link__", "__links_2__", "__homepage__", "__caps_high__", "__repeat__"} <= set(tokens)
    assert signals("hello there") == ["__no_signal__"]


@pytest.mark.parametrize("body, promo", [
    ("Check out my channel!", True),
    ("check this out: a new track", True),
    ("ｓｕｂｓｃｒｉｂｅ ｔｏ ｍｅ", True),  # full-width look-alikes fold first
    ("Please come see our new video", True),
    ("follow me @someone", True),
    ("Just click on my picture", True),
    ("I'm writing about one at the moment, subscribe to hear it", True),
    ("click the picture to enlarge it", False),
    ("私のチャンネルも見てください！チャンネル登録お願いします！", True),  # no spaces, no \b
    ("ﾁｬﾝﾈﾙ登録お願いします", True),  # half-width katakana folds first
    ("このチャンネルの動画はいつも参考になります", False),
    ("副業で月収100万円！詳しくはプロフィールを見てください", True),  # "see my profile"
    ("僕のブログで詳しく書いています", True),
    ("プロフ見てね", True),
    ("プロフィール写真が素敵ですね", False),  # a profile, not an invitation to it
    ("Suscríbete a mi canal por favor", True),
    ("los invito a subscribirse a mi canal", True),
    ("Inscreva-se no meu canal", True),
    ("Abonnez-vous à ma chaîne", True),
    ("Schaut euch mein neues Video an", True),
    ("síganme en twitter", True),
    ("Es mi video favorito de Shakira", False),  # the adjective follows: a fan's "my favourite"
    ("C'est ma chaîne préférée", False),
    ("Shakira es mi canción", False),
    ("sigue siendo la mejor canción", False),
    ("ojalá que me siga gustando", False),  # Spanish "keep on liking", not Portuguese "follow me"
    ("me sigam no instagram", True),
    ("just came to check the view count", False),  # "check" alone is no invitation
    ("my favourite part is 2:19", False),
    ("checkout is broken", False),
])
def test_self_promotion_phrases_are_one_signal(body, promo):
    assert ("__promo__" in signals(body)) is promo


@pytest.mark.parametrize("body, signal", [
    ("Like this comment if you still jam out to this song", "__engagement__"),
    ("GUYS SHARE THIS VIDEO!!!!! Share on Facebook", "__engagement__"),
    ("ｐｌｚ ｓｈａｒｅ to vote!!", "__engagement__"),  # full-width look-alikes fold first
    ("give it a like", "__engagement__"),
    ("Thanks, and thumbs up so others may see?", "__engagement__"),
    ("like this so more people can see it", "__engagement__"),
    ("Thumbs up if you're watching in 2015", "__poll__"),  # labelled either way: its own signal
    ("like if you came to see the views", "__poll__"),
    ("Dale like a este comentario si te gusta", "__engagement__"),
    ("Deixem um like no comentário", "__engagement__"),
    ("Compartan este video", "__engagement__"),
    ("para que todos lo vean", "__engagement__"),
    ("like si la escuchas en 2015", "__poll__"),
    ("Curte se você está ouvindo em 2015", "__poll__"),
    ("me gusta el video", None),
    ("para que todos bailen", None),
    ("I like this for the beat", None),
    ("Finally someone shares the same opinion", None),
    ("thumbs up, great song", None),
])
def test_engagement_bait_and_thumbs_up_polls_are_signals_apart(body, signal):
    found = {"__engagement__", "__poll__"} & set(signals(body))
    assert found == ({signal} if signal else set())


@pytest.mark.parametrize("body, hidden", [
    ("marketglory . com/strategygame/andrijamatf earn real money", True),
    ("visit gonintendo(dot)com/?mod=1", True),
    ("Hack facebook account, visit : FreeHackingTools24DOTcom", True),
    ("Please see and share: W W W. THE FARRELL REPORT. NET", True),
    ("do vote daily: tv.  mtvema. com/vote", True),
    ("ｍａｒｋｅｔｇｌｏｒｙ ． ｃｏｍ", True),  # full-width look-alikes fold first
    ("visit www.example.com now", False),  # a plain link is a link, not a disguised one
    ("the dot com bubble", False),
    ("Its normally hot mail. Com you see", False),  # a sentence's next word
    ("3.5 out of 10. Net result: fine", False),
])
def test_disguised_links_are_a_signal(body, hidden):
    assert ("__hidden_link__" in signals(body)) is hidden


def test_long_bodies_are_truncated_for_the_model():
    rows = model_input([CommentInput(body="spam " * 20000)])
    assert len(rows[0, 0]) <= MAX_BODY_CHARS


@pytest.mark.parametrize("link, page, expected", [
    ("http://youtu.be/9bZkp7q19f0", "https://www.youtube.com/watch?v=9bZkp7q19f0", True),
    ("http://www.youtube.com/watch?v=KQ6zr6kCPj8&t=2m19s", "KQ6zr6kCPj8", False),  # no id form
    ("http://www.youtube.com/watch?v=KQ6zr6kCPj8&t=2m19s", "youtu.be/KQ6zr6kCPj8", True),
    # on YouTube the site is every spammer's site: only the video itself counts
    ("http://youtu.be/aaaaaaaaaaa", "https://www.youtube.com/watch?v=9bZkp7q19f0", False),
    ("https://www.youtube.com/", "https://www.youtube.com/watch?v=9bZkp7q19f0", False),
    ("https://blog.example/2026/11/async/", "/2026/11/async", False),  # no host: no page
    ("https://www.blog.example/2026/11/async#c3", "https://blog.example/2026/11/async", True),
    # on a blog, the owner's other posts and home page are the owner's, not promotion
    ("https://blog.example/2026/11/other", "https://blog.example/2026/11/async", True),
    ("BLOG.example/about", "https://www.blog.example/2026/11/async", True),
    ("https://blog.example/", "https://blog.example/", True),
    ("https://spam.example/2026/11/async", "https://blog.example/2026/11/async", False),
    ("https://blog.example.spam.example/x", "https://blog.example/2026/11/async", False),
    ("https://spam.example/?u=blog.example", "https://blog.example/2026/11/async", False),
])
def test_links_to_the_page_itself_or_its_site(link, page, expected):
    assert sort_links([link], page) == ([] if expected else [link], expected, False)


@pytest.mark.parametrize("link, reference", [
    ("https://en.wikipedia.org/wiki/Write-ahead_logging", True),
    ("ja.wikipedia.org/wiki/先行書き込みログ", True),
    ("https://github.com/pallets/flask/issues/5000", True),
    ("https://docs.python.org/3/library/sqlite3.html", True),
    ("https://stackoverflow.com/questions/1", True),
    ("https://www.nih.gov/health", True),
    ("https://www.u-tokyo.ac.jp/ja/", True),
    ("https://www.gov.uk/browse", True),
    ("staff.science.nus.edu.sg/~phyhcmk/teaching/pc1323", True),
    ("https://www.rfc-editor.org/rfc/rfc9110", True),
    # look-alikes and free hosting are not reference sites
    ("https://notgithub.com/x", False),
    ("https://github.com.evil.example/x", False),
    ("wikipedia.org.spam.example/x", False),
    ("https://someone.github.io/landing", False),
    ("https://free-money.blogspot.com/", False),
    ("http://bit.ly/3xYzAbc", False),
    ("https://wikipedia.org-free.example/x", False),
    ("https://apps.apple.com/app/free-coins/id123", False),
    ("https://developer.apple.com/documentation/swift", True),
])
def test_links_to_reference_sites_are_counted_apart(link, reference):
    assert find_links(f"see {link} for more") == [link]
    assert sort_links([link], "") == ([] if reference else [link], False, reference)
    tokens = signals(f"see {link} for more")
    assert ("__ref_link__" in tokens) is reference
    assert ("__link__" in tokens) is not reference


def test_a_reference_link_beside_a_promotion_link_still_counts_the_promotion():
    tokens = signals("as https://en.wikipedia.org/wiki/Spam says, buy at http://pills.example/x")
    assert {"__ref_link__", "__link__", "__links_1__"} <= set(tokens)


def test_a_link_to_the_page_is_not_counted_as_a_link():
    body = "best part <a href='http://www.youtube.com/watch?v=KQ6zr6kCPj8&amp;t=2m19s'>2:19</a>"
    assert signals(body, page="https://youtu.be/KQ6zr6kCPj8") == ["__page_link__"]
    assert "__link__" in signals(body)
    mixed = signals(body + " and http://spam.example", page="https://youtu.be/KQ6zr6kCPj8")
    assert "__page_link__" in mixed and "__links_1__" in mixed


def test_links_without_a_known_tld_need_a_path_and_youtube_relative_links_count():
    assert find_links("She loves Vena. trojmiasto.pl/Vena-Bus-Taxi-o59253.html") \
        == ["trojmiasto.pl/Vena-Bus-Taxi-o59253.html"]
    assert find_links("my new song: /watch?v=w6gkM-XNY2M enjoy") == ["/watch?v=w6gkM-XNY2M"]
    assert "__video_link__" in signals("my new song: /watch?v=w6gkM-XNY2M enjoy")
    assert find_links("ok me.i see you, 1.5/10, and/or e.g. it") == []


@pytest.mark.parametrize("body, email, links", [
    ("Email me at john.smith@example.com if you want the data", True, []),
    ("mailto:info@ringtoneking.co.uk or www.ringtoneking.co.uk", True, ["www.ringtoneking.co.uk"]),
    # credentials in a URL hide where it goes: a link, not an email address
    ("https://paypal.com@evil.example/login", False, ["https://paypal.com@evil.example/login"]),
    ("ask @someone on twitter", False, []),
])
def test_an_email_address_is_its_own_signal_not_a_link(body, email, links):
    assert find_links(clean(body)) == links
    tokens = signals(body)
    assert ("__email__" in tokens) is email
    assert ("__link__" in tokens) is bool(links)


@pytest.mark.parametrize("body, money", [
    ("I earn $5000 a month", True),
    ("副業で月収100万円！", True),
    ("価格は ¥3,000 です", True),
    ("₹500 only", True),
    ("円周率は3.14です", False),
    ("10 cents of difference", False),
])
def test_money_amounts_in_any_currency(body, money):
    assert ("__money__" in signals(body)) is money
