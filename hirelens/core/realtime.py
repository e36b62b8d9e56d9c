"""Server-to-browser events over Channels. Services publish after commit; consumers only relay."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def organization_group(organization_id: int) -> str:
    return f"org.{organization_id}"


def publish(group: str, event: str, payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, {"type": "relay.event", "event": event, "payload": payload})


def publish_on_commit(group: str, event: str, payload: dict) -> None:
    transaction.on_commit(lambda: publish(group, event, payload))
