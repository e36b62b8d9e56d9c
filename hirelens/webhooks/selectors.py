"""Reads of the webhooks app."""

from __future__ import annotations

from django.db.models import Count, Q

from hirelens.core.access import require_perm, tenant_queryset
from hirelens.core.roles import Perm

from .models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, actor):
    require_perm(actor, Perm.ORG_SETTINGS)
    return tenant_queryset(WebhookEndpoint.objects.all(), actor=actor).annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
        pending_count=Count("deliveries", filter=Q(deliveries__state__in=[WebhookDelivery.State.PENDING,
                                                                          WebhookDelivery.State.SENDING])))


def delivery_list(*, actor, endpoint: WebhookEndpoint, state: str = "", event_type: str = ""):
    """The endpoint's deliveries, newest first, with their tries (one query for all tries of a page)."""
    require_perm(actor, Perm.ORG_SETTINGS)
    qs = tenant_queryset(WebhookDelivery.objects.filter(endpoint=endpoint), actor=actor).prefetch_related("tries")
    if state:
        qs = qs.filter(state=state)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs.order_by("-created_at", "-pk")
