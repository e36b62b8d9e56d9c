"""The open API's shared rules, one home each: problem details, cursor pages, ETag / If-Match.

Every ``<app>/api.py`` uses these instead of its own variant:

- ``raise ApiProblem(409, title, detail, code=...)`` anywhere in an operation answers RFC 9457 problem details in the
  caller's language (``config/api.py`` turns 401/403/404/400/422 into the same form).
- ``cursor_page(qs, cursor=..., limit=...)`` pages any queryset by keyset on ``(-created_at, -id)`` (or another
  field plus the id): the page's cost does not grow with the depth. The cursor is signed and opaque.
- ``etag_of(obj)`` / ``check_if_match(request, obj)`` / ``with_etag(response, obj)``: updates that carry
  ``If-Match`` fail with 412 when the object changed since the caller read it.
- ``idempotent(request, create)`` is in ``hirelens.integrations.idempotency``, beside the table of first answers
  (``IdempotencyRecord``): a create that carries ``Idempotency-Key`` runs once (docs/architecture.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PROBLEM_TYPE_BASE = "https://hirelens.invalid/problems/"  # a stable identifier per code, not a fetched URL
CURSOR_SALT = "hirelens.api.cursor"
MAX_LIMIT = 100


class ApiProblem(Exception):
    """An answer that is an error, as problem details. ``code`` is the machine-readable kind (stable across languages)."""

    def __init__(self, status: int, title: str, detail: str = "", *, code: str = "", headers: dict | None = None, **extra):
        super().__init__(title)
        self.status, self.title, self.detail, self.code = status, title, detail, code or str(status)
        self.headers = headers or {}
        self.extra = extra


def problem_response(request: HttpRequest | None, *, status: int, title: str, detail: str = "", code: str = "",
                     headers: dict | None = None, **extra) -> HttpResponse:
    body = {"type": PROBLEM_TYPE_BASE + (code or str(status)), "title": str(title), "status": status,
            "code": code or str(status)}
    if detail:
        body["detail"] = str(detail)
    if request is not None:
        body["instance"] = request.path
    body.update(extra)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}, content_type="application/problem+json")
    response["Content-Language"] = get_language() or "zh-hans"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- cursor pages -------------------------------------------------------------------------------------------------


@dataclass
class Page:
    items: list
    next: str | None
    extra: dict = field(default_factory=dict)


def _cursor_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def cursor_page(qs, *, cursor: str = "", limit: int = 20, order: str = "-created_at", salt: str = "") -> Page:
    """One page of ``qs`` ordered by ``order`` then id (same direction), resuming after ``cursor``.

    Raises ``ApiProblem(400)`` for a cursor this list did not issue (edited, truncated, or from another list)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    descending = order.startswith("-")
    name = order.lstrip("-")
    sign = "-" if descending else ""
    qs = qs.order_by(f"{sign}{name}", f"{sign}pk")
    if cursor:
        try:
            data = signing.loads(cursor, salt=CURSOR_SALT + salt + order)
            value, last_id = data["v"], int(data["id"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise ApiProblem(400, _("请求参数不正确。"), _("cursor 无效：请使用上一次回答中的 next。"), code="invalid_cursor")
        from django.db.models import Q

        if name == "pk" or name == "id":
            qs = qs.filter(pk__lt=last_id) if descending else qs.filter(pk__gt=last_id)
        else:
            op = "lt" if descending else "gt"
            qs = qs.filter(Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": last_id}))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        value = last.pk if name in ("pk", "id") else _cursor_value(getattr(last, name))
        next_cursor = signing.dumps({"v": value, "id": last.pk}, salt=CURSOR_SALT + salt + order, compress=True)
    return Page(items=rows, next=next_cursor)


# --- ETag / If-Match ----------------------------------------------------------------------------------------------


def etag_of(obj) -> str:
    """A strong validator from the object's identity and its last change (``updated_at``, else every field's value)."""
    stamp = getattr(obj, "updated_at", None)
    if stamp is None:
        stamp = repr(sorted((f.attname, repr(getattr(obj, f.attname))) for f in obj._meta.concrete_fields))
    raw = f"{obj._meta.label_lower}:{obj.pk}:{stamp.isoformat() if isinstance(stamp, datetime) else stamp}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def check_if_match(request: HttpRequest, obj) -> None:
    """With ``If-Match``, refuse (412) an update of an object that changed since the caller's read."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag_of(obj) not in wanted:
        raise ApiProblem(412, _("对象已被他人修改。"), _("请重新读取后再修改（If-Match 与当前 ETag 不一致）。"),
                         code="precondition_failed", headers={"ETag": etag_of(obj)})


def with_etag(response: HttpResponse, obj) -> HttpResponse:
    response["ETag"] = etag_of(obj)
    return response
