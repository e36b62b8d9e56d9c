"""Writes of the webhooks app: endpoints (create, edit, rotate the secret, delete) and deliveries (create with the event,
send with a lease, retry with back-off for 24 hours, resend).

Durability: ``deliveries_create`` is an in-transaction subscriber of the event bus (``hirelens.core.events``), so the
delivery rows are written in the same transaction as the change that emitted the event: both commit or neither does.
After the commit a Huey task is queued per row; a task lost in a crash (between the commit and the queue, or a worker
killed while sending) is found by the sweep (``tasks.sweep``), since the row says what is still to do.

Order: a delivery is not sent while an older one for the same endpoint and the same object (``object_key``) is still
pending; when one finishes (delivered or given up), the next one for that object is queued.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.events import Event
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from .models import ERRORS, EVENT_LABELS, WebhookAttempt, WebhookDelivery, WebhookEndpoint, error_label  # noqa: F401

logger = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)  # after this, a delivery that never got a 2xx is "failed"
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
RETRY_BASE_S = 30.0
RETRY_CAP_S = 2 * 3600.0
RESPONSE_EXCERPT = 1000  # characters of the receiver's answer kept per try
SECRET_PREFIX = "whsec_"
OPEN_STATES = (WebhookDelivery.State.PENDING, WebhookDelivery.State.SENDING)

# --- signing -----------------------------------------------------------------------------------------------------

def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: str) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the secret (the whole string, prefix included)."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def signature_header(endpoint: WebhookEndpoint, timestamp: int, body: str, *, now: datetime | None = None) -> str:
    """``v1=<hex>``, or during a rotation's grace period ``v1=<by the new secret> v1=<by the previous one>``."""
    return " ".join(f"v1={sign(secret, timestamp, body)}" for secret in endpoint.secrets_valid(now))


# --- endpoints ---------------------------------------------------------------------------------------------------

def _private(host: str) -> bool:
    """Whether ``host`` is or resolves to a loopback, private, link-local or otherwise non-public address."""
    try:
        addresses = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in socket.getaddrinfo(host, None)}
        except (socket.gaierror, UnicodeError):
            return False  # not resolvable now: the delivery checks again (and fails to connect)
    return any(not a.is_global or a.is_multicast for a in addresses)


def address_allowed(url: str) -> bool:
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return True
    host = urlsplit(url).hostname or ""
    return bool(host) and host.lower() != "localhost" and not _private(host)


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("请填写以 https:// 或 http:// 开头的完整地址。")}) from None
    if len(url) > 500:
        raise ValidationError({"url": _("地址最长 500 个字符。")})
    if not address_allowed(url):
        raise ValidationError({"url": _("不能投递到内网、本机或保留地址。")})
    return url


def _clean_types(event_types) -> list[str]:
    chosen = sorted(set(event_types or []))
    unknown = [t for t in chosen if t not in EVENT_LABELS]
    if unknown:
        raise ValidationError({"event_types": _("未知的事件：%(types)s") % {"types": ", ".join(unknown)}})
    if not chosen:
        raise ValidationError({"event_types": _("请至少选择一个事件。")})
    return chosen


def _same_org(actor, endpoint: WebhookEndpoint) -> None:
    if endpoint.organization_id != actor.organization_id:
        raise ValidationError(_("只能操作本组织的数据。"))


