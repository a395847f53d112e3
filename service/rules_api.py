"""The owner's sender rules over HTTP: list, add and remove (owner token required)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from service.auth import owner_required
from service.errors import error_response
from service.extensions import engine
from service.payload import PayloadError, read_fields
from service.rules import RuleError, add_rule, list_rules, remove_rule
from service.screening import rule_cache

bp = Blueprint("rules_api", __name__, url_prefix="/api/v1/rules")
RULE_FIELDS = ("action", "kind", "pattern")


@bp.get("")
@owner_required
def list_all():
    return jsonify(rules=[rule.as_dict() for rule in list_rules(engine())])


@bp.post("")
@owner_required
def create():
    try:
        raw = read_fields(request, RULE_FIELDS)
        rule = add_rule(engine(), raw.get("action", ""), raw.get("kind", ""), raw.get("pattern", ""))
    except PayloadError as exc:
        return error_response(exc.status, exc.message, exc.fields)
    except RuleError as exc:
        return error_response(exc.status, exc.message, exc.fields)
    rule_cache().invalidate()
    return jsonify(rule.as_dict()), 201


@bp.delete("/<int:rule_id>")
@owner_required
def delete(rule_id: int):
    if not remove_rule(engine(), rule_id):
        return error_response(404, f"no rule {rule_id}")
    rule_cache().invalidate()
    return jsonify(id=rule_id, deleted=True)
