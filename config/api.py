"""The HTTP API (django-ninja): one NinjaAPI, each app adds its router from `<app>/api.py`.

Pages and the API call the same services. Session authentication (with CSRF) for now; API keys and
signed webhooks for integrators (P1) plug in as another ``auth`` class.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import django_auth

from hirelens.accounts.api import router as accounts_router
from hirelens.candidates.api import router as candidates_router

api = NinjaAPI(title="HireLens API", version="1", urls_namespace="api", auth=django_auth)  # django_auth enforces CSRF


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": _("您的角色不能执行此操作。")}, status=403)


@api.exception_handler(RequestValidationError)
def request_invalid(request, exc):
    """Input that does not fit an operation's types (a non-object body, a wrong field type, an id or offset out of
    range) is a 400 in problem-details form (RFC 9457), naming each offending parameter."""
    errors = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))} for error in exc.errors]
    names = ", ".join(dict.fromkeys(error["loc"][-1] for error in errors if error["loc"])) or _("请求内容")
    body = {"type": "about:blank", "title": _("请求参数不正确。"), "status": 400,
            "detail": _("请检查：%(names)s") % {"names": names}, "errors": errors}
    response = api.create_response(request, body, status=400)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    body = {"detail": detail}
    if getattr(exc, "duplicate_ids", None):  # the records a new one would duplicate, for the caller to link or merge
        body["duplicates"] = list(exc.duplicate_ids)
    return api.create_response(request, body, status=422)


api.add_router("/accounts/", accounts_router)
api.add_router("/candidates/", candidates_router)

from hirelens.scheduling.api import router as scheduling_router  # noqa: E402
from hirelens.workflows.api import router as workflows_router  # noqa: E402

api.add_router("/processes/", workflows_router)
api.add_router("/scheduling/", scheduling_router)