@transaction.atomic
def endpoint_create(*, actor, url: str, event_types, description: str = "", request=None) -> tuple[WebhookEndpoint, str]:
    """A new subscription. Returns the row and its signing secret, which is shown this once."""
    require_perm(actor, Perm.ORG_SETTINGS)
    secret = new_secret()
    endpoint = WebhookEndpoint(organization_id=actor.organization_id, url=_clean_url(url), event_types=_clean_types(event_types),
                               description=(description or "").strip()[:200], secret=secret, created_by=actor)
    endpoint.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=endpoint, fields=["url", "event_types", "secret"], request=request)
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, actor, endpoint: WebhookEndpoint, url: str | None = None, event_types=None, description: str | None = None,
                    active: bool | None = None, request=None) -> WebhookEndpoint:
    """Change what is given (the rest stays). A disabled endpoint gets no new deliveries; its pending ones fail."""
    require_perm(actor, Perm.ORG_SETTINGS)
    _same_org(actor, endpoint)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changed = []
    for name, value in (("url", None if url is None else _clean_url(url)),
                        ("event_types", None if event_types is None else _clean_types(event_types)),
                        ("description", None if description is None else description.strip()[:200]),
                        ("active", active)):
        if value is not None and getattr(endpoint, name) != value:
            setattr(endpoint, name, value)
            changed.append(name)
    if changed:
        endpoint.save(update_fields=[*changed, "updated_at"])
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=endpoint, fields=changed, request=request)
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor, endpoint: WebhookEndpoint, now: datetime | None = None, request=None) -> tuple[WebhookEndpoint, str]:
    """A new secret (returned, shown once); the current one stays valid for 24 hours beside it."""
    require_perm(actor, Perm.ORG_SETTINGS)
    _same_org(actor, endpoint)
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = new_secret()
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, now + PREVIOUS_SECRET_GRACE
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=endpoint, fields=["secret"], request=request)
    return endpoint, secret


@transaction.atomic
def endpoint_delete(*, actor, endpoint: WebhookEndpoint, request=None) -> None:
    require_perm(actor, Perm.ORG_SETTINGS)
    _same_org(actor, endpoint)
    audit_record(action=AuditEvent.Action.DELETE, actor=actor, obj=endpoint, fields=["url"], request=request)
    endpoint.delete()


# --- deliveries: created with the event ---------------------------------------------------------------------------

def event_body(evt: Event, *, event_id: str, created_at: datetime) -> str:
    """The JSON every subscriber of ``evt`` receives: ids and codes only; the receiver reads details with its API key."""
    data = {k: v for k, v in evt.payload().items() if k != "organization_id"}
    return json.dumps({"id": event_id, "type": evt.name, "created_at": created_at.isoformat(), "organization": evt.organization_id,
                       "data": data}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def deliveries_create(evt: Event) -> list[WebhookDelivery]:
    """In-transaction subscriber of every event: one pending delivery per active endpoint subscribed to its type."""
    if not type(evt).webhook:
        return []
    endpoints = [e for e in WebhookEndpoint.objects.filter(organization_id=evt.organization_id, active=True).only("pk", "event_types")
                 if evt.name in (e.event_types or [])]
    if not endpoints:
        return []
    now = timezone.now()
    event_id = "evt_" + uuid.uuid4().hex
    body = event_body(evt, event_id=event_id, created_at=now)
    rows = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(organization_id=evt.organization_id, endpoint_id=e.pk, event_id=event_id, event_type=evt.name,
                        object_key=evt.object_key[:80], body=body, next_attempt_at=now, give_up_at=now + RETRY_WINDOW)
        for e in endpoints])
    ids = [row.pk for row in rows if row.pk] or list(
        WebhookDelivery.objects.filter(event_id=event_id).values_list("pk", flat=True))  # backends without RETURNING
    transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids, *, delay: float = 0) -> None:
    from .tasks import webhook_deliver_task

    for pk in ids:
        try:
            if delay > 0:
                webhook_deliver_task.schedule((pk,), delay=delay)
            else:
                webhook_deliver_task(pk)
        except Exception:  # the queue is down: the row is still pending and the sweep queues it again
            logger.exception("webhook delivery %s: could not queue", pk)


# --- deliveries: sending ------------------------------------------------------------------------------------------

def lease() -> timedelta:
    return timedelta(seconds=max(float(settings.JOB_LEASE_S), 3 * float(settings.WEBHOOKS_TIMEOUT_S)))


def _older_open():
    return WebhookDelivery.objects.filter(endpoint_id=OuterRef("endpoint_id"), object_key=OuterRef("object_key"), pk__lt=OuterRef("pk"),
                                          state__in=OPEN_STATES)


