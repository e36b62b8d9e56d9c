"""Idempotency keys of the open API, beside the table that keeps the first answers (``IdempotencyRecord``).

``idempotent(request, create)``: a create that carries ``Idempotency-Key`` runs once; a repeat with the same key
answers the first answer (same status and body); the same key with another body is a 422. The other shared rules
(problem details, cursor pages, ETag / If-Match) stay in ``hirelens.core.apitools``: they touch no app's table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hirelens.core.apitools import ApiProblem

from .models import IdempotencyRecord


def _request_fingerprint(request: HttpRequest) -> str:
    body = request.body if request.content_type != "multipart/form-data" else b""
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + body).hexdigest()


def idempotent(request: HttpRequest, create: Callable[[], tuple[int, object]]) -> tuple[int, object]:
    """Run ``create`` (which returns ``(status, body)``) once per ``Idempotency-Key`` of this caller.

    The first answer is stored with the key (24 hours, see ``IdempotencyRecord``); a retry with the same key and the
    same request answers it again without running ``create``; the same key with another request is a 422."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return create()
    if len(key) > 200:
        raise ApiProblem(400, _("请求参数不正确。"), _("Idempotency-Key 最长 200 个字符。"), code="invalid_request")
    owner = IdempotencyRecord.owner_of(request)
    fingerprint = _request_fingerprint(request)
    found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if found is not None and not found.expired():
        if found.fingerprint != fingerprint:
            raise ApiProblem(422, _("Idempotency-Key 已用于另一个请求。"), _("请为新的请求使用新的 Idempotency-Key。"),
                             code="idempotency_key_reused")
        return found.status, json.loads(found.body)
    try:
        with transaction.atomic():
            status, body = create()
            from ninja.responses import NinjaJSONEncoder

            stored = json.dumps(body, cls=NinjaJSONEncoder, ensure_ascii=False)
            if found is not None:
                found.delete()
            IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=fingerprint, status=status, body=stored,
                                             organization_id=getattr(request.user, "organization_id", None))
    except IntegrityError:  # a concurrent retry with the same key won (unique owner+key): this one is undone
        first = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if first is None or first.fingerprint != fingerprint:
            raise ApiProblem(409, _("同一 Idempotency-Key 的请求正在处理。"), code="idempotency_conflict")
        return first.status, json.loads(first.body)
    return status, body
