"""Webhook subscriptions over HTTP (scope ``webhooks``): endpoints, secret rotation, the delivery log, resend.

Only the organization's HR admins (organization settings) may use these, with a session or with a key acting as one.
How deliveries are signed and how to verify them: docs/webhooks.md.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from hirelens.core.access import require_perm
from hirelens.core.apitools import check_if_match, cursor_page, with_etag
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent

from . import selectors, services
from .access import access_delivery, access_endpoint
from .models import EVENT_LABELS, WebhookDelivery

API_PREFIX = "/webhooks/"
router = Router(tags=["webhooks"], auth=api_auth("webhooks"))

EXAMPLE_TYPES = ["interview.analysed", "decision.recorded"]


class EventTypeOut(Schema):
    type: str = Field(description="The event type, as in a delivery's `type` and an endpoint's `event_types`.")
    label: str = Field(description="Its name in the caller's language.")


class EndpointOut(Schema):
    id: int
    url: str = Field(description="Where deliveries are POSTed.")
    description: str
    event_types: list[str] = Field(description="The event types this endpoint receives.")
    event_labels: list[str] = Field(description="The same event types, named in the caller's language.")
    active: bool = Field(description="False: no new deliveries; pending ones fail.")
    rotation_ends_at: datetime | None = Field(None, description="While set, deliveries are also signed with the previous "
                                                                "secret (until this time, 24 hours after a rotation).")
    created_at: datetime
    updated_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="The signing secret (whsec_…). Shown in this answer only: store it now.")


class EndpointListOut(Schema):
    items: list[EndpointOut]
    next: str | None = Field(None, description="Cursor of the next page (pass as `cursor`), null on the last page.")


class EndpointIn(Schema):
    url: str = Field(description="An https:// (or http://) URL; in production it must be a public address.", max_length=500)
    event_types: list[str] = Field(description="One or more event types (GET /webhooks/event-types).")
    description: str = Field("", description="What the endpoint is for (shown in the list).", max_length=200)

    model_config = {"json_schema_extra": {"examples": [{"url": "https://hr.example.com/hooks/hirelens",
                                                        "event_types": EXAMPLE_TYPES, "description": "HRIS 同步"}]}}


class EndpointPatch(Schema):
    url: str | None = Field(None, description="A new URL.", max_length=500)
    event_types: list[str] | None = Field(None, description="The new complete list of event types.")
    description: str | None = Field(None, max_length=200, description="A new description.")
    active: bool | None = Field(None, description="False disables the endpoint, true enables it again.")

    model_config = {"json_schema_extra": {"examples": [{"event_types": ["interview.analysed"], "active": True}]}}


class AttemptOut(Schema):
    at: datetime = Field(description="When the try was made.")
    status_code: int | None = Field(None, description="The receiver's HTTP status; null when it did not answer.")
    duration_ms: int
    succeeded: bool = Field(description="True for a 2xx answer.")
    error: str = Field(description="Why the try failed, as a code (http_status, timeout, connection, address_blocked, "
                                   "interrupted), empty when it succeeded.")
    error_label: str = Field(description="The same in the caller's language.")
    response_excerpt: str = Field(description="The start of the receiver's answer (at most 1,000 characters).")


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="The event's id (HireLens-Webhook-Id): the same on every try and on a resend.")
    type: str = Field(description="The event type.")
    type_label: str
    status: str = Field(description="pending, sending, delivered or failed.")
    status_label: str = Field(description="The status in the caller's language.")
    attempts: int = Field(description="How many tries were made.")
    next_attempt_at: datetime | None = Field(None, description="When a pending delivery is tried next.")
    give_up_at: datetime = Field(description="After this (24 hours after the event) an undelivered delivery fails.")
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str
    last_error_label: str
    resent_from: int | None = Field(None, description="The delivery this one resends.")
    created_at: datetime


class DeliveryDetailOut(DeliveryOut):
    body: str = Field(description="The exact JSON body sent (and signed).")
    tries: list[AttemptOut]


class DeliveryListOut(Schema):
    items: list[DeliveryOut]
    next: str | None = Field(None, description="Cursor of the next page, null on the last page.")


def _endpoint(e) -> dict:
    return {"id": e.pk, "url": e.url, "description": e.description, "event_types": list(e.event_types or []),
            "event_labels": e.event_labels(), "active": e.active,
            "rotation_ends_at": e.previous_secret_expires_at if e.previous_secret else None,
            "created_at": e.created_at, "updated_at": e.updated_at}


def _delivery(d: WebhookDelivery) -> dict:
    return {"id": d.pk, "event_id": d.event_id, "type": d.event_type, "type_label": d.event_label, "status": d.state,
            "status_label": str(d.get_state_display()), "attempts": d.attempts, "next_attempt_at": d.next_attempt_at
            if d.state == WebhookDelivery.State.PENDING else None, "give_up_at": d.give_up_at, "delivered_at": d.delivered_at,
            "last_status_code": d.last_status_code, "last_error": d.last_error, "last_error_label": services.error_label(d.last_error),
            "resent_from": d.resent_from_id, "created_at": d.created_at}


def _detail(d: WebhookDelivery) -> dict:
    return _delivery(d) | {"body": d.body, "tries": [
        {"at": t.created_at, "status_code": t.status_code, "duration_ms": t.duration_ms, "succeeded": t.succeeded, "error": t.error,
         "error_label": services.error_label(t.error), "response_excerpt": t.response_excerpt} for t in d.tries.all()]}


@router.get("/event-types", response=list[EventTypeOut], summary="List the event types")
def event_types(request):
    """The event types an endpoint can subscribe to, with their names in the caller's language."""
    require_perm(request.user, Perm.ORG_SETTINGS)
    return [{"type": t, "label": str(label)} for t, label in EVENT_LABELS.items()]


