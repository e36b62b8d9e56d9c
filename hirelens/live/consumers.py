"""Signalling of the live room (``ws/live/<room_id>/``): the protocol of docs/live.md.

The consumer authenticates (staff through ``access_room``, the candidate through the browser session that
opened the link), relays WebRTC signals between the room's pages, and calls services for every write
(through ``database_sync_to_async``; it never writes a model itself). Who is connected right now lives in
this process (``PRESENCE``): a room's pages must reach the same server process (the default single process,
or sticky routing by room when scaled out).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from . import janus, selectors, services
from .access import access_room, candidate_room_actor
from .models import LiveRoom, RoomQuestion
from .panel_history import panel_history

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_SECOND_FACTOR_OWED = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_REPLACED = 4409
CLOSE_ENDED = 4410
CLOSE_IDLE = 4408  # a joined page sent nothing (not even its ping) for LIVE_IDLE_CLOSE_S

# room id -> peer id -> the participant's public state plus its channel
PRESENCE: dict[int, dict[str, dict]] = {}
_SEQ = itertools.count(1)
_BACKGROUND: set[asyncio.Future] = set()
MAX_SIGNAL_BYTES = 64 * 1024
PUBLIC_FIELDS = ("peer", "role", "name", "muted", "camera_off", "screen", "level", "seq", "admitted")


def _background(coroutine) -> None:
    task = asyncio.ensure_future(coroutine)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


def _public(entry: dict) -> dict:
    return {k: entry.get(k) for k in PUBLIC_FIELDS}


def _clean_peer(value) -> str:
    value = str(value or "")[:64]
    return value if value and all(c.isalnum() or c in "-_" for c in value) else ""


@database_sync_to_async
def _staff_room(user, session, room_id):
    from hirelens.core.second_factor import second_factor_owed

    if second_factor_owed(user=user, session=session):
        return None, CLOSE_SECOND_FACTOR_OWED
    try:
        return access_room(actor=user, room_id=room_id), None
    except Http404:
        return None, CLOSE_NOT_FOUND


@database_sync_to_async
def _candidate_room(session, room_id):
    try:
        guest = candidate_room_actor(session=session, room_id=room_id)
    except Http404:
        return None
    return guest, guest.candidate.full_name


@database_sync_to_async
def _reload(room_id: int) -> LiveRoom:
    return LiveRoom.objects.select_related("interview").get(pk=room_id)


def _errors(exc: ValidationError) -> tuple[str, str]:
    code = getattr(exc, "code", None) or "invalid"
    if hasattr(exc, "error_list") and exc.error_list:
        code = exc.error_list[0].code or code
    return code, " ".join(exc.messages)


class RoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        self.peer = ""
        self.groups_joined: list[str] = []
        self.last_heard = time.monotonic()
        self.watchdog: asyncio.Future | None = None
        user = self.scope.get("user")
        session = self.scope.get("session")
        self.user = None
        self.actor = None  # who acts in the room's services: the staff user, or the candidate's RoomGuestActor
        if user is not None and user.is_authenticated and user.is_active and user.organization_id:
            room, code = await _staff_room(user, session, self.room_id)
            if room is None:
                await self.close(code=code)
                return
            self.user, self.role, self.name = user, "interviewer", user.full_name
            self.actor = user
        else:
            found = await _candidate_room(session, self.room_id)
            if found is None:
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return
            self.actor, self.name = found
            room = self.actor.room
            self.role = "candidate"
        if room.state == LiveRoom.State.ENDED:
            await self.accept()
            await self.send_json({"type": "ended", "by": ""})
            await self.close(code=CLOSE_ENDED)
            return
        self.room = room
        await self.accept()
        _background(services.media_module())  # import the server peer's libraries while people gather

    @property
    def is_staff(self) -> bool:
        return self.role == "interviewer"

    # --- presence ------------------------------------------------------------------------------------

    def _peers(self) -> dict[str, dict]:
        return PRESENCE.setdefault(self.room_id, {})

    def _entry(self) -> dict | None:
        entry = self._peers().get(self.peer)
        return entry if entry is not None and entry["channel"] == self.channel_name else None

    def _visible_participants(self, admitted: bool) -> list[dict]:
        """What this page may know: staff see everyone (the waiting candidate too); the candidate sees the
        interviewers once admitted, nobody before."""
        out = []
        for entry in self._peers().values():
            if entry["peer"] == self.peer:
                continue
            if not self.is_staff and (not admitted or entry["role"] == "candidate"):
                continue
            out.append(_public(entry))
        return out

    async def _send_room(self, *, history_follows: bool = False):
        room = await _reload(self.room_id)
        self.room = room
        admitted = room.candidate_admitted
        entry = self._entry()
        talk = await database_sync_to_async(selectors.conversation)(room=room, staff=self.is_staff) \
            if self.is_staff or admitted else {}
        await self.send_json({
            "type": "room", "state": room.state, "voice_only": room.voice_only, "admitted": admitted,
            "you": _public(entry) if entry else {"peer": self.peer, "role": self.role, "name": self.name},
            "participants": self._visible_participants(admitted), "start_at": room.interview.start_at.isoformat(),
            "media_time_s": services.media_time(room),
            "janus": janus.janus_enabled(),  # media through the Janus SFU (live/janus.py)
            **talk,  # the questions (and notes, for interviewers) so far: a page back from a drop has what it missed
            **({"history_follows": True} if history_follows else {}),  # the panel's history is the next message
        })

    async def _group(self, message_type: str, payload: dict, *, staff_only: bool = False):
        group = services.staff_group(self.room_id) if staff_only else services.room_group(self.room_id)
        await self.channel_layer.group_send(group, {"type": message_type, **payload})

    # --- receive -----------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        self.last_heard = time.monotonic()
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    async def _watch_idle(self):
        """Close a joined socket that went silent: the others see it drop at once (then keep its tile for the page's
        15 s grace, as for any drop) instead of after the server's protocol-ping timeout."""
        limit = float(settings.LIVE_IDLE_CLOSE_S)
        while True:
            await asyncio.sleep(max(0.5, limit - (time.monotonic() - self.last_heard)))
            if time.monotonic() - self.last_heard >= limit:
                break
        logger.info("room %s: %s %s silent for %.0f s, dropped", self.room_id, self.role, self.peer, limit)
        self.watchdog = None
        await self._depart(CLOSE_IDLE)
        await self.close(code=CLOSE_IDLE)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong", "t": content.get("t")})
            return
        if kind == "join":
            await self._join(content)
            return
        if not self._entry():
            await self._error("not_joined", _("请先进入面试间。"))
            return
        handler = getattr(self, f"_on_{kind}", None) if isinstance(kind, str) and kind.isidentifier() else None
        if handler is None:
            await self._error("unknown", _("无法识别的消息。"))
            return
        try:
            await handler(content)
        except ValidationError as exc:
            code, message = _errors(exc)
            await self._error(code, message)

    async def _error(self, code: str, message: str):
        await self.send_json({"type": "error", "code": code, "message": message})

    async def _join(self, content):
        peer = _clean_peer(content.get("peer"))
        if not peer:
            await self._error("peer", _("连接标识无效，请刷新页面。"))
            return
        if self.peer and self.peer != peer:
            await self._error("peer", _("连接标识无效，请刷新页面。"))
            return
        peers = self._peers()
        old = peers.get(peer)
        if old is not None and old["role"] != self.role:
            await self._error("peer", _("连接标识无效，请刷新页面。"))
            return
        if old is not None and old.get("user_id") != (self.user.pk if self.user else None):
            await self._error("peer", _("连接标识无效，请刷新页面。"))
            return
        reconnect = bool(content.get("reconnect")) or old is not None
        try:
            room = await database_sync_to_async(services.room_join)(
                room=self.room, peer=peer, actor=self.actor, reconnect=reconnect)
        except ValidationError as exc:
            code, message = _errors(exc)
            await self._error(code, message)
            if code == "ended":
                await self.close(code=CLOSE_ENDED)
            return
        self.peer = peer
        media = content.get("media") if isinstance(content.get("media"), dict) else {}
        admitted = room.candidate_admitted or self.is_staff
        entry = {
            "peer": peer, "role": self.role, "name": self.name, "channel": self.channel_name,
            "user_id": self.user.pk if self.user else None,
            "muted": not media.get("audio", True), "camera_off": not media.get("video", True), "screen": False,
            "level": old.get("level") if old else None, "admitted": admitted,
            "seq": next(_SEQ) if admitted else 0,
        }
        peers[peer] = entry
        if old is not None and old["channel"] != self.channel_name:
            await self.channel_layer.send(old["channel"], {"type": "room.replaced"})
        if not self.is_staff:
            # one candidate per room: a second tab or device takes over, the earlier one is closed and dropped
            for other in [e for e in peers.values() if e["role"] == "candidate" and e["peer"] != peer]:
                peers.pop(other["peer"], None)
                await self.channel_layer.send(other["channel"], {"type": "room.replaced"})
                await self._group("room.peer", {"event": "peer_left", "peer_info": {
                    "peer": other["peer"], "role": "candidate", "name": other["name"], "leaving": True}})
        for group in [services.room_group(self.room_id)] + ([services.staff_group(self.room_id)] if self.is_staff else []):
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)
        await self._send_room(history_follows=self.is_staff)
        if self.is_staff:  # what the AI panel said before this page joined (panel_history.py), right after "room"
            await self.send_json({"type": "panel_history", **await database_sync_to_async(panel_history)(self.room_id)})
        await self._group("room.peer", {"event": "peer_joined", "peer_info": _public(entry), "reconnect": reconnect})
        if not self.is_staff:
            _background(self._prepare_media())
        if self.watchdog is None and settings.LIVE_IDLE_CLOSE_S > 0:
            self.watchdog = asyncio.ensure_future(self._watch_idle())

    async def _prepare_media(self):
        """Load the live models while the candidate waits (the first words after admission are then heard at once)."""
        media = await services.media_module()
        prepare = getattr(media, "room_media_prepare", None)
        if prepare is None:
            return
        try:
            await prepare(room_id=self.room_id)
        except Exception:
            logger.exception("room %s: media not prepared", self.room_id)

    async def _on_signal(self, content):
        target = self._peers().get(_clean_peer(content.get("to")))
        data = content.get("data")
        me = self._entry()
        if target is None or not isinstance(data, dict):
            await self._error("peer", _("对方已离开。"))
            return
        if len(json.dumps(data)) > MAX_SIGNAL_BYTES:  # an SDP is a few kB: nothing bigger is relayed
            await self._error("invalid", _("无法识别的消息。"))
            return
        # the candidate talks to admitted interviewers only, and nobody talks to a candidate still waiting
        if not me["admitted"] or not target["admitted"] or (not self.is_staff and target["role"] == "candidate"):
            await self._error("forbidden", _("对方尚未进入面试间。"))
            return
        await self.channel_layer.send(target["channel"], {"type": "room.signal", "from": self.peer, "data": data})

    async def _on_server_offer(self, content):
        me = self._entry()
        if not me["admitted"] or not isinstance(content.get("sdp"), str):
            await self._error("forbidden", _("对方尚未进入面试间。"))
            return
        # answered in the background: the server peer takes a while (first import, ICE gathering), and this
        # page's mesh signals must not wait behind it
        _background(self._server_answer(content["sdp"]))

    async def _server_answer(self, sdp: str):
        unavailable = _("服务器暂时无法接收音视频，面试可以继续。")
        media = await services.media_module()
        answer_fn = getattr(media, "server_peer_answer", None)
        try:
            if answer_fn is None:
                await self._error("server_peer", unavailable)
                return
            try:
                answer = await answer_fn(room_id=self.room_id, peer=self.peer, role=self.role, sdp=sdp, type="offer")
            except Exception:
                logger.exception("room %s: server peer failed", self.room_id)
                await self._error("server_peer", unavailable)
                return
            await self.send_json({"type": "server_answer", "sdp": answer["sdp"], "sdp_type": answer.get("type", "answer")})
        except Exception:  # the page went away meanwhile
            logger.info("room %s: server answer not delivered", self.room_id)

    async def _on_state(self, content):
        me = self._entry()
        for key in ("muted", "camera_off", "screen"):
            if key in content:
                me[key] = bool(content[key]) and (key != "screen" or self.is_staff)
        await self._broadcast_state(me)

    async def _on_quality(self, content):
        me = self._entry()
        level = content.get("level")
        me["level"] = level if level in {"good", "fair", "poor"} else None
        extra = {}
        for key in ("rtt_ms", "loss", "kbps"):
            value = content.get(key)
            if isinstance(value, (int, float)):
                extra[key] = round(float(value), 3)
        await self._broadcast_state(me, extra)

    async def _broadcast_state(self, me, extra=None):
        payload = {k: me.get(k) for k in ("peer", "role", "muted", "camera_off", "screen", "level")}
        await self._group("room.peer", {"event": "peer_state", "peer_info": {**payload, **(extra or {})}})

    async def _on_admit(self, content):
        if not self.is_staff:
            await self._error("forbidden", _("只有面试官可以这样做。"))
            return
        await database_sync_to_async(services.room_admit)(actor=self.user, room=self.room)

    async def _on_end(self, content):
        if not self.is_staff:
            await self._error("forbidden", _("只有面试官可以这样做。"))
            return
        await database_sync_to_async(services.room_end)(actor=self.user, room=self.room, end_media=False)
        # the recording is stored in the background: the end reaches everyone at once
        _background(services.aroom_media_end(self.room_id))

    async def _on_note(self, content):
        if not self.is_staff:
            await self._error("forbidden", _("只有面试官可以这样做。"))
            return
        tags = content.get("tags") if isinstance(content.get("tags"), list) else []
        await database_sync_to_async(services.note_add)(
            actor=self.user, room=await _reload(self.room_id), text=str(content.get("text", "")),
            tags=[str(t) for t in tags], media_time_s=content.get("media_time_s"))

    async def _on_question(self, content):
        if self.is_staff:
            await self._error("forbidden", _("只有候选人可以提问。"))
            return
        await database_sync_to_async(services.question_ask)(room=await _reload(self.room_id), actor=self.actor,
                                                             text=str(content.get("text", "")))

    async def _on_answer(self, content):
        if not self.is_staff:
            await self._error("forbidden", _("只有面试官可以这样做。"))
            return

        def answer():
            question = RoomQuestion.objects.filter(room_id=self.room_id, pk=content.get("question")).first() \
                if str(content.get("question", "")).isdigit() else None
            if question is None:
                raise ValidationError(_("问题不存在。"), code="question")
            return services.question_answer(actor=self.user, room=LiveRoom.objects.get(pk=self.room_id), question=question,
                                            text=str(content.get("text", "")), by_voice=bool(content.get("by_voice")))

        await database_sync_to_async(answer)()

    # --- group messages ------------------------------------------------------------------------------

    async def room_event(self, message):
        """A service's event (``services.publish_room``): forwarded as ``{"type": event, **payload}``."""
        event, payload = message["event"], message.get("payload") or {}
        if self.peer and payload.get("peer") == self.peer and event.startswith("peer_"):
            return
        if event == "admitted":
            # the first page of this process to hear it lets the waiting candidate into the mesh (a later seq than
            # every interviewer there: the candidate offers); every page then gets the room afresh
            for entry in self._peers().values():
                if entry["role"] == "candidate" and not entry["admitted"]:
                    entry["admitted"], entry["seq"] = True, next(_SEQ)
            await self.send_json({"type": "admitted", **payload})
            if self.peer:
                await self._send_room()
            return
        await self.send_json({"type": event, **payload})
        if event == "ended":
            await self.close(code=CLOSE_ENDED)

    async def room_peer(self, message):
        """Presence changes of other pages (joined, left, state); a waiting candidate hears none of them."""
        info = message["peer_info"]
        if not self.peer or info.get("peer") == self.peer:
            return
        if not self.is_staff:
            me = self._entry()
            if me is None or not me["admitted"] or info.get("role") == "candidate":
                return
        out = {"type": message["event"], **info}
        if "reconnect" in message:
            out["reconnect"] = message["reconnect"]
        await self.send_json(out)

    async def room_signal(self, message):
        await self.send_json({"type": "signal", "from": message["from"], "data": message["data"]})

    async def room_replaced(self, message):
        self.peer = ""  # the new connection owns the peer id now: leave without announcing a departure
        await self.close(code=CLOSE_REPLACED)

    async def _on_janus(self, content):  # the Janus SFU path: publish / subscribe through live/janus.py
        await janus.consumer_message(self, content)

    async def disconnect(self, code):
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        await self._depart(code)

    async def _depart(self, code):
        """Leave the room's groups and presence and tell the others, once (the idle watchdog, then the socket's end)."""
        await janus.consumer_gone(self)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []
        entry = self._entry() if self.peer else None
        if entry is None:
            return
        peers = self._peers()
        peers.pop(self.peer, None)
        if not peers:
            PRESENCE.pop(self.room_id, None)
        await self.channel_layer.group_send(services.room_group(self.room_id),
                                            {"type": "room.peer", "event": "peer_left",
                                             "peer_info": {"peer": self.peer, "role": self.role, "name": self.name,
                                                           "leaving": code == 1000}})
        try:
            await database_sync_to_async(services.room_leave)(room=self.room, peer=self.peer, actor=self.actor)
        except Exception:
            logger.exception("room %s: leave not recorded", self.room_id)
