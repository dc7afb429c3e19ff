"""The OpenAPI document and its human reference page (rendered here: no CDN, no script)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request

from commentsvc.api.openapi import build_document

bp = Blueprint("api_reference", __name__, url_prefix="/api/v1", template_folder="templates")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    document = build_document(server_url=request.host_url.rstrip("/"))
    response = Response(json.dumps(document), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/docs")
def reference_page() -> str:
    document = build_document(server_url=request.host_url.rstrip("/"))
    return render_template("api/reference.html", doc=document, schema_name=_schema_name)


def _schema_name(schema: dict[str, Any] | None) -> str:
    """``{"$ref": "#/components/schemas/X"}`` → ``X``; a short type otherwise."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_name(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {_schema_name(schema.get('items'))}"
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    return str(schema.get("type", "any"))
