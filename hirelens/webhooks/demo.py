"""Demo: one webhook endpoint of the demo company (an HRIS) with a delivery log: some events delivered and one that
failed after its retries. Rows are written as they would stand after the worker's tries (no HTTP at load time).
Idempotent: nothing is added when the endpoint exists."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from hirelens.core import events

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import RETRY_WINDOW, endpoint_create, event_body

URL = "https://hris.example.com/hooks/hirelens"


def load(ctx) -> None:
    org, admin = ctx.organization, ctx.users["admin"]
    if WebhookEndpoint.objects.filter(organization=org, url=URL).exists():
        return
    endpoint, _secret = endpoint_create(actor=admin, url=URL, description="HRIS 同步",
                                        event_types=["candidate.created", "application.moved", "interview.analysed",
                                                     "decision.recorded", "deletion.done"])
    from hirelens.candidates.models import Application

    applications = list(Application.objects.filter(organization=org).order_by("pk")[:4])
    now = timezone.now()
    samples = [events.CandidateCreated(organization_id=org.pk, candidate_id=a.candidate_id, source="manual") for a in applications[:2]]
    samples += [events.ApplicationMoved(organization_id=org.pk, application_id=a.pk, position_id=a.position_id, action="advance",
                                        state="active") for a in applications[2:4]]
    for index, evt in enumerate(samples):
        at = now - timedelta(hours=30 - index)
        failed = index == len(samples) - 1
        event_id = "evt_" + uuid.uuid4().hex
        delivery = WebhookDelivery.objects.create(
            organization=org, endpoint=endpoint, event_id=event_id, event_type=evt.name, object_key=evt.object_key,
            body=event_body(evt, event_id=event_id, created_at=at), give_up_at=at + RETRY_WINDOW,
            state=WebhookDelivery.State.FAILED if failed else WebhookDelivery.State.DELIVERED,
            attempts=3 if failed else 1, delivered_at=None if failed else at + timedelta(seconds=1),
            last_status_code=503 if failed else 200, last_error="http_status" if failed else "")
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=at)
        tries = [(503, "Service Unavailable", False)] * 3 if failed else [(200, "OK", True)]
        for n, (code, text, ok) in enumerate(tries):
            attempt = WebhookAttempt.objects.create(organization=org, delivery=delivery, status_code=code, duration_ms=120 + 40 * n,
                                                    response_excerpt=text, error="" if ok else "http_status", succeeded=ok)
            WebhookAttempt.objects.filter(pk=attempt.pk).update(created_at=at + timedelta(minutes=n * n))
    ctx.log.append(f"webhooks: 1 endpoint, {len(samples)} deliveries")
