"""The owner's loop in a real browser: the example blog, real ``modq serve`` and ``modq worker``.

The blog is served from its own port, so it is another origin than modq (as a real blog
is), and MODQ_ALLOWED_ORIGINS names it. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from conftest import OWNER_TOKEN
from playwright.sync_api import Page, expect

from processes import free_port, http, modq_env, start_modq, stop, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
POST = "/2026/11/async"
OWNER = {"Authorization": f"Bearer {OWNER_TOKEN}"}
JAPANESE = ("はじめまして、山田です。\n記事の「非同期処理」の説明がとても分かりやすかったです🙏\n"
            "  ｶﾀｶﾅ・ＡＢＣ <b>太字</b>")
SPAM = ("CHECK OUT MY CHANNEL!!! free iphone giveaway, subscribe and click http://bit.ly/fr33 "
        "to win $1000 cash now http://bit.ly/fr33")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


@dataclass(frozen=True)
class Stack:
    modq: str
    blog: str

    def comments(self, **query: str) -> list[dict]:
        """The owner's view of comments, through the review API (not the page under test)."""
        _, _, listed = http("GET", f"{self.modq}/api/v1/review?{urlencode(query)}", headers=OWNER)
        return listed["items"]

    def wait_for(self, status: str, name: str) -> dict:
        def found():
            return [c for c in self.comments(status=status, post=POST) if c["name"] == name]

        return wait_until(found, timeout=60)[0]


def serve_blog(source: Path, target: Path, modq: str, port: int) -> ThreadingHTTPServer:
    """The example blog, pointed at this test's modq, from its own local HTTP server."""
    shutil.copytree(source, target)
    page = target / "index.html"
    page.write_text(page.read_text().replace("http://127.0.0.1:8000", modq)
                    .replace("http://127.0.0.1:8080", f"http://127.0.0.1:{port}"))
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(target)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def stack(scoring_settings, tmp_path) -> Iterator[Stack]:
    blog_port, modq_port = free_port(), free_port()
    blog, modq = f"http://127.0.0.1:{blog_port}", f"http://127.0.0.1:{modq_port}"
    settings = replace(scoring_settings, allowed_origins=(blog,))
    env, log = modq_env(settings), tmp_path / "modq.log"
    server = start_modq(["serve", "--port", str(modq_port), "--workers", "2"], env, log)
    worker = start_modq(["worker"], env, log)
    blog_server = serve_blog(ROOT / "examples" / "blog", tmp_path / "blog", modq, blog_port)
    try:
        wait_until(lambda: http("GET", f"{modq}/healthz")[0] == 200, timeout=30)
        yield Stack(modq, blog)
    finally:
        blog_server.shutdown()
        stop(server)
        stop(worker)
        print(log.read_text(errors="replace")[-3000:])


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def comment_on_blog(page: Page, stack: Stack, name: str, body: str, homepage: str = "") -> None:
    page.goto(f"{stack.blog}/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill("taro@example.jp")
    page.get_by_label("Homepage").fill(homepage)
    page.get_by_label("Comment").fill(body)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"{stack.blog}/#comment-sent")
    expect(page.locator("#comment-sent")).to_be_visible()


def sign_in(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.modq}/review")
    page.get_by_label("Owner token").fill(OWNER_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.modq}/review")


