"""The OpenAPI document describes every /api/v1 route, no route that is gone, and its references resolve."""
from __future__ import annotations

import re

PREFIX = "/api/v1"


def _documented_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule[len(PREFIX):])


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document, ref: str):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_openapi_document_is_served_as_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.") and document["info"]["title"]
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "detail"]


def test_every_api_route_and_method_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            routes.setdefault(_documented_path(rule.rule), set()).update(methods)
    assert routes, "the API blueprint is not registered"
    documented = {
        path: {m for m in item if m in {"get", "post", "put", "patch", "delete"}}
        for path, item in document["paths"].items()
    }
    assert documented == routes


def test_every_operation_has_responses_and_every_reference_resolves(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation["responses"], (path, method)
            assert operation["operationId"], (path, method)
            for status in operation["responses"]:
                assert status.isdigit(), (path, method, status)
    for ref in set(_refs(document)):
        assert _resolve(document, ref) is not None, ref


def test_error_responses_are_the_problem_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for name, response in document["components"]["responses"].items():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, name
