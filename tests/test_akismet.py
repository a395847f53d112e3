"""Akismet compatibility, driven by the real ``akismet`` client library (25.x).

The client has no base-URL setting, but takes an httpx client: one whose transport is
modq's WSGI app, so every request the library builds reaches modq unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import akismet
import httpx
import pytest

from processes import modq_env
from service import create_app
from service.settings import Settings
from service.storage import Status, owner_labelled

SPAM = "CHECK OUT MY CHANNEL!!! subscribe to me http://free-money.example.com win $1000 now click here"
HAM = "I really liked the part about the migration, thanks for writing it up."
KEY = "akismet-key-for-tests"
BLOG = "https://blog.example"


@pytest.fixture
def akismet_app(scoring_settings):
    app = create_app(replace(scoring_settings, akismet_key=KEY), {"TESTING": True})
    yield app
    app.extensions["modq.engine"].dispose()


def client_for(app, key: str = KEY) -> akismet.SyncClient:
    http = httpx.Client(transport=httpx.WSGITransport(app=app), headers={"User-Agent": akismet.USER_AGENT})
    return akismet.SyncClient(config=akismet.Config(key=key, url=BLOG), http_client=http)


def test_the_client_verifies_the_key(akismet_app):
    assert client_for(akismet_app).verify_key() is True
    assert client_for(akismet_app, "wrong-key").verify_key() is False
    with pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(config=akismet.Config(key="wrong", url=BLOG),
                                            http_client=client_for(akismet_app)._http_client)


def test_comment_check_answers_spam_and_ham_and_stores_nothing(akismet_app):
    client = client_for(akismet_app)
    spam = client.comment_check("198.51.100.7", comment_content=SPAM, comment_type="comment",
                                comment_author="Winner", comment_author_url="http://free-money.example.com")
    ham = client.comment_check("198.51.100.8", comment_content=HAM, comment_type="comment",
                               comment_author="Mika", comment_author_email="mika@example.jp",
                               permalink=f"{BLOG}/2026/async")
    assert spam in (akismet.CheckResponse.SPAM, akismet.CheckResponse.DISCARD)
    assert ham == akismet.CheckResponse.HAM
    counts = akismet_app.test_client().get("/api/v1/review?status=received", headers={
        "Authorization": f"Bearer {akismet_app.config['MODQ_SETTINGS'].owner_token}"}).get_json()["counts"]
    assert sum(counts.values()) == 0


def test_near_certain_spam_carries_the_discard_tip(akismet_app):
    response = akismet_app.test_client().post("/1.1/comment-check", data={
        "api_key": KEY, "blog": BLOG, "user_ip": "198.51.100.7", "comment_content": SPAM * 3,
        "comment_author_url": "http://free-money.example.com"})
    assert response.get_data(as_text=True) == "true" and response.mimetype == "text/plain"
    assert response.headers["X-akismet-pro-tip"] == "discard"


def test_submit_spam_and_ham_become_training_labels_once(akismet_app):
    client = client_for(akismet_app)
    fields = {"comment_content": HAM, "comment_author": "Mika", "comment_author_email": "mika@example.jp",
              "permalink": f"{BLOG}/2026/async"}
    assert client.submit_spam("198.51.100.7", comment_content=SPAM, comment_author="Winner") is True
    assert client.submit_spam("198.51.100.8", **fields) is True
    assert client.submit_ham("198.51.100.8", **fields) is True  # changed its mind: one row, ham
    labels = {(label.body, label.label) for label in owner_labelled(akismet_app.extensions["modq.engine"])}
    assert labels == {(SPAM, 1), (HAM, 0)}
    owner = {"Authorization": f"Bearer {akismet_app.config['MODQ_SETTINGS'].owner_token}"}
    approved = akismet_app.test_client().get("/api/v1/review?status=approved", headers=owner).get_json()
    [item] = approved["items"]
    assert item["post"] == f"{BLOG}/2026/async" and item["status"] == Status.APPROVED


def test_a_wrong_key_is_answered_as_akismet_does(akismet_app):
    response = akismet_app.test_client().post("/1.1/comment-check", data={
        "api_key": "wrong", "blog": BLOG, "user_ip": "198.51.100.7", "comment_content": HAM})
    assert response.status_code == 200 and response.get_data(as_text=True) == "invalid"
    assert response.headers["X-akismet-debug-help"]
    with pytest.raises(akismet.APIKeyError):
        client_for(akismet_app, "wrong").submit_spam("198.51.100.7", comment_content=SPAM)


def test_the_key_may_be_the_leading_host_label(akismet_app):
    response = akismet_app.test_client().post(
        "/1.1/comment-check", base_url=f"http://{KEY}.modq.example.com",
        data={"blog": BLOG, "user_ip": "198.51.100.7", "comment_content": HAM})
    assert response.get_data(as_text=True) == "false"


def test_the_owner_token_is_the_key_when_none_is_set(scoring_settings):
    app = create_app(scoring_settings)
    token = scoring_settings.owner_token
    assert app.test_client().post("/1.1/verify-key", data={"key": token, "blog": BLOG}).data == b"valid"


def test_a_missing_user_ip_is_named(akismet_app):
    response = akismet_app.test_client().post("/1.1/comment-check", data={
        "api_key": KEY, "blog": BLOG, "comment_content": HAM})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "Missing required field: user_ip."


def test_the_web_side_loads_scikit_learn_only_on_the_first_akismet_call(model_dir, tmp_path):
    """Once, on SQLite: the import behaviour does not depend on the database."""
    scoring_settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}",
                                redis_url="redis://127.0.0.1:1/0", owner_token="owner-token",
                                model_dir=model_dir,
                                secret_key="k", queue_name="modq-test")
    script = (
        "import sys\n"
        "from service import create_app\n"
        "app = create_app()\n"
        "assert 'sklearn' not in sys.modules, 'imported at startup'\n"
        "c = app.test_client()\n"
        "c.post('/api/v1/comments', json={'name': 'A', 'email': 'a@example.com', 'body': 'hi'})\n"
        "assert 'sklearn' not in sys.modules, 'imported by a submission'\n"
        "r = c.post('/1.1/comment-check', data={'key': '', 'api_key': sys.argv[1], 'blog': 'b',\n"
        "           'user_ip': '192.0.2.1', 'comment_content': 'hello'})\n"
        "assert r.data == b'false', r.data\n"
        "assert 'sklearn' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", script, scoring_settings.owner_token],
                            env=modq_env(scoring_settings), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
