"""Fetch one webhook endpoint or delivery for an actor: the organization's HR admins (organization settings) only."""

from __future__ import annotations

from hirelens.core.access import get_for_actor, require_perm
from hirelens.core.roles import Perm

from .models import WebhookDelivery, WebhookEndpoint


def access_endpoint(*, actor, endpoint_id) -> WebhookEndpoint:
    require_perm(actor, Perm.ORG_SETTINGS)
    return get_for_actor(WebhookEndpoint.objects.all(), actor=actor, pk=endpoint_id)


def access_delivery(*, actor, delivery_id, endpoint: WebhookEndpoint | None = None) -> WebhookDelivery:
    require_perm(actor, Perm.ORG_SETTINGS)
    qs = WebhookDelivery.objects.select_related("endpoint")
    if endpoint is not None:
        qs = qs.filter(endpoint=endpoint)
    return get_for_actor(qs, actor=actor, pk=delivery_id)
