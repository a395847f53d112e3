"""The OpenAPI document covers the whole HTTP API, and no generated input gets a 5xx."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from service import create_app

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def openapi_path(rule: str) -> str:
    """``/review/<int:comment_id>/<any(a, b):action>`` -> ``/review/{comment_id}/{action}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def is_api(path: str) -> bool:
    """Every route but the HTML review page and its static files."""
    return not path.startswith(("/review", "/static"))


def routes(app) -> set[str]:
    return {f"{method.lower()} {openapi_path(rule.rule)}" for rule in app.url_map.iter_rules()
            if is_api(rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}


def documented(document: dict) -> set[str]:
    return {f"{method} {path}" for path, item in document["paths"].items() for method in item
            if method in HTTP_METHODS}


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert sorted(routes(app) - documented(document)) == [], "document these routes in service/openapi.py"
    assert sorted(documented(document) - routes(app)) == [], "the document lists routes the app lacks"


def test_the_document_is_a_valid_openapi_document(app):
    schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).validate()


@pytest.fixture
def api_schema(scoring_settings):
    """The app with a live model, so the Akismet endpoints answer rather than 503."""
    app = create_app(scoring_settings, {"TESTING": True})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(max_examples=20, modes=list(GenerationMode))
    return schema


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_generated_request_gets_a_5xx_and_every_answer_is_documented(case, owner):
    response = case.call(headers=owner)
    case.validate_response(response, checks=[not_a_server_error, content_type_conformance,
                                              response_schema_conformance])
    if response.status_code >= 400 and case.path.startswith("/api/"):
        assert response.json()["error"], response.text
