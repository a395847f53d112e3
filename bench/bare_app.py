"""The ingest ceiling: a bare Flask endpoint that checks three form fields and does one LPUSH.

Usage: python bench/bare_app.py --port 8001 --workers 2 [--threads 1] REDIS_URL

It runs under the same gunicorn settings as ``modq serve`` (``service.server.options``),
so the ingest benchmark compares modq with what Flask + Redis can do on this machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flask import Flask, request
from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.server import GunicornServer, options  # noqa: E402


def create_bare_app(redis_url: str) -> Flask:
    app = Flask("bare")
    redis = Redis.from_url(redis_url)

    @app.post("/api/v1/comments")
    def submit():
        form = request.form
        problems = {field: "is required" for field in ("name", "email", "body") if not form.get(field)}
        if "@" not in form.get("email", "@"):
            problems["email"] = "is not an email address"
        if problems:
            return {"error": "invalid", "fields": problems}, 422
        redis.lpush("bench-bare", json.dumps([form["name"], form["email"], form["body"]]))
        return {"status": "received"}, 202

    return app


class BareServer(GunicornServer):
    def __init__(self, settings: dict, redis_url: str) -> None:
        self.redis_url = redis_url
        super().__init__(settings)

    def load(self):
        return create_bare_app(self.redis_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("redis_url")
    args = parser.parse_args()
    BareServer(options("127.0.0.1", args.port, args.workers, args.threads), args.redis_url).run()
