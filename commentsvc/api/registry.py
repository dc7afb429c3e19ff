"""The route registry: each API operation declares its schemas once, for parsing and for OpenAPI."""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from commentsvc.api.problems import ApiError, validation_problem

# A JSON API request is small: a comment and its fields. Larger bodies are refused early.
MAX_BODY_BYTES = 64 * 1024
JSON_TYPES = ("application/json",)


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    required: bool = False


@dataclass
class Operation:
    """One API route as OpenAPI describes it."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    responses: dict[int, type[BaseModel] | None]
    errors: tuple[int, ...]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    headers: tuple[Header, ...] = ()
    auth: bool = False
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


OPERATIONS: list[Operation] = []


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    responses: dict[int, type[BaseModel] | None],
    errors: tuple[int, ...] = (),
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    headers: tuple[Header, ...] = (),
    auth: bool = False,
    decorators: tuple[Callable[[Callable[..., Response]], Callable[..., Response]], ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Register a view: its query and body are parsed into the given models before it runs.

    The view receives ``query=`` / ``body=`` and returns ``(model, status)`` or a Response.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            try:
                _check_ids(kwargs)
                _check_headers(headers)
                if query is not None:
                    kwargs["query"] = parse_query(query)
                if body is not None:
                    kwargs["body"] = parse_body(body)
                result = view(**kwargs)
            except ApiError as exc:
                return exc.response()
            return render(result)

        registered = wrapper
        for decorate in reversed(decorators):
            registered = decorate(registered)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=registered, methods=[method])
        OPERATIONS.append(
            Operation(
                rule=(bp.url_prefix or "") + rule,
                method=method.lower(),
                endpoint=f"{bp.name}.{view.__name__}",
                summary=summary,
                tag=tag,
                responses=responses,
                errors=errors,
                query=query,
                body=body,
                headers=headers,
                auth=auth,
                description=(view.__doc__ or "").strip(),
            )
        )
        return wrapper

    return decorator


MAX_HEADER_LENGTH = 200


def _check_headers(headers: tuple[Header, ...]) -> None:
    errors = [
        {"field": f"header.{h.name}", "message": _("At most %(n)s characters or items.", n=200)}
        for h in headers
        if len(request.headers.get(h.name, "")) > MAX_HEADER_LENGTH
    ]
    if errors:
        raise ApiError(422, _("Some fields are not valid."), errors=errors)


def _check_ids(view_args: dict[str, Any]) -> None:
    # Ids beyond the database's integer range name nothing (and must not reach the driver).
    from commentsvc.api.schemas import MAX_ID

    for value in view_args.values():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise ApiError(404, _("Nothing was found at this address."))


def render(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    model, status = result if isinstance(result, tuple) else (result, 200)
    if model is None:
        return Response(status=status)
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return origin is list


def parse_query(model: type[BaseModel]) -> BaseModel:
    """Query string into ``model``; list fields take every repeated value."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        values[key] = request.args.getlist(key) if _is_list(info.annotation) else request.args[key]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise validation_problem(exc, location="query") from exc


def _not_json(constant: str) -> float:
    # Python's json reads NaN and Infinity; RFC 8259 does not have them.
    raise ValueError(f"{constant} is not JSON")


def parse_body(model: type[BaseModel]) -> BaseModel:
    """JSON body into ``model``: 415 wrong type, 413 too large, 400 malformed, 422 invalid."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, _("The request body is larger than %(n)s bytes.", n=MAX_BODY_BYTES))
    if request.mimetype not in JSON_TYPES and not request.mimetype.endswith("+json"):
        raise ApiError(415, _("Send the request body as application/json."))
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, _("The request body is larger than %(n)s bytes.", n=MAX_BODY_BYTES))
    try:
        data = json.loads(raw or b"{}", parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, _("The request body is not valid JSON.")) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc, location="body") from exc
