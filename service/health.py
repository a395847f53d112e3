"""Liveness for load balancers and the container HEALTHCHECK: cheap, no dependencies."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")
