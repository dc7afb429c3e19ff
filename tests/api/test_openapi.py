from commentsvc.api.openapi import build_document

PUBLIC_ROUTES = {
    ("get", "/api/v1/sites/{site}/comments"),
    ("post", "/api/v1/sites/{site}/comments"),
    ("patch", "/api/v1/comments/{comment_id}"),
    ("delete", "/api/v1/comments/{comment_id}"),
    ("post", "/api/v1/comments/{comment_id}/like"),
    ("post", "/api/v1/comments/{comment_id}/report"),
    ("get", "/api/v1/sites/{site}/counts"),
}


def test_openapi_is_served_and_lists_every_public_route(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    routes = {(m, p) for p, methods in doc["paths"].items() for m in methods}
    assert routes >= PUBLIC_ROUTES


def test_every_registered_flask_route_of_the_api_is_documented(app) -> None:
    doc = build_document()
    documented = {p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule
            for conv in ("int:",):
                path = path.replace(conv, "")
            assert path in documented, rule.rule


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _response_schemas(doc, tag: str) -> set[str]:
    schemas = doc["components"]["schemas"]
    names = set().union(
        *(
            _refs(op["responses"])
            for methods in doc["paths"].values()
            for op in methods.values()
            if tag in op["tags"]
        )
    )
    while True:  # and every schema they contain
        more = set().union(*(_refs(schemas[n]) for n in names)) - names
        if not more:
            break
        names |= more
    return names


def test_public_response_schemas_have_no_private_fields(app) -> None:
    doc = build_document()
    names = _response_schemas(doc, "comments")
    assert {"CommentOut", "ThreadPage", "PostedComment"} <= names
    for name in names:
        for field in doc["components"]["schemas"][name].get("properties", {}):
            assert field not in {"email", "author_email", "ip", "ip_hash", "spam_score"}, name


def test_moderators_see_emails_and_scores_but_never_an_ip(app) -> None:
    doc = build_document()
    names = _response_schemas(doc, "moderation")
    fields = {f for n in names for f in doc["components"]["schemas"][n].get("properties", {})}
    assert {"author_email", "spam_score"} <= fields
    assert not fields & {"ip", "ip_hash", "user_agent"}


def test_reference_page_is_rendered_without_any_script(client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/api/v1/sites/{site}/comments" in html
    assert "<script" not in html