def _claim(delivery_id: int, now: datetime) -> datetime | None:
    """Take the delivery for this worker until the returned lease end, or None (not due, taken, done, or an older
    delivery about the same object is still open)."""
    until = now + lease()
    claimed = (WebhookDelivery.objects.filter(pk=delivery_id)
               .filter(Q(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
                       | Q(state=WebhookDelivery.State.SENDING, locked_until__lt=now))
               .filter(~Exists(_older_open()))
               .update(state=WebhookDelivery.State.SENDING, locked_until=until, updated_at=now))
    return until if claimed else None


def backoff(attempt: int) -> float:
    """Seconds before try ``attempt + 1``: exponential from 30 s, capped at 2 h, with jitter (50-100 %)."""
    return min(RETRY_CAP_S, RETRY_BASE_S * 2 ** max(0, attempt - 1)) * random.uniform(0.5, 1.0)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> dict:
    """One HTTP try, outside any transaction. Returns the attempt's fields."""
    import httpx

    if not address_allowed(endpoint.url):
        return {"error": "address_blocked"}
    timestamp = int(now.timestamp())
    headers = {"Content-Type": "application/json", "User-Agent": "HireLens-Webhooks/1",
               "HireLens-Webhook-Id": delivery.event_id, "HireLens-Webhook-Timestamp": str(timestamp),
               "HireLens-Signature": signature_header(endpoint, timestamp, delivery.body, now=now)}
    started = time.monotonic()
    try:
        response = httpx.post(endpoint.url, content=delivery.body.encode(), headers=headers,
                              timeout=float(settings.WEBHOOKS_TIMEOUT_S), follow_redirects=False)
    except httpx.TimeoutException as exc:
        return {"error": "timeout", "duration_ms": int((time.monotonic() - started) * 1000), "response_excerpt": str(exc)[:RESPONSE_EXCERPT]}
    except httpx.HTTPError as exc:
        return {"error": "connection", "duration_ms": int((time.monotonic() - started) * 1000),
                "response_excerpt": f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT]}
    ok = 200 <= response.status_code < 300
    return {"status_code": response.status_code, "duration_ms": int((time.monotonic() - started) * 1000),
            "response_excerpt": response.text[:RESPONSE_EXCERPT], "succeeded": ok, "error": "" if ok else "http_status"}


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Try one delivery once (if it is due and its turn): claim it with a lease, POST, record the try and the outcome.

    A 2xx answer delivers it; anything else schedules the next try with back-off, until 24 hours after the event, when
    it fails. The outcome is stored only while the lease is still this worker's (the sweep may have given the
    delivery to another after a stall); the HTTP call happens outside any transaction."""
    now = now or timezone.now()
    until = _claim(delivery_id, now)
    if until is None:
        return WebhookDelivery.objects.filter(pk=delivery_id).first()
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if now >= delivery.give_up_at:
        return _finish(delivery, until, now, attempt=None, error="expired")
    if not endpoint.active:
        return _finish(delivery, until, now, attempt=None, error="disabled")
    attempt = _post(endpoint, delivery, now)
    return _finish(delivery, until, now, attempt=attempt, error=attempt.get("error", ""))


def _finish(delivery: WebhookDelivery, until: datetime, now: datetime, *, attempt: dict | None, error: str) -> WebhookDelivery | None:
    State = WebhookDelivery.State
    fields: dict = {"locked_until": None, "updated_at": timezone.now()}
    retry_in = None
    if attempt is not None:
        fields["attempts"] = delivery.attempts + 1
        fields["last_status_code"] = attempt.get("status_code")
        fields["last_error"] = error
    if attempt is not None and attempt.get("succeeded"):
        fields.update(state=State.DELIVERED, delivered_at=now, last_error="")
    elif attempt is not None and error != "address_blocked":
        retry_in = backoff(fields["attempts"])
        next_at = now + timedelta(seconds=retry_in)
        if next_at < delivery.give_up_at:
            fields.update(state=State.PENDING, next_attempt_at=next_at)
        else:
            fields.update(state=State.FAILED, last_error=error or "expired")
            retry_in = None
    else:
        fields.update(state=State.FAILED, last_error=error)
    with transaction.atomic():
        if not WebhookDelivery.objects.filter(pk=delivery.pk, state=State.SENDING, locked_until=until).update(**fields):
            logger.warning("webhook delivery %s: lease lost; this try's outcome is discarded", delivery.pk)
            return WebhookDelivery.objects.filter(pk=delivery.pk).first()
        if attempt is not None:
            WebhookAttempt.objects.create(organization_id=delivery.organization_id, delivery=delivery,
                                          status_code=attempt.get("status_code"), duration_ms=attempt.get("duration_ms", 0),
                                          response_excerpt=attempt.get("response_excerpt", "")[:RESPONSE_EXCERPT],
                                          error=error, succeeded=bool(attempt.get("succeeded")))
        if retry_in is not None:
            transaction.on_commit(lambda: _enqueue([delivery.pk], delay=retry_in))
        else:
            transaction.on_commit(lambda: _next_in_order(delivery))
    delivery.refresh_from_db()
    return delivery


def _next_in_order(delivery: WebhookDelivery) -> None:
    """The delivery finished: the next open one about the same object (if any) may go now."""
    following = (WebhookDelivery.objects.filter(endpoint_id=delivery.endpoint_id, object_key=delivery.object_key, pk__gt=delivery.pk,
                                                state=WebhookDelivery.State.PENDING).order_by("pk").values_list("pk", flat=True).first())
    if following:
        _enqueue([following])


@transaction.atomic
def delivery_resend(*, actor, delivery: WebhookDelivery, request=None) -> WebhookDelivery:
    """Send a delivery's event again (a new delivery with the same event id and body, queued now, ordered after the
    deliveries already open for that object)."""
    require_perm(actor, Perm.ORG_SETTINGS)
    _same_org(actor, delivery)
    if not delivery.endpoint.active:
        raise ValidationError(_("该 Webhook 地址已停用，请先启用。"))
    now = timezone.now()
    again = WebhookDelivery.objects.create(organization_id=delivery.organization_id, endpoint_id=delivery.endpoint_id,
                                           event_id=delivery.event_id, event_type=delivery.event_type, object_key=delivery.object_key,
                                           body=delivery.body, next_attempt_at=now, give_up_at=now + RETRY_WINDOW, resent_from=delivery)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=delivery.endpoint, fields=[f"resend:{delivery.pk}"], request=request)
    transaction.on_commit(lambda: _enqueue([again.pk]))
    return again


# --- recovery -----------------------------------------------------------------------------------------------------

def deliveries_resume_stalled(*, now: datetime | None = None) -> dict:
    """What a crash left: deliveries whose worker died mid-try (lease expired: the try is logged as interrupted and
    the delivery is pending again) and due deliveries with no task (lost between the commit and the queue, or a
    flushed queue); each is queued again. Returns the counts."""
    now = now or timezone.now()
    State = WebhookDelivery.State
    interrupted: list[int] = []
    for pk, org_id, attempts in (WebhookDelivery.objects.filter(state=State.SENDING, locked_until__lt=now)
                                 .values_list("pk", "organization_id", "attempts")[:1000]):
        with transaction.atomic():
            if WebhookDelivery.objects.filter(pk=pk, state=State.SENDING, locked_until__lt=now).update(
                    state=State.PENDING, locked_until=None, attempts=attempts + 1, last_error="interrupted", updated_at=now):
                WebhookAttempt.objects.create(organization_id=org_id, delivery_id=pk, error="interrupted")
                interrupted.append(pk)
    # due for longer than a lease and not blocked by an older one: its task was lost (a queued task runs within a lease)
    lost = list(WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now - lease(), updated_at__lt=now - lease())
                .filter(~Exists(_older_open())).values_list("pk", flat=True)[:1000])
    WebhookDelivery.objects.filter(pk__in=lost).update(updated_at=now)  # not picked again by the next sweep
    again = sorted(set(lost) | set(interrupted))
    _enqueue(again)
    return {"interrupted": len(interrupted), "requeued": len(again)}


def deliveries_stuck(*, now: datetime | None = None) -> dict:
    """For /healthz: tries whose worker died (lease expired) and the wait of the oldest delivery never tried. A
    receiver that keeps failing is the company's problem, not this server's: its retries are not counted."""
    now = now or timezone.now()
    State = WebhookDelivery.State
    expired = WebhookDelivery.objects.filter(state=State.SENDING, locked_until__lt=now).count()
    oldest = (WebhookDelivery.objects.filter(state=State.PENDING, attempts=0, next_attempt_at__lte=now).filter(~Exists(_older_open()))
              .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first())
    return {"expired_leases": expired, "oldest_queued_s": round((now - oldest).total_seconds(), 1) if oldest else None}