@router.get("/endpoints", response=EndpointListOut, summary="List webhook endpoints")
def endpoint_list(request, cursor: str = "", limit: int = Query(20, ge=1, le=100), active: bool | None = None):
    """The organization's webhook endpoints, newest first (cursor pages). `active` filters enabled or disabled ones."""
    qs = selectors.endpoint_list(actor=request.user)
    if active is not None:
        qs = qs.filter(active=active)
    page = cursor_page(qs, cursor=cursor, limit=limit)
    return {"items": [_endpoint(e) for e in page.items], "next": page.next}


@router.post("/endpoints", response={201: EndpointCreatedOut}, summary="Create a webhook endpoint")
def endpoint_create(request, payload: EndpointIn):
    """Subscribe a URL to event types. The answer carries the signing secret, shown this once. Honours
    `Idempotency-Key` (a retry answers the first answer, secret included, for 24 hours)."""

    def create():
        endpoint, secret = services.endpoint_create(actor=request.user, url=payload.url, event_types=payload.event_types,
                                                    description=payload.description, request=request)
        return 201, _endpoint(endpoint) | {"secret": secret}

    return idempotent(request, create)


@router.get("/endpoints/{id:endpoint_id}", response=EndpointOut, summary="Read a webhook endpoint")
def endpoint_get(request, endpoint_id: int, response: HttpResponse):
    """One endpoint (never its secret), with its `ETag` for a later `PATCH` with `If-Match`."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    with_etag(response, endpoint)
    return _endpoint(endpoint)


@router.patch("/endpoints/{id:endpoint_id}", response=EndpointOut, summary="Change a webhook endpoint",
              openapi_extra={"requestBody": {"content": {"application/json": {"example": {"event_types": EXAMPLE_TYPES, "active": False}}}}})
def endpoint_update(request, endpoint_id: int, payload: EndpointPatch, response: HttpResponse):
    """Change the URL, the event types, the description, or enable / disable the endpoint. Fields left out stay.
    With `If-Match`, refused (412) when the endpoint changed since it was read."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    check_if_match(request, endpoint)
    endpoint = services.endpoint_update(actor=request.user, endpoint=endpoint, url=payload.url, event_types=payload.event_types,
                                        description=payload.description, active=payload.active, request=request)
    with_etag(response, endpoint)
    return _endpoint(endpoint)


@router.delete("/endpoints/{id:endpoint_id}", response={204: None}, summary="Delete a webhook endpoint")
def endpoint_delete(request, endpoint_id: int):
    """Delete the endpoint and its delivery log. With `If-Match`, refused (412) when it changed since it was read."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    check_if_match(request, endpoint)
    services.endpoint_delete(actor=request.user, endpoint=endpoint, request=request)
    return 204, None


@router.post("/endpoints/{id:endpoint_id}/rotate-secret", response=EndpointCreatedOut, summary="Rotate the signing secret")
def endpoint_rotate(request, endpoint_id: int):
    """A new signing secret, shown in this answer only. The previous one stays valid for 24 hours: until then every
    delivery carries two signatures (`HireLens-Signature: v1=<new> v1=<previous>`)."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    endpoint, secret = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint, request=request)
    return _endpoint(endpoint) | {"secret": secret}


@router.get("/endpoints/{id:endpoint_id}/deliveries", response=DeliveryListOut, summary="List an endpoint's deliveries")
def delivery_list(request, endpoint_id: int, cursor: str = "", limit: int = Query(20, ge=1, le=100),
                  status: WebhookDelivery.State | None = None, type: str = ""):
    """The delivery log, newest first (cursor pages); filter by `status` and by event `type`."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    qs = selectors.delivery_list(actor=request.user, endpoint=endpoint, state=status or "", event_type=type)
    page = cursor_page(qs, cursor=cursor, limit=limit, salt=f"webhooks:{endpoint.pk}")
    return {"items": [_delivery(d) for d in page.items], "next": page.next}


@router.get("/endpoints/{id:endpoint_id}/deliveries/{id:delivery_id}", response=DeliveryDetailOut, summary="Read a delivery")
def delivery_get(request, endpoint_id: int, delivery_id: int, response: HttpResponse):
    """One delivery with its body and every try (status, duration, the start of the receiver's answer)."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    delivery = access_delivery(actor=request.user, delivery_id=delivery_id, endpoint=endpoint)
    with_etag(response, delivery)
    return _detail(delivery)


@router.post("/endpoints/{id:endpoint_id}/deliveries/{id:delivery_id}/resend", response={201: DeliveryOut}, summary="Resend a delivery")
def delivery_resend(request, endpoint_id: int, delivery_id: int):
    """Send the delivery's event again: a new delivery with the same event id and body, queued now. Honours
    `Idempotency-Key`."""
    endpoint = access_endpoint(actor=request.user, endpoint_id=endpoint_id)
    delivery = access_delivery(actor=request.user, delivery_id=delivery_id, endpoint=endpoint)

    def create():
        return 201, _delivery(services.delivery_resend(actor=request.user, delivery=delivery, request=request))

    return idempotent(request, create)
