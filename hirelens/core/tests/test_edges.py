"""Every endpoint, walked with bad input: no 500 anywhere.

The routes come from the URL conf (pages) and the OpenAPI schema (ninja operations), so a new URL or API operation
is walked without anyone adding it here. Each route is sent, as an HR admin, anonymously and through a candidate's
link: out-of-range and non-numeric integers in every int path id and query parameter, and JSON bodies that are not
objects (a list, a string, a number, malformed JSON) or objects with wrong field types to every method that writes.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

MAX_ID = 2**63 - 1
OUT_OF_RANGE = [str(MAX_ID + 2), "9" * 30, "0"]
NOT_NUMBERS = ["-1", "abc", "1.5", "1e3", str(-(2**63) - 5)]
BAD_BODIES = {
    "list": "[1, 2]",
    "string": '"text"',
    "number": "42",
    "null": "null",
    "malformed": "{",
    "wrong types": '{"question": [1], "size": "big", "sha256": 5, "text": {}, "kind": 3, "mime": [], "audio_only": "maybe",'
                   ' "recording": [], "technical": {}, "position_id": "x", "full_name": 7, "tags": "a", "stage": 1}',
}
MALFORMED_MULTIPART = ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\u00e9"]
# Query parameters pages and the API read as numbers (ids, pages, offsets, day counts); the API's are added from its schema.
INT_QUERY = ["position", "page", "offset", "limit", "days", "version", "stage", "candidate", "application", "user", "interviewer",
             "department", "actor", "owner", "process", "slot", "year", "month", "week"]
NEVER_WALKED = {"accounts/logout/"}  # would end the walker's own session


class ServerError(Exception):
    pass


def _routes(patterns=None, prefix=""):
    """(route, converters) of every URL pattern, resolvers flattened."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), dict(p.pattern.converters)


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


class World:
    """The objects the walk points at: one of each kind the URLs take, a started interview, live links."""

    def __init__(self, org, hr_admin):
        from hirelens.candidates.tests.factories import ApplicationFactory
        from hirelens.interviews.services import answer_begin
        from hirelens.interviews.tests.factories import InterviewSessionFactory
        from hirelens.messaging.services.helpdesk import help_link_token
        from hirelens.portal.services import portal_link_create

        self.application = ApplicationFactory(candidate__organization=org)
        self.candidate = self.application.candidate
        self.position = self.application.position
        self.session = InterviewSessionFactory(application=self.application, token_hash=_interview_hash("walker-token"),
                                               consents={"recording": {"version": 1, "accepted": True},
                                                         "ai_analysis": {"version": 1, "accepted": True}},
                                               state="started")
        self.answer = answer_begin(session=self.session, question_index=0, kind="video", mime_type="video/webm")
        _link, portal = portal_link_create(actor=hr_admin, candidate=self.candidate)
        self.tokens = {"i/": "walker-token", "portal/": portal, "messaging/help/": help_link_token(candidate=self.candidate)}
        self.ids = {"candidate_id": self.candidate.pk, "application_id": self.application.pk, "position_id": self.position.pk,
                    "session_id": self.session.pk, "answer_id": self.answer.pk, "user_id": hr_admin.pk, "index": 0}

    def value(self, route: str, name: str, conv: str | None, live: bool) -> str:
        if name in ("token", "uidb64"):
            if not live:
                return "not-a-real-token"
            return next((t for prefix, t in self.tokens.items() if route.startswith(prefix)), "not-a-real-token")
        if name == "org_slug":
            return "example"
        if name in ("kind", "language"):
            return {"kind": "interview_invite", "language": "zh-hans"}[name]
        return str(self.ids.get(name, self.candidate.pk))


def _interview_hash(token):
    from hirelens.interviews.services import _hash

    return _hash(token)


def _url(route, world, live, override=None):
    def sub(match):
        name, conv = match.group("name"), match.group("conv")
        if override and name == override[0]:
            return override[1]
        return world.value(route, name, conv, live)

    return "/" + PARAM.sub(sub, route)


def _id_params(route, converters):
    """Path parameters that are ids: <int:…> in the URL conf, ``{…_id}`` in ninja routes (plain strings to Django)."""
    names = []
    for match in PARAM.finditer(route):
        name = match.group("name")
        conv = converters.get(name)
        if type(conv).__name__ != "StringConverter" and type(conv).__name__ != "SlugConverter" or name.endswith("_id"):
            if name not in ("token", "uidb64", "org_slug", "kind", "language"):
                names.append(name)
    return names


def _api_int_queries():
    from config.api import api

    schema = api.get_openapi_schema()
    names = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and "integer" in str(parameter.get("schema", {})):
                    names.add(parameter["name"])
    return sorted(names)


