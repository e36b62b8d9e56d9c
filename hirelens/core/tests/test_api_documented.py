"""Every operation of the open API is documented in its OpenAPI schema (/api/v1/openapi.json), for an integrator who
reads only the reference page: a summary of its own, a description (the docstring), a typed 2xx answer, an example for
every request body, the error answers it can give (problem details), a type on every field; answers that name a status
also give its label, and rows about a person carry the person's name. The checks walk whatever operations exist, so a
new operation without these fails here, with the operation and what it lacks named.
"""

from __future__ import annotations

import re

import pytest
from ninja import Router, Schema

from config.api import HireLensAPI, api
from hirelens.integrations.auth import api_auth

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A field that names a person by id only forces the integrator to a second call (and the audit a second read).
PERSON_IDS = {"candidate_id": "candidate_name"}


def _operations(ninja_api):
    """(method, path, ninja Operation) for every operation the API serves, as the schema lists them."""
    by_id = {}
    for _prefix, router in ninja_api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                by_id[ninja_api.get_openapi_operation_id(operation)] = operation
    return by_id


def _resolve(schema: dict, node: dict) -> dict:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
        seen += 1
    return node


def _has_example(schema: dict, body: dict) -> bool:
    for media in body.get("content", {}).values():
        if media.get("example") is not None or media.get("examples"):
            return True
        resolved = _resolve(schema, media.get("schema", {}))
        if resolved.get("example") is not None or resolved.get("examples"):
            return True
        properties = resolved.get("properties", {})
        if properties and all(_resolve(schema, p).get("examples") or _resolve(schema, p).get("example") is not None
                              for p in properties.values()):
            return True  # a form (multipart) whose every field shows an example value
    return False


def _untyped(node, where: str, out: list[str]) -> None:
    """Fields (properties, items, parameters) whose schema gives no type: ``{}`` is what ``Any`` becomes."""
    if not isinstance(node, dict):
        return
    for name, prop in (node.get("properties") or {}).items():
        if not _is_typed(prop):
            out.append(f"{where}.{name}")
        _untyped(prop, f"{where}.{name}", out)
    if "items" in node:
        if not _is_typed(node["items"]):
            out.append(f"{where}[]")
        _untyped(node["items"], f"{where}[]", out)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key) or ()):
            _untyped(sub, f"{where}<{key}{i}>", out)


def _is_typed(node) -> bool:
    if not isinstance(node, dict):
        return False
    if any(key in node for key in ("type", "$ref", "enum", "const")):
        return True
    alternatives = node.get("anyOf") or node.get("oneOf") or node.get("allOf")
    return bool(alternatives) and all(_is_typed(sub) for sub in alternatives)