def submit_api(stack: Stack, name: str, body: str) -> None:
    form = urlencode({"name": name, "email": "x@example.com", "body": body, "post": POST}).encode()
    status, _, _ = http("POST", f"{stack.modq}/api/v1/comments", form,
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 202


def test_a_japanese_comment_goes_from_the_blog_through_review_back_to_the_blog(page: Page, stack):
    errors: list[str] = []  # a CSP violation or a script error shows up here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    comment_on_blog(page, stack, "山田 太郎", JAPANESE, "https://taro.example.jp/")
    expect(page.locator("#comment-list")).to_contain_text("No comments yet")
    submit_api(stack, "Kenji", "Thanks, the part about retries and idempotent jobs was really useful.")
    ours = stack.wait_for("review", "山田 太郎")
    wait_until(lambda: not stack.comments(status="received"), timeout=60)  # Kenji's is scored too
    assert ours["body"] == JAPANESE.replace("\n", "\r\n")  # what a browser sends from a textarea

    sign_in(page, stack)
    card = page.locator(f"#c-{ours['id']}")
    expect(card.locator(".body")).to_have_text(JAPANESE)
    assert card.locator(".body").inner_text() == JAPANESE
    expect(card.locator(".score-text")).to_have_text(f"{round(ours['spam_score'] * 100)}% spam")
    expect(card.locator(".homepage")).to_have_attribute("rel", "nofollow ugc noopener")
    expect(page.locator("#keys")).to_be_visible()
    shot(page, "review-queue.png")
    for _ in range(2):  # j moves down until our comment is the current one
        if "current" in (card.get_attribute("class") or ""):
            break
        page.keyboard.press("j")
    expect(card).to_have_class("comment current")
    page.keyboard.press("a")
    expect(card).to_have_count(0)
    expect(page.locator('[data-count="approved"]')).to_have_text("1")
    assert stack.wait_for("approved", "山田 太郎")["id"] == ours["id"]

    page.goto(f"{stack.blog}/")
    shown = page.locator(f"#comment-{ours['id']}")
    expect(shown.locator(".text")).to_have_text(JAPANESE)
    expect(shown.locator("a.name")).to_have_text("山田 太郎")
    assert shown.locator(".text").inner_text() == ours["body"]  # the stored text, to the byte
    shot(page, "blog.png")
    assert errors == []


def test_a_spammy_comment_lands_in_spam_and_not_spam_moves_it_to_the_queue(page: Page, stack):
    submit_api(stack, "Free Prizes", SPAM)
    spam = stack.wait_for("spam", "Free Prizes")
    sign_in(page, stack)
    expect(page.locator('[data-count="spam"]')).to_have_text("1")
    page.get_by_role("link", name="Spam").click()
    card = page.locator(f"#c-{spam['id']}")
    expect(card.locator(".score-text")).to_contain_text("% spam")
    expect(card.locator(".reasons li").first).to_be_visible()
    shot(page, "review-spam.png")
    card.get_by_role("button", name="Not spam").click()
    expect(card).to_have_count(0)
    expect(page.locator('[data-count="review"]')).to_have_text("1")
    expect(page.locator('[data-count="spam"]')).to_have_text("0")
    page.get_by_role("link", name="Queue").click()
    expect(page.locator(f"#c-{spam['id']}")).to_be_visible()
    assert stack.wait_for("review", "Free Prizes")["decision"] == "ham"


def test_forged_posts_are_refused_and_script_is_shown_as_text(page: Page, stack):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    name, body = "<script>alert(1)</script>", '<img src=x onerror="alert(2)"><script>alert(3)</script>'
    comment_on_blog(page, stack, name, body)
    target = stack.wait_for("review", name)
    sign_in(page, stack)
    card = page.locator(f"#c-{target['id']}")
    expect(card.locator(".name")).to_have_text(name)
    expect(card.locator(".body")).to_have_text(body)

    approve = f"{stack.modq}/review/{target['id']}/approve"
    no_token = page.evaluate("url => fetch(url, {method: 'POST'}).then(r => r.status)", approve)
    assert no_token == 400
    token = page.locator("#bulk input[name=csrf_token]").input_value()
    page.goto(f"{stack.blog}/")  # another origin of the same host: SameSite does not separate it
    with page.expect_navigation() as forged:
        page.evaluate("""([url, token]) => {
            const form = Object.assign(document.createElement('form'), {method: 'post', action: url});
            form.append(Object.assign(document.createElement('input'), {name: 'csrf_token', value: token}));
            document.body.append(form);
            form.submit();
        }""", [approve, token])
    assert forged.value.status == 403
    assert stack.wait_for("review", name)["id"] == target["id"]

    page.goto(f"{stack.modq}/review?q={quote('<script>')}")
    with page.expect_navigation():  # the last comment on the page: the script loads the next ones
        page.locator(f"#c-{target['id']}").get_by_role("button", name="Approve").click()
    expect(page.locator(".empty")).to_have_text("No comments match.")
    stack.wait_for("approved", name)
    page.goto(f"{stack.blog}/")
    shown = page.locator(f"#comment-{target['id']}")
    expect(shown.locator(".name")).to_have_text(name)
    expect(shown.locator(".text")).to_have_text(body)
    assert dialogs == []


def test_the_review_page_fits_a_phone_and_bulk_approves(page: Page, stack):
    submit_api(stack, "佐藤 花子", "とても参考になりました。\n次の記事も楽しみにしています！")
    stack.wait_for("review", "佐藤 花子")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, stack)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
    expect(page.get_by_role("button", name="Approve").first).to_be_visible()
    shot(page, "review-phone.png")
    page.get_by_label("All on this page").check()
    page.locator("#bulk").get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-done")).to_have_text("Approved: 1 comment.")
    assert stack.wait_for("approved", "佐藤 花子")["decision"] == "approve"