def _walk(client: Client, world: World, *, live: bool, login=None) -> tuple[int, list[str]]:
    errors, sent = [], 0
    int_queries = sorted(set(INT_QUERY) | set(_api_int_queries()))

    def send(method, url, **kwargs):
        nonlocal sent
        sent += 1
        if login is not None and "_auth_user_id" not in client.session:
            client.force_login(login)
        try:
            with transaction.atomic():  # on PostgreSQL a failed statement would poison every later request
                response = getattr(client, method)(url, **kwargs)
                if response.status_code >= 500:
                    raise ServerError(f"HTTP {response.status_code}")
        except Exception as exc:  # noqa: BLE001 - every exception is a server error to report
            errors.append(f"{method.upper()} {url[:90]} {kwargs.get('data', '')!s:.30}: {type(exc).__name__}: {str(exc)[:120]}")

    for route, converters in _routes():
        if route in NEVER_WALKED:
            continue
        url = _url(route, world, live)
        for value in OUT_OF_RANGE + NOT_NUMBERS:
            send("get", url + "?" + "&".join(f"{name}={value}" for name in int_queries))
        for name in _id_params(route, converters):
            for value in OUT_OF_RANGE + ([] if type(converters.get(name)).__name__ == "IntConverter" else NOT_NUMBERS):
                bad = _url(route, world, live, override=(name, value))
                send("get", bad)
                send("post", bad, data="{}", content_type="application/json")
        for body in BAD_BODIES.values():
            send("post", url, data=body, content_type="application/json")
        for content_type in MALFORMED_MULTIPART:
            send("post", url, data=b"--x\r\n", content_type=content_type)
        for method in ("put", "patch"):
            for body in BAD_BODIES.values():
                send(method, url, data=body, content_type="application/json")
    return sent, errors


@pytest.fixture
def world(org, hr_admin):
    return World(org, hr_admin)


def test_hr_admin_walk_finds_no_server_error(client, world, hr_admin):
    sent, errors = _walk(client, world, live=True, login=hr_admin)
    assert sent > 3000
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)


def test_anonymous_walk_finds_no_server_error(client, world):
    sent, errors = _walk(client, world, live=False)
    assert sent > 3000
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)


def test_candidate_link_walk_finds_no_server_error(client, world):
    sent, errors = _walk(client, world, live=True)
    assert sent > 3000
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)


# --- The rules behind the walk, asserted exactly -----------------------------------------------------------------------

def test_every_integer_in_a_path_is_bounded():
    from hirelens.core.converters import IdConverter, IndexConverter

    unbounded = []
    for route, converters in _routes():
        for name, converter in converters.items():
            is_int = type(converter).__name__ == "IntConverter"
            is_api_id = route.startswith("api/") and (name == "id" or name.endswith("_id"))
            if is_int or (is_api_id and not isinstance(converter, IdConverter | IndexConverter)):
                unbounded.append(f"{route} <{name}>")
    assert unbounded == []


@pytest.mark.parametrize("url", ["/candidates/{id}/", "/positions/{id}/", "/interviews/{id}/", "/api/v1/candidates/{id}",
                                 "/api/v1/candidates/1/applications/{id}", "/api/v1/scheduling/interviews/{id}"])
@pytest.mark.parametrize("value", [2**63, 2**63 + 1, 10**30, 0])
def test_an_out_of_range_path_id_is_a_404(client, hr_admin, url, value):
    client.force_login(hr_admin)
    assert client.get(url.format(id=value)).status_code == 404


@pytest.mark.parametrize(("query", "names"), [
    ("position=9223372036854775809", "position"),
    ("position=-1", "position"),
    ("position=abc", "position"),
    ("offset=9223372036854775809", "offset"),
    ("offset=-1", "offset"),
    ("offset=1000001", "offset"),
    ("limit=0", "limit"),
    ("limit=101", "limit"),
    ("limit=x&offset=y", "limit, offset"),
])
def test_api_list_parameters_out_of_range_are_a_400_problem(client, hr_admin, query, names):
    client.force_login(hr_admin)
    response = client.get(f"/api/v1/candidates/?{query}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["title"], body["status"], body["detail"]) == ("invalid_request", "请求参数不正确。", 400, f"请检查：{names}")
    assert [error["loc"] for error in body["errors"]] == [["query", name] for name in names.split(", ")]


def test_api_list_parameters_at_their_bounds_are_accepted(client, hr_admin, world):
    client.force_login(hr_admin)
    response = client.get(f"/api/v1/candidates/?position={world.position.pk}&limit=100&offset=0")
    assert response.status_code == 200 and [c["id"] for c in response.json()["items"]] == [world.candidate.pk]
    assert client.get(f"/api/v1/candidates/?position={MAX_ID}&limit=1&offset=1000000").json() == {"count": 0, "next": None,
                                                                                                   "items": []}


@pytest.mark.parametrize("value", [str(MAX_ID + 2), "-1", "abc", "1e3", "9" * 30])
def test_a_page_ignores_a_filter_that_is_not_a_valid_id(client, hr_admin, world, value):
    client.force_login(hr_admin)
    response = client.get(f"/candidates/?position={value}")
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [world.candidate.pk]  # as without the filter
    assert client.get(f"/feedback/?days={value}").status_code == 200
    assert client.get(f"/analytics/?position={value}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/candidates/new/", "/api/v1/candidates/"])
def test_multipart_body_broken_mid_way_is_a_400(client, hr_admin, path):
    """A well-formed multipart header whose body breaks mid-way (a part header past Django's limit) is the client's
    mistake: 400 with a localized explanation, not a server error from the CSRF check."""
    client.force_login(hr_admin)
    body = b"--XX\r\n" + b"X" * 100_000
    response = client.post(path, data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400
    assert "multipart/form-data" in response.content.decode()