def _refs(node, out: set[str]) -> None:
    if isinstance(node, dict):
        if "$ref" in node:
            out.add(node["$ref"].rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def _answer_schemas(schema: dict, roots: list) -> dict[str, dict]:
    """Every component schema a 2xx answer reaches (through $refs), by name."""
    names: set[str] = set()
    _refs(roots, names)
    todo, found = list(names), {}
    while todo:
        name = todo.pop()
        if name in found or name not in schema["components"]["schemas"]:
            continue
        found[name] = schema["components"]["schemas"][name]
        more: set[str] = set()
        _refs(found[name], more)
        todo += [n for n in more if n not in found]
    return found


def _object_nodes(node):
    if isinstance(node, dict):
        if "properties" in node:
            yield node
        for value in node.values():
            yield from _object_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _object_nodes(value)


def undocumented(ninja_api, schema: dict | None = None) -> dict[str, list[str]]:
    """``{"METHOD /path": [what it lacks, ...]}`` for every operation that is not fully documented."""
    schema = schema or ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    operations = _operations(ninja_api)
    problems: dict[str, list[str]] = {}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            lacks = []
            operation = operations.get(op.get("operationId"))
            default_summary = operation.view_func.__name__.title().replace("_", " ") if operation else None
            if not op.get("summary") or op["summary"] == default_summary:
                lacks.append("summary= (only the function's name)")
            if len((op.get("description") or "").strip()) < 20:
                lacks.append("description (a docstring of a sentence or more)")
            responses = {str(code): answer for code, answer in op.get("responses", {}).items()}
            success = {code: answer for code, answer in responses.items() if code.startswith("2")}
            if not success:
                lacks.append("a 2xx answer")
            for code, answer in success.items():
                typed = any(media.get("schema") for media in (answer.get("content") or {}).values())
                if code != "204" and not typed:
                    lacks.append(f"a schema for the {code} answer")
                if not (answer.get("description") or "").strip() or answer.get("description") == "Unknown Status Code":
                    lacks.append(f"a description for the {code} answer")
            errors = {code for code in responses if code[0] in "45"}
            wanted = set()
            if op.get("parameters") or op.get("requestBody"):
                wanted.add("400")
            if "{" in path:
                wanted.add("404")
            if op.get("security"):
                wanted |= {"401", "403"}
            if method in ("post", "put", "patch", "delete"):
                wanted.add("422")
            if method in ("put", "patch"):
                wanted.add("412")
            if not errors:
                lacks.append("error answers")
            for code in sorted(wanted - errors):
                lacks.append(f"the {code} error answer")
            for code in errors:
                if not (responses[code].get("description") or "").strip():
                    lacks.append(f"a description for the {code} answer")
            if op.get("requestBody") and not _has_example(schema, op["requestBody"]):
                lacks.append("a request-body example (openapi_extra requestBody example or Schema examples)")
            for parameter in op.get("parameters", ()):
                if not _is_typed(parameter.get("schema", {})):
                    lacks.append(f"a type for the parameter {parameter.get('name')}")
            inline: list[str] = []
            for code, answer in responses.items():
                for media in (answer.get("content") or {}).values():
                    if "$ref" not in media.get("schema", {}):
                        _untyped(media.get("schema", {}), f"answer {code}", inline)
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                if "$ref" not in media.get("schema", {}):
                    _untyped(media.get("schema", {}), "body", inline)
            lacks += [f"a type for {field}" for field in inline]
            if lacks:
                problems[f"{method.upper()} {path}"] = lacks
    return problems


def schema_field_problems(schema: dict) -> list[str]:
    """Fields without a type in any component schema; in answers: a ``status`` code without its ``status_label``, a
    ``candidate_id`` without the ``candidate_name``."""
    out: list[str] = []
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        _untyped(component, name, out)
    answers = []
    for item in schema["paths"].values():
        for method, op in item.items():
            if method in HTTP_METHODS:
                answers += [answer for code, answer in op.get("responses", {}).items() if str(code).startswith("2")]
    reached = _answer_schemas(schema, answers)
    nodes = [(name, node) for name, component in reached.items() for node in _object_nodes(component)]
    nodes += [("(inline answer)", node) for answer in answers for node in _object_nodes(answer)]
    for name, node in nodes:
        properties = node["properties"]
        for field, prop in properties.items():
            prop = _resolve(schema, prop)
            if re.fullmatch(r"(\w+_)?status", field) and prop.get("type") == "string" and f"{field}_label" not in properties:
                out.append(f"{name}.{field} without {field}_label")
        for id_field, name_field in PERSON_IDS.items():
            if id_field in properties and name_field not in properties:
                out.append(f"{name}.{id_field} without {name_field}")
    return sorted(set(out))


def _format(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {'; '.join(lacks)}" for where, lacks in sorted(problems.items()))


def test_every_operation_is_documented():
    problems = undocumented(api)
    assert not problems, f"{len(problems)} operation(s) not documented:\n{_format(problems)}"


def test_every_schema_field_has_a_type_and_answers_name_people_and_statuses():
    problems = schema_field_problems(api.get_openapi_schema(path_prefix="/api/v1/"))
    assert problems == [], "\n".join(problems)


def test_the_api_has_operations_of_several_apps():
    """The checks above pass trivially on an empty schema; the API serves the apps that existed when it was built."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    prefixes = {path.split("/")[3] for path in schema["paths"]}
    assert {"accounts", "candidates", "processes", "scheduling"} <= prefixes, prefixes
    assert sum(len([m for m in item if m in HTTP_METHODS]) for item in schema["paths"].values()) >= 15


def test_the_schema_is_valid_openapi_with_one_answer_per_code():
    import json

    from schemathesis.openapi import from_dict

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    assert schema["openapi"].startswith("3.")
    for item in schema["paths"].values():
        for method, op in item.items():
            if method in HTTP_METHODS:
                codes = [str(code) for code in op["responses"]]
                assert len(codes) == len(set(codes)), (method, codes)  # 400 and "400" would be one JSON key twice
    from_dict(json.loads(json.dumps(schema)))  # parses as OpenAPI 3


# --- the checker itself fails for a new undocumented operation ---------------------------------------------------


class _ThingIn(Schema):
    name: str


class _ThingOut(Schema):
    id: int
    candidate_id: int
    status: str
    anything: object = None


class _DocumentedIn(Schema):
    name: str = ""
    model_config = {"json_schema_extra": {"examples": [{"name": "张伟"}]}}


class _DocumentedOut(Schema):
    id: int
    status: str
    status_label: str


def _tiny_api(documented: bool) -> HireLensAPI:
    tiny = HireLensAPI(title="tiny", version="0", urls_namespace=f"tiny-{documented}", auth=api_auth(None))
    router = Router(tags=["tiny"], auth=api_auth("candidates"))
    if documented:
        @router.post("/things/{thing_id}", response={201: _DocumentedOut}, summary="Make a thing")
        def make_thing(request, thing_id: int, body: _DocumentedIn):
            """Makes a thing from the body, for the tests of this checker."""
    else:
        @router.post("/things/{thing_id}", response=_ThingOut)
        def make_thing(request, thing_id: int, body: _ThingIn):
            pass

    tiny.add_router("/tiny/", router)
    return tiny


def test_the_checks_name_what_a_new_undocumented_operation_lacks():
    tiny = _tiny_api(documented=False)
    problems = undocumented(tiny)
    lacks = problems["POST /api/v1/tiny/things/{thing_id}"]
    assert "summary= (only the function's name)" in lacks
    assert "description (a docstring of a sentence or more)" in lacks
    assert any(item.startswith("a request-body example") for item in lacks)
    fields = schema_field_problems(tiny.get_openapi_schema(path_prefix="/api/v1/"))
    assert "_ThingOut.anything" in fields
    assert "_ThingOut.status without status_label" in fields
    assert "_ThingOut.candidate_id without candidate_name" in fields


def test_the_checks_accept_a_documented_operation():
    tiny = _tiny_api(documented=True)
    assert undocumented(tiny) == {}
    assert schema_field_problems(tiny.get_openapi_schema(path_prefix="/api/v1/")) == []


# --- the reference page -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reference_page_and_schema_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower() and "jsdelivr" not in html.lower()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src  # every script and style from this host
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.json()["info"]["title"] == "HireLens API"


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each schema by its class name: two classes with one name (an interviews
    ``ProgressOut`` and a workflows ``ProgressOut``) silently become one, and one operation's answers are then checked
    against the other's shape. Every Schema class of every ``<app>/api.py`` has a name of its own."""
    import importlib

    from ninja import Schema

    from config.api import API_APPS

    for app in API_APPS:
        try:
            importlib.import_module(f"hirelens.{app}.api")
        except ModuleNotFoundError:
            continue
    seen: dict[str, str] = {}
    clashes = []
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        module = cls.__module__
        if not (module.startswith("hirelens.") and module.endswith(".api")):
            continue
        where = f"{module}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((cls.__name__, seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert not clashes, clashes
