from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .realtime import organization_group, user_group


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Pushes events meant for the signed-in staff member (and their organization) to the browser."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active or not user.organization_id:
            await self.close(code=4401)
            return
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
        await self.send_json({"event": message["event"], "payload": message["payload"]})
