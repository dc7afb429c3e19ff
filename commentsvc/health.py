"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from commentsvc.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready when the database answers and a usable spam model is loaded; says why not."""
    problems: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready", reported, never raised
        db.session.rollback()
        problems["database"] = str(exc).splitlines()[0][:200]
    model = current_app.extensions["spam_model"]
    if not model.usable:
        problems["model"] = getattr(model, "problem", "no usable spam model")
    body = {"ready": not problems, "problems": problems, "model": model.version}
    return jsonify(body), (200 if not problems else 503)
