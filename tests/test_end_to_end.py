"""The whole path with real processes: modq serve (gunicorn) and modq worker, over HTTP."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from processes import free_port, http, modq_env, start_modq, stop, wait_until

JAPANESE = "はじめまして、山田です。\r\n記事の「非同期処理」の説明がとても分かりやすかったです🙏 ｶﾀｶﾅ・ＡＢＣ"


@pytest.fixture
def running_modq(scoring_settings, tmp_path):
    port = free_port()
    env = modq_env(scoring_settings)
    log = tmp_path / "modq.log"
    server = start_modq(["serve", "--port", str(port), "--workers", "2"], env, log)
    worker = start_modq(["worker"], env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http("GET", f"{base}/healthz")[0] == 200, timeout=30)
        yield base
    finally:
        stop(server)
        stop(worker)
        print(log.read_text(errors="replace")[-3000:])


def test_a_japanese_form_post_is_scored_approved_and_published_exactly(running_modq):
    base = running_modq
    owner = {"Authorization": "Bearer test-owner-token-0123456789"}
    form = urlencode({"name": "山田 太郎", "email": "taro@example.jp", "homepage": "https://taro.example.jp/",
                      "body": JAPANESE, "post": "/2026/11/async"}, encoding="utf-8").encode()
    status, _, created = http("POST", f"{base}/api/v1/comments", form,
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 202 and created["status"] == "received"

    def scored():
        _, _, comment = http("GET", f"{base}/api/v1/review/{created['id']}", headers=owner)
        return comment if comment["status"] != "received" else None

    comment = wait_until(scored, timeout=60)
    assert comment["status"] == "review"
    assert 0 <= comment["spam_score"] <= 1 and comment["model_version"]
    status, _, listed = http("GET", f"{base}/api/v1/review", headers=owner)
    assert created["id"] in [item["id"] for item in listed["items"]]

    status, _, approved = http("POST", f"{base}/api/v1/review/{created['id']}/approve", b"", owner)
    assert status == 200 and approved["status"] == "approved"
    status, _, public = http("GET", f"{base}/api/v1/comments?post=%2F2026%2F11%2Fasync")
    assert status == 200
    [shown] = public["comments"]
    assert shown["body"] == JAPANESE and shown["body"].encode("utf-8") == JAPANESE.encode("utf-8")
    assert shown["name"] == "山田 太郎"
    assert "email" not in shown and "spam_score" not in shown


def test_serve_refuses_to_start_without_an_owner_token(scoring_settings, tmp_path):
    import subprocess
    import sys

    env = modq_env(scoring_settings)
    del env["MODQ_OWNER_TOKEN"]
    result = subprocess.run([sys.executable, "-m", "service.cli", "serve"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "MODQ_OWNER_TOKEN" in result.stderr
