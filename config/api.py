"""The HTTP API (django-ninja): one NinjaAPI; each app adds its router from ``<app>/api.py``.

An app's ``api.py`` declares ``router = Router(tags=[...], auth=api_auth("<scope>"))`` and ``API_PREFIX = "/<path>/"``
(or ``ROUTERS = [(prefix, router), ...]`` for several);
this module finds every such module (``API_APPS`` below, in order) and mounts it, so a new app's API needs no edit
here. Pages and the API call the same services and ``access_*`` functions.

Authentication (``hirelens.integrations.auth.api_auth``): an API key (``Authorization: Bearer hl_...``) with the
scope the router names, or a browser session with its CSRF token. Every error answers as RFC 9457 problem details
(``application/problem+json``) in the caller's language (``Accept-Language``): see ``hirelens.core.apitools``.
"""

from __future__ import annotations

import importlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from hirelens.core.apitools import ApiProblem, problem_response
from hirelens.integrations.auth import api_auth

PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status", "code"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "code": {"type": "string", "description": "machine-readable kind, the same in every language"},
                   "detail": {"type": "string"}, "instance": {"type": "string"}},
    "additionalProperties": True,
}
STANDARD_ERRORS = {
    400: ("Invalid parameters or body (problem details name each one).", "invalid_request"),
    401: ("No valid API key or session.", "invalid_api_key"),
    403: ("The key lacks the scope, or the user's role may not do this.", "insufficient_scope"),
    404: ("No such object, or not visible to the caller.", "not_found"),
    412: ("If-Match does not match the object's current ETag.", "precondition_failed"),
    422: ("A business rule refused the change.", "unprocessable"),
    429: ("Over the key's rate limit; see Retry-After.", "rate_limited"),
}


class HireLensAPI(NinjaAPI):
    """Adds the error answers every operation can give (problem details) to the schema, in one place."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                # ninja keys the declared answers by int, JSON by string: one key per code (no duplicate "400")
                operation["responses"] = {str(code): answer for code, answer in operation["responses"].items()}
                codes = [401, 403, 429]
                if operation.get("parameters") or operation.get("requestBody"):
                    codes.append(400)
                if "{" in path or operation.get("parameters") or operation.get("requestBody"):
                    codes.append(404)  # an id in the path, a filter or the body that names no visible object
                if method in ("post", "put", "patch", "delete"):
                    codes += [412, 422] if method in ("put", "patch") else [422]
                for code in codes:
                    description, example = STANDARD_ERRORS[code]
                    operation["responses"].setdefault(str(code), {
                        "description": description,
                        "content": {"application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"},
                            "example": {"type": f"https://hirelens.invalid/problems/{example}", "title": description,
                                        "status": code, "code": example}}}})
                for code, answer in operation["responses"].items():
                    # an error an operation declares itself can also come from the handlers above (a bad parameter,
                    # a refused rule): those answer problem details, so the answer documents both
                    if code[0] == "4" and "application/problem+json" not in answer.setdefault("content", {}):
                        answer["content"]["application/problem+json"] = {"schema": {"$ref": "#/components/schemas/Problem"}}
        return schema

    def _get_urls(self):
        # Last: any other path under the API (an id that is not a number, a path no operation has) is a problem
        # details 404, not the HTML page of the site.
        return [*super()._get_urls(), re_path(r"^[\s\S]+$", csrf_exempt(_no_such_path))]


def _no_such_path(request, *args, **kwargs):
    return problem_response(request, status=404, title=_("找不到该对象。"), code="not_found",
                            detail=_("该对象不存在，或您无权查看。"))


api = HireLensAPI(title="HireLens API", version="1", urls_namespace="api", auth=api_auth(None),
               description="HireLens open API. See docs/api.md for the common flows (import candidates, send an AI "
                           "interview, receive the analysed webhook, fetch the report). Errors are RFC 9457 problem "
                           "details in the caller's language (Accept-Language: zh-Hans or en).")

# The apps whose api.py carries a router, in the order their sections appear in the reference.
API_APPS = ["accounts", "candidates", "positions", "workflows", "scheduling", "interviews", "live", "evaluations",
            "feedback", "messaging", "analytics", "privacy", "integrations", "webhooks"]


@api.exception_handler(ApiProblem)
def api_problem(request, exc: ApiProblem):
    return problem_response(request, status=exc.status, title=exc.title, detail=exc.detail, code=exc.code,
                            headers=exc.headers, **exc.extra)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return problem_response(request, status=401, title=_("需要登录或 API 密钥。"), code="unauthenticated",
                            detail=_("请在 Authorization 头中提供有效的 API 密钥（Bearer hl_…），或先登录。"),
                            headers={"WWW-Authenticate": 'Bearer realm="hirelens"'})


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    detail = str(exc) if str(exc) else _("您的角色不能执行此操作。")
    return problem_response(request, status=403, title=_("没有权限。"), detail=detail, code="forbidden")


@api.exception_handler(Http404)
def not_found(request, exc):
    return problem_response(request, status=404, title=_("找不到该对象。"), code="not_found",
                            detail=_("该对象不存在，或您无权查看。"))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem_response(request, status=exc.status_code, title=str(exc.message), code="http_error")


@api.exception_handler(RequestValidationError)
def request_invalid(request, exc):
    """Input that does not fit an operation's types (a non-object body, a wrong field type, an id or offset out of
    range) is a 400 naming each offending parameter."""
    errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))} for error in exc.errors]
    names = ", ".join(dict.fromkeys(error["loc"][-1] for error in errors if error["loc"])) or _("请求内容")
    return problem_response(request, status=400, title=_("请求参数不正确。"), code="invalid_request",
                            detail=_("请检查：%(names)s") % {"names": names}, errors=errors)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    """A number too large for the database (an id of 2**70), a value the column cannot hold: the caller's input,
    answered as a 400 like any other bad parameter, never a server error. Operations should bound their fields too."""
    return problem_response(request, status=400, title=_("请求参数不正确。"), code="invalid_request")


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """A service refused the change (a business rule): 422 with the messages per field."""
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = "; ".join(str(m) for messages in fields.values() for m in messages)
    extra = {"fields": fields}
    if getattr(exc, "duplicate_ids", None):  # the records a new one would duplicate, for the caller to link or merge
        extra["duplicates"] = list(exc.duplicate_ids)
    return problem_response(request, status=422, title=_("无法完成此操作。"), detail=detail, code="unprocessable", **extra)


def _mount() -> None:
    for app in API_APPS:
        try:
            module = importlib.import_module(f"hirelens.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name in (f"hirelens.{app}", f"hirelens.{app}.api"):
                continue  # this app has no API (yet)
            raise
        for prefix, router in getattr(module, "ROUTERS", None) or [(module.API_PREFIX, module.router)]:
            api.add_router(prefix, router)


_mount()
