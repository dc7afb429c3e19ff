"""OpenAPI 3.1 document built from the route registry and the pydantic schemas."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from commentsvc.api.registry import MAX_HEADER_LENGTH, OPERATIONS, Operation
from commentsvc.api.schemas import MAX_ID, Problem

REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"
_CONVERTER = re.compile(r"<(?:(\w+)(\([^)]*\))?:)?(\w+)>")


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/comments/<int:comment_id>`` → ``/comments/{comment_id}`` and its parameters."""
    params = []
    for converter, _args, name in _CONVERTER.findall(rule):
        schema: dict[str, Any] = {"type": "string"}
        if converter == "int":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(r"{\3}", rule), params


def _schemas() -> tuple[dict[Any, Any], dict[str, Any]]:
    pairs: list[tuple[type[BaseModel], str]] = [(Problem, "serialization")]
    for op in OPERATIONS:
        pairs += [(model, "validation") for model in (op.query, op.body) if model is not None]
        pairs += [(model, "serialization") for model in op.responses.values() if model is not None]
    keys, document = models_json_schema(list(dict.fromkeys(pairs)), ref_template=REF)
    return keys, document.get("$defs", {})


def _query_parameters(model: type[BaseModel], keys: dict[Any, Any], defs: dict[str, Any]):
    ref = keys[(model, "validation")]["$ref"].rsplit("/", 1)[-1]
    schema = defs[ref]
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        if "description" in prop:
            param["description"] = prop["description"]
        yield param


def _operation(op: Operation, keys: dict[Any, Any], defs: dict[str, Any]) -> dict[str, Any]:
    _, path_params = _path(op.rule)
    params = list(path_params)
    if op.query is not None:
        params += list(_query_parameters(op.query, keys, defs))
    for header in op.headers:
        params.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": {"type": "string", "maxLength": MAX_HEADER_LENGTH},
            }
        )
    responses: dict[str, Any] = {}
    for status, model in op.responses.items():
        entry: dict[str, Any] = {"description": _describe_status(status)}
        if model is not None:
            entry["content"] = {"application/json": {"schema": keys[(model, "serialization")]}}
        responses[str(status)] = entry
    problem_ref = keys[(Problem, "serialization")]
    # What the registry itself may answer: bad ids, headers, query and body.
    implied = {503} if op.method == "get" else {429, 503}
    implied |= {404} if path_params else set()
    implied |= {422} if (op.headers or op.query or op.body) else set()
    implied |= {400, 413, 415, 422} if op.body else set()
    for status in sorted(set(op.errors) | implied):
        responses[str(status)] = {
            "description": _describe_status(status),
            "content": {PROBLEM_JSON: {"schema": problem_ref}},
        }
    doc: dict[str, Any] = {
        "operationId": op.endpoint.replace(".", "_"),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": responses,
    }
    if op.description:
        doc["description"] = op.description
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": keys[(op.body, "validation")]}},
        }
    if op.auth:
        doc["security"] = [{"moderatorToken": []}]
    return doc


def _describe_status(status: int) -> str:
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Response")


def build_document(server_url: str = "/") -> dict[str, Any]:
    """The whole public API as an OpenAPI 3.1 document."""
    keys, defs = _schemas()
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        path, _params = _path(op.rule)
        paths.setdefault(path, {})[op.method] = _operation(op, keys, defs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "commentsvc API",
            "version": "1",
            "description": _(
                "Comments for readers, moderation for moderators. Errors are "
                "application/problem+json (RFC 9457) in the language of Accept-Language."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "moderatorToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _("A moderator's API token, created in the admin."),
                }
            },
        },
    }
