from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .realtime import audience_allows, organization_group, user_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_SECOND_FACTOR_OWED = 4403


@database_sync_to_async
def _second_factor_owed(user, session) -> bool:
    from hirelens.core.second_factor import second_factor_owed

    return second_factor_owed(user=user, session=session)


@database_sync_to_async
def _allowed(user_id: int, audience: dict) -> bool:
    """Re-read the user for every event: a deactivated account or a changed role takes effect at once."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    return audience_allows(user, audience)


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Pushes events to the signed-in staff member: their own, and their organization's that they may see.

    The one choke point for live events: each organization event is relayed only if its audience allows
    this user (``realtime.audience_allows``, built on the pages' ``access_*`` functions)."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active or not user.organization_id:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if await _second_factor_owed(user, self.scope.get("session")):
            await self.close(code=CLOSE_SECOND_FACTOR_OWED)  # a password-only session of a 2FA user
            return
        self.user_id = user.pk
        self.groups_joined = [user_group(user.pk), organization_group(user.organization_id)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "hello", "payload": {"user": user.pk}})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"event": "pong", "payload": {}})

    async def relay_event(self, message):
        if not await _allowed(self.user_id, message.get("audience") or {}):
            return
        await self.send_json({"event": message["event"], "payload": message["payload"]})
