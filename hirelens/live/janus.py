"""A small asyncio client of Janus's HTTP API and the VideoRoom plugin (the SFU path of the live room).

With ``HIRELENS_JANUS_URL`` set (Janus's HTTP API, e.g. ``http://127.0.0.1:8088/janus``) the browsers publish to
and subscribe from a Janus VideoRoom instead of the mesh, and the candidate's RTP is forwarded (``rtp_forward``)
to a UDP receiver in this process (``live/rtp.py``) that feeds the live analysis. See docs/deployment.md, "Live
rooms: Janus SFU".

The HTTP transport is used with the standard library only (no new dependency): each request is a blocking
``urllib`` call run in a thread; the session's long poll (``GET /janus/<session>``) runs in one daemon thread that
hands the events to the event loop. Requests the plugin answers at once (create, destroy, rtp_forward, ...)
return its ``data``; asynchronous ones (join, publish, configure) return the event that answers them.

    async with JanusClient(url) as janus:
        vr = await janus.attach()                       # a handle on janus.plugin.videoroom
        await create_room(vr, room_id=7)
        ...
        forwarders = await rtp_forward(vr, room_id=7, publisher_id=pub, host="127.0.0.1", audio_port=..., video_port=...)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
#: Janus room ids of HireLens rooms: LiveRoom pk + this offset (rooms a Janus admin made by hand keep low ids).
ROOM_ID_OFFSET = 1_000_000
#: the VideoRoom error "room already exists" / "no such room"
ERR_ROOM_EXISTS = 427
ERR_NO_SUCH_ROOM = 426


class JanusError(Exception):
    def __init__(self, code: int | None, reason: str):
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


def _tx() -> str:
    return secrets.token_hex(8)


class JanusClient:
    """One Janus session over the HTTP API. Use as ``async with`` (or ``await start()`` / ``await close()``):
    it keeps the session alive (a keepalive every ``keepalive_s``) and long-polls its events."""

    def __init__(self, url: str, *, api_secret: str | None = None, timeout_s: float = 10.0, keepalive_s: float = 25.0):
        self.url = url.rstrip("/")
        self.api_secret = api_secret or None
        self.timeout_s = timeout_s
        self.keepalive_s = keepalive_s
        self.session_id: int | None = None
        #: events that answer no pending request of ours (webrtcup, media, hangup, publishers joining, ...)
        self.events: asyncio.Queue[dict] = asyncio.Queue()
        self._waiting: dict[str, asyncio.Future] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._keepalive: asyncio.Task | None = None

    # ---- transport ------------------------------------------------------------------------------

    def _http(self, path: str, body: dict | None, timeout: float) -> Any:
        data = None
        if body is not None:
            if self.api_secret:
                body = {**body, "apisecret": self.api_secret}
            data = json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (the configured Janus URL)
                return json.loads(resp.read().decode())
        except urllib.error.URLError as exc:
            raise JanusError(None, f"cannot reach Janus at {self.url}: {exc}") from exc

    async def _post(self, path: str, body: dict) -> dict:
        reply = await asyncio.to_thread(self._http, path, body, self.timeout_s)
        if reply.get("janus") == "error":
            err = reply.get("error") or {}
            raise JanusError(err.get("code"), err.get("reason", ""))
        return reply

    # ---- session --------------------------------------------------------------------------------

    async def info(self) -> dict:
        return await asyncio.to_thread(self._http, "/info", None, self.timeout_s)

    async def start(self) -> JanusClient:
        self._loop = asyncio.get_running_loop()
        reply = await self._post("", {"janus": "create", "transaction": _tx()})
        self.session_id = int(reply["data"]["id"])
        self._stop.clear()
        self._poller = threading.Thread(target=self._poll, name=f"janus-poll-{self.session_id}", daemon=True)
        self._poller.start()
        self._keepalive = asyncio.create_task(self._keep_alive())
        return self

    async def close(self) -> None:
        self._stop.set()
        if self._keepalive:
            self._keepalive.cancel()
        if self.session_id is not None:
            try:
                await self._post(f"/{self.session_id}", {"janus": "destroy", "transaction": _tx()})
            except JanusError as exc:  # already gone (timed out, Janus restarted)
                log.info("janus session %s: %s", self.session_id, exc)
        self.session_id = None
        for fut in self._waiting.values():
            if not fut.done():
                fut.set_exception(JanusError(None, "session closed"))
        self._waiting.clear()

    async def __aenter__(self) -> JanusClient:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_s)
            try:
                await self._post(f"/{self.session_id}", {"janus": "keepalive", "transaction": _tx()})
            except JanusError as exc:
                log.warning("janus keepalive failed: %s", exc)

    def _poll(self) -> None:
        """The long poll: Janus answers at once when it has events, else after 30 s with a keepalive."""
        session = self.session_id
        failing = False
        while not self._stop.is_set():
            try:
                reply = self._http(f"/{session}?maxev=10&rid={secrets.randbelow(10**9)}", None, 45.0)
            except Exception as exc:  # noqa: BLE001 (Janus restarted, network): retry unless closing
                if self._stop.wait(1.0):
                    return
                if not failing:
                    log.warning("janus long poll: %s", exc)
                failing = True
                continue
            failing = False
            events = reply if isinstance(reply, list) else [reply]
            if self._loop is not None and not self._loop.is_closed():
                try:
                    self._loop.call_soon_threadsafe(self._dispatch, events)
                except RuntimeError:  # the loop closed meanwhile
                    return
            if any(e.get("janus") == "error" and (e.get("error") or {}).get("code") == 458 for e in events):
                return  # no such session: it was destroyed

    def _dispatch(self, events: list[dict]) -> None:
        for ev in events:
            kind = ev.get("janus")
            if kind == "keepalive":
                continue
            fut = self._waiting.pop(ev.get("transaction") or "", None)
            if fut is not None and not fut.done() and kind in ("event", "error"):
                fut.set_result(ev)
            else:
                self.events.put_nowait(ev)

    # ---- handles and plugin messages -------------------------------------------------------------

    async def attach(self, plugin: str = VIDEOROOM) -> Handle:
        reply = await self._post(f"/{self.session_id}", {"janus": "attach", "plugin": plugin, "transaction": _tx()})
        return Handle(self, int(reply["data"]["id"]))

    async def _message(self, handle_id: int, body: dict, jsep: dict | None, wait: bool, timeout_s: float) -> tuple[dict, dict | None]:
        tx = _tx()
        msg: dict[str, Any] = {"janus": "message", "transaction": tx, "body": body}
        if jsep is not None:
            msg["jsep"] = jsep
        fut = asyncio.get_running_loop().create_future()
        self._waiting[tx] = fut
        try:
            reply = await self._post(f"/{self.session_id}/{handle_id}", msg)
            if reply.get("janus") == "ack":
                if not wait:
                    return {}, None
                reply = await asyncio.wait_for(fut, timeout_s)
        finally:
            self._waiting.pop(tx, None)
        if reply.get("janus") == "error":
            err = reply.get("error") or {}
            raise JanusError(err.get("code"), err.get("reason", ""))
        data = ((reply.get("plugindata") or {}).get("data")) or {}
        if "error_code" in data or "error" in data:
            raise JanusError(data.get("error_code"), data.get("error", ""))
        return data, reply.get("jsep")


@dataclass
class Handle:
    """A handle on one plugin in a session."""

    client: JanusClient
    id: int

    async def request(self, body: dict) -> dict:
        """A request the plugin answers at once (create, destroy, exists, listparticipants, rtp_forward, ...)."""
        data, _ = await self.client._message(self.id, body, None, True, self.client.timeout_s)
        return data

    async def send(self, body: dict, jsep: dict | None = None, *, timeout_s: float = 20.0) -> tuple[dict, dict | None]:
        """An asynchronous request (join, publish, configure, start): the plugin's event answering it, and its jsep."""
        return await self.client._message(self.id, body, jsep, True, timeout_s)

    async def trickle(self, candidate: dict | None) -> None:
        body = {"janus": "trickle", "transaction": _tx(), "candidate": candidate if candidate else {"completed": True}}
        await self.client._post(f"/{self.client.session_id}/{self.id}", body)

    async def detach(self) -> None:
        await self.client._post(f"/{self.client.session_id}/{self.id}", {"janus": "detach", "transaction": _tx()})


# ---- the VideoRoom of a HireLens room ---------------------------------------------------------------


def janus_room_id(room_id: int) -> int:
    return ROOM_ID_OFFSET + int(room_id)


def _derived(purpose: str, room_id: int, length: int) -> str:
    from django.conf import settings

    digest = hmac.new(settings.SECRET_KEY.encode(), f"janus:{purpose}:{room_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:length]


def room_secret(room_id: int) -> str:
    """The room's secret (needed to destroy it, forward its RTP, kick): derived from SECRET_KEY, never sent to a browser."""
    return _derived("secret", room_id, 32)


def room_pin(room_id: int) -> str:
    """The pin a browser needs to join the room: given to the people ``access_room`` lets in, with the room id."""
    return _derived("pin", room_id, 16)


def settings_client() -> JanusClient:
    """A client of the Janus of the settings (HIRELENS_JANUS_URL, HIRELENS_JANUS_API_SECRET)."""
    from django.conf import settings

    if not settings.LIVE_JANUS_URL:
        raise JanusError(None, "HIRELENS_JANUS_URL is not set")
    return JanusClient(settings.LIVE_JANUS_URL, api_secret=getattr(settings, "LIVE_JANUS_API_SECRET", "") or None)


async def create_room(vr: Handle, *, room_id: int, description: str = "", publishers: int = 6, bitrate: int = 512_000,
                      admin_key: str | None = None) -> int:
    """Create the VideoRoom of LiveRoom ``room_id`` (private, not permanent, Opus + VP8, with its secret and pin).
    Idempotent: an existing room is kept. Returns the Janus room id."""
    from django.conf import settings

    jid = janus_room_id(room_id)
    body: dict[str, Any] = {
        "request": "create", "room": jid, "permanent": False, "is_private": True,
        "description": description or f"hirelens-{room_id}", "secret": room_secret(room_id), "pin": room_pin(room_id),
        "publishers": publishers, "bitrate": bitrate, "audiocodec": "opus", "videocodec": "vp8", "fir_freq": 10,
        "notify_joining": True,
    }
    key = admin_key if admin_key is not None else getattr(settings, "LIVE_JANUS_ADMIN_KEY", "")
    if key:
        body["admin_key"] = key
    try:
        await vr.request(body)
    except JanusError as exc:
        if exc.code != ERR_ROOM_EXISTS:
            raise
    return jid


async def destroy_room(vr: Handle, *, room_id: int) -> None:
    """Destroy the room's VideoRoom (the interview ended): everyone in it is sent away. No room: nothing to do."""
    try:
        await vr.request({"request": "destroy", "room": janus_room_id(room_id), "secret": room_secret(room_id)})
    except JanusError as exc:
        if exc.code != ERR_NO_SUCH_ROOM:
            raise


async def participants(vr: Handle, *, room_id: int) -> list[dict]:
    data = await vr.request({"request": "listparticipants", "room": janus_room_id(room_id)})
    return data.get("participants") or []


async def rtp_forward(vr: Handle, *, room_id: int, publisher_id: int, host: str, audio_port: int | None = None,
                      video_port: int | None = None, video_rtcp_port: int | None = None, streams: list[dict] | None = None,
                      admin_key: str | None = None) -> list[dict]:
    """Forward a publisher's audio and/or video as plain RTP to ``host``: the first audio stream to
    ``audio_port``, the first video stream to ``video_port``. ``streams``: the publisher's streams as the
    ``configured``/``publishers`` events list them (``type``, ``mid``); without them, mids "0" (audio) and "1"
    (video) of a browser's usual offer are assumed. ``video_rtcp_port``: where Janus sends the video forwarder's
    RTCP, and whence a PLI (key frame request) reaches the publisher. Returns Janus's forwarders (``stream_id``,
    ``type``, ``port``, ``local_rtcp_port``)."""
    from django.conf import settings

    mids: dict[str, str] = {}
    for s in streams or [{"type": "audio", "mid": "0"}, {"type": "video", "mid": "1"}]:
        if s.get("type") in ("audio", "video") and not s.get("disabled"):
            mids.setdefault(s["type"], str(s["mid"]))
    out = []
    if audio_port and "audio" in mids:
        out.append({"mid": mids["audio"], "port": int(audio_port)})
    if video_port and "video" in mids:
        out.append({"mid": mids["video"], "port": int(video_port), **({"rtcp_port": int(video_rtcp_port)} if video_rtcp_port else {})})
    if not out:
        return []
    body: dict[str, Any] = {"request": "rtp_forward", "room": janus_room_id(room_id), "publisher_id": publisher_id,
                            "host": host, "host_family": "ipv6" if ":" in host else "ipv4", "streams": out,
                            "secret": room_secret(room_id)}
    key = admin_key if admin_key is not None else getattr(settings, "LIVE_JANUS_ADMIN_KEY", "")
    if key:
        body["admin_key"] = key
    data = await vr.request(body)
    return data.get("forwarders") or []


async def stop_rtp_forward(vr: Handle, *, room_id: int, publisher_id: int, stream_id: int) -> None:
    try:
        await vr.request({"request": "stop_rtp_forward", "room": janus_room_id(room_id), "publisher_id": publisher_id,
                          "stream_id": stream_id, "secret": room_secret(room_id)})
    except JanusError as exc:
        if exc.code not in (ERR_NO_SUCH_ROOM, 428):  # 428: no such feed (the publisher left)
            raise


# ---- a HireLens room through Janus: the process's client, the candidate's forward, the end --------------------


_client: JanusClient | None = None
_client_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
_admin: Handle | None = None


@dataclass
class JanusForward:
    """The candidate's RTP forwarded by Janus to this process: the receiver, the analysis, Janus's forwarders."""

    room_id: int
    receiver: Any
    analysis: Any
    publisher_id: int | None = None
    forwarders: list[dict] | None = None


_forwards: dict[int, JanusForward] = {}


async def _videoroom() -> Handle:
    """The process's Janus session and its VideoRoom handle (made again when Janus lost the session)."""
    global _client, _client_lock, _admin
    from django.conf import settings

    loop = asyncio.get_running_loop()
    if _client_lock is None or _client_lock[0] is not loop:
        _client_lock = (loop, asyncio.Lock())
    async with _client_lock[1]:
        if _client is None or _admin is None or _client._loop is not loop or _client.url != settings.LIVE_JANUS_URL.rstrip("/"):
            if _client is not None:
                _client._stop.set()  # the old session's long poll ends (Janus times the session out)
            _client = await settings_client().start()
            _admin = await _client.attach()
        return _admin


def janus_forget() -> None:
    """Drop the process's Janus session (its long poll stops; Janus times the session out): a test's Janus is
    going away, or the settings changed."""
    global _client, _admin
    if _client is not None:
        _client._stop.set()
    _client = _admin = None


async def _with_videoroom(fn):
    """``fn(handle)``, once more on a new session when Janus no longer knows ours (restarted, timed out)."""
    global _client, _admin
    try:
        return await fn(await _videoroom())
    except JanusError as exc:
        if exc.code not in (458, 459, None):  # no such session / handle; unreachable
            raise
        log.info("janus: new session after %s", exc)
        if _client is not None:
            _client._stop.set()
        _client = _admin = None
        return await fn(await _videoroom())


async def janus_room_open(*, room_id: int) -> dict:
    """The room's VideoRoom exists in Janus (made now if not). Returns what a browser of someone ``access_room``
    (or the candidate's link) let in needs to join it: ``{"room": <Janus room id>, "pin": ...}``."""
    jid = await _with_videoroom(lambda vr: create_room(vr, room_id=room_id))
    return {"room": jid, "pin": room_pin(room_id)}


async def janus_forward_candidate(*, room_id: int, publisher_id: int, streams: list[dict] | None = None) -> JanusForward:
    """The candidate published in the room's VideoRoom as ``publisher_id`` (``streams``: as the ``configured`` /
    ``publishers`` events list them, or None for the first audio and video): forward the RTP to a receiver in this
    process that feeds the room's analysis and recording (``media.RoomAnalysis``). A new publisher id (the
    candidate published again after a reconnect) moves the forward; the analysis and recording go on.
    Raises ``JanusError`` when the publisher is not in the room, ``media.RoomEnded`` when the room has ended."""
    from channels.db import database_sync_to_async
    from django.conf import settings

    from . import media
    from .rtp import RtpReceiver

    people = await _with_videoroom(lambda vr: participants(vr, room_id=room_id))
    if not any(p.get("id") == publisher_id and p.get("publisher") for p in people):
        raise JanusError(428, f"publisher {publisher_id} is not publishing in room {room_id}")
    fwd = _forwards.get(room_id)
    if fwd is not None and fwd.publisher_id == publisher_id:
        return fwd
    if fwd is None:
        options = await database_sync_to_async(media._room_options)(room_id)
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(None, lambda: media.RoomAnalysis(room_id, options=options, loop=loop))
        receiver = await RtpReceiver(analysis, host=settings.LIVE_JANUS_FORWARD_HOST).start()
        fwd = _forwards.setdefault(room_id, JanusForward(room_id, receiver, analysis))
        if fwd.receiver is not receiver:  # another call made it meanwhile
            await receiver.close()
            await loop.run_in_executor(None, analysis.close)
    elif fwd.forwarders:
        await _stop_forwarders(fwd)
    fwd.publisher_id = publisher_id
    fwd.forwarders = await _with_videoroom(lambda vr: rtp_forward(
        vr, room_id=room_id, publisher_id=publisher_id, host=settings.LIVE_JANUS_FORWARD_HOST,
        audio_port=fwd.receiver.audio_port, video_port=fwd.receiver.video_port, video_rtcp_port=fwd.receiver.rtcp_port,
        streams=streams))
    janus_host = urllib.parse.urlsplit(settings.LIVE_JANUS_URL).hostname
    for f in fwd.forwarders:
        if f.get("type") == "video" and f.get("local_rtcp_port") and janus_host:
            fwd.receiver.rtcp_target = (janus_host, int(f["local_rtcp_port"]))
    return fwd


async def _stop_forwarders(fwd: JanusForward) -> None:
    for f in fwd.forwarders or []:
        try:
            await _with_videoroom(lambda vr, f=f: stop_rtp_forward(vr, room_id=fwd.room_id, publisher_id=fwd.publisher_id,
                                                                    stream_id=f["stream_id"]))
        except JanusError as exc:
            log.info("room %s: stop_rtp_forward: %s", fwd.room_id, exc)
    fwd.forwarders = []


async def janus_room_end(*, room_id: int) -> dict | None:
    """The room has ended: stop the forward, destroy the VideoRoom (everyone in it is sent away), close the
    analysis and store the recording (``recording.recording_store``, as ``media.room_media_end`` does).
    Returns the analysis's result (None when this process forwarded nothing for the room)."""
    from datetime import UTC, datetime

    from channels.db import database_sync_to_async

    from . import recording

    if not janus_enabled():
        return None
    fwd = _forwards.pop(room_id, None)
    if fwd is not None:
        await _stop_forwarders(fwd)
    try:
        await _with_videoroom(lambda vr: destroy_room(vr, room_id=room_id))
    except JanusError as exc:
        log.warning("room %s: the Janus room was not destroyed: %s", room_id, exc)
    if fwd is None:
        return None
    await fwd.receiver.close()
    result = await asyncio.get_running_loop().run_in_executor(None, fwd.analysis.close)
    started = result.get("started_at")
    await database_sync_to_async(recording.recording_store)(
        room_id=room_id, path=result["path"], duration_s=result["duration_s"],
        started_at=datetime.fromtimestamp(started, UTC) if started else None,
        media={**(result.get("media") or {}), "via": "janus"}, live_summary=result["live_summary"])
    return result


# ---- a browser in the VideoRoom, signalled through HireLens's own WebSocket --------------------------------


class JanusPeer:
    """One browser tab's place in the room's VideoRoom, driven by the room's WebSocket consumer: the browser
    never talks to Janus (its API, secret and pin stay on the server; the consumer's access rules decide who
    may publish and subscribe). Non-trickle like the server peer: the browser sends an SDP with its candidates.

    - ``publish(sdp)``: joins as a publisher named by the page's peer id and publishes; returns Janus's answer.
      The candidate's publication is forwarded to the analysis (``janus_forward_candidate``) once Janus says its
      connection is up (``webrtcup``). Publishing again
      (the page's new connection after a drop) replaces the publisher: the others are told it left and came back.
    - ``subscribe(feed)``: a subscriber handle for another publisher; returns Janus's offer, which the browser
      answers with ``subscribed(feed, sdp)``.
    - ``send(message)`` (a coroutine function given by the consumer) gets ``{"type": "janus", "event":
      "publishers", "publishers": [{"feed", "peer"}]}`` when others publish and ``{"type": "janus", "event":
      "left", "feed", "peer"}`` when they stop.
    """

    def __init__(self, *, room_id: int, peer: str, role: str, send):
        self.room_id = room_id
        self.peer = peer
        self.role = role
        self._send = send
        self.client: JanusClient | None = None
        self.publisher: Handle | None = None
        self.publisher_id: int | None = None
        self.subscribers: dict[int, Handle] = {}
        self._feeds: dict[int, str] = {}  # feed id -> peer id (display)
        self._streams: list[dict] | None = None
        self.lock = asyncio.Lock()  # one request of the page at a time, in order
        self.closed = False
        self._pump: asyncio.Task | None = None

    async def _ensure(self) -> JanusClient:
        if self.closed:
            raise JanusError(None, "the page has left")
        if self.client is None:
            await janus_room_open(room_id=self.room_id)
            self.client = await settings_client().start()
            self._pump = asyncio.create_task(self._events())
        return self.client

    async def _events(self) -> None:
        while True:
            ev = await self.client.events.get()
            data = ((ev.get("plugindata") or {}).get("data")) or {}
            try:
                await self._on_event(ev, data)
            except Exception:  # noqa: BLE001 (a closed WebSocket must not end the pump)
                log.exception("room %s: janus event for peer %s", self.room_id, self.peer)

    def _publishers(self, listed: list[dict]) -> list[dict]:
        out = []
        for p in listed or []:
            feed, peer = p.get("id"), str(p.get("display") or "")
            if feed is None or feed == self.publisher_id:
                continue
            self._feeds[feed] = peer
            out.append({"feed": feed, "peer": peer})
        return out

    async def _on_event(self, ev: dict, data: dict) -> None:
        if ev.get("janus") == "webrtcup" and self.publisher is not None and ev.get("sender") == self.publisher.id:
            if self.role == "candidate":  # Janus counts a publisher once its connection is up: forward it now
                await janus_forward_candidate(room_id=self.room_id, publisher_id=self.publisher_id, streams=self._streams)
            return
        if data.get("publishers"):
            found = self._publishers(data["publishers"])
            if found:
                await self._send({"type": "janus", "event": "publishers", "publishers": found})
        gone = data.get("unpublished") or data.get("leaving")
        if gone and gone not in ("ok",) and isinstance(gone, int) and gone != self.publisher_id:
            peer = self._feeds.pop(gone, "")
            sub = self.subscribers.pop(gone, None)
            if sub is not None:
                try:
                    await sub.detach()
                except JanusError:
                    pass
            await self._send({"type": "janus", "event": "left", "feed": gone, "peer": peer})

    async def publish(self, *, sdp: str, audio: bool = True, video: bool = True) -> dict:
        """Publish the browser's offer; returns ``{"sdp", "type": "answer", "publishers": [...]}`` (those already there)."""
        client = await self._ensure()
        if self.publisher is not None:  # published again (a new RTCPeerConnection after a drop): a new publisher
            old, self.publisher = self.publisher, None
            try:
                await old.detach()
            except JanusError:
                pass
        found: list[dict] = []
        if self.publisher is None:
            self.publisher = await client.attach()
            joined, _ = await self.publisher.send({"request": "join", "ptype": "publisher", "room": janus_room_id(self.room_id),
                                                   "pin": room_pin(self.room_id), "display": self.peer})
            self.publisher_id = joined["id"]
            found = self._publishers(joined.get("publishers"))
        event, jsep = await self.publisher.send({"request": "configure", "audio": audio, "video": video},
                                                {"type": "offer", "sdp": sdp})
        await self.publisher.trickle(None)  # every candidate is in the SDP (a browser's has no end-of-candidates)
        self._streams = event.get("streams")
        return {"sdp": jsep["sdp"], "type": jsep["type"], "publishers": found}

    async def subscribe(self, *, feed: int) -> dict:
        """Janus's offer of ``feed``'s streams: ``{"feed", "peer", "sdp", "type": "offer"}``."""
        client = await self._ensure()
        old = self.subscribers.pop(feed, None)
        if old is not None:
            await old.detach()
        handle = self.subscribers[feed] = await client.attach()
        _, jsep = await handle.send({"request": "join", "ptype": "subscriber", "room": janus_room_id(self.room_id),
                                     "pin": room_pin(self.room_id), "streams": [{"feed": feed}]})
        return {"feed": feed, "peer": self._feeds.get(feed, ""), "sdp": jsep["sdp"], "type": jsep["type"]}

    async def subscribed(self, *, feed: int, sdp: str) -> None:
        """The browser's answer to ``subscribe``'s offer: Janus starts sending."""
        handle = self.subscribers.get(feed)
        if handle is None:
            raise JanusError(None, f"not subscribed to {feed}")
        await handle.send({"request": "start"}, {"type": "answer", "sdp": sdp})
        await handle.trickle(None)

    async def close(self) -> None:
        """The tab left: its handles go (Janus tells the others), and its session."""
        self.closed = True
        if self._pump is not None:
            self._pump.cancel()
        if self.client is not None:
            await self.client.close()
        self.client = self.publisher = None
        self.subscribers.clear()


# ---- the room's WebSocket consumer speaking for its pages (``{"type": "janus", ...}``) ---------------------------


_page_peers: dict[str, JanusPeer] = {}  # consumer channel name -> its page's JanusPeer


def janus_enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "LIVE_JANUS_URL", ""))


async def consumer_message(consumer, content: dict) -> None:
    """A page's ``{"type": "janus", "action": ...}`` (the consumer's ``_on_janus``): ``publish`` (``sdp``, ``audio``,
    ``video``) answered by ``{"type": "janus", "event": "published", "sdp", "publishers"}``; ``subscribe``
    (``feed``) answered by ``{"type": "janus", "event": "offer", "feed", "peer", "sdp"}``; ``subscribed``
    (``feed``, ``sdp``: the page's answer). Only someone let into the room (an interviewer, the admitted
    candidate) publishes or subscribes; the candidate subscribes to the interviewers' feeds only."""
    from django.utils.translation import gettext as _

    entry = consumer._entry()
    if not janus_enabled():
        await consumer._error("janus", _("音视频服务器暂时无法连接，请稍后重试。"))
        return
    if entry is None or not entry.get("admitted"):
        await consumer._error("forbidden", _("对方尚未进入面试间。"))
        return
    jp = _page_peers.get(consumer.channel_name)
    if jp is None or jp.peer != consumer.peer:
        jp = _page_peers[consumer.channel_name] = JanusPeer(room_id=consumer.room_id, peer=consumer.peer, role=consumer.role,
                                                            send=consumer.send_json)
    # Janus's round trips run beside the consumer (which must keep answering pings: a page drops a socket silent
    # for 6 s), one page's requests in order
    task = asyncio.create_task(_page_request(consumer, jp, content))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Task] = set()


async def _page_request(consumer, jp: JanusPeer, content: dict) -> None:
    async with jp.lock:
        try:
            await _page_action(consumer, jp, content)
        except Exception:  # noqa: BLE001 (the page left meanwhile: its socket is closed)
            log.info("room %s: janus request of %s dropped", jp.room_id, jp.peer, exc_info=True)


async def _page_action(consumer, jp: JanusPeer, content: dict) -> None:
    from django.utils.translation import gettext as _

    action = content.get("action")
    try:
        if action == "publish":
            answer = await jp.publish(sdp=str(content["sdp"]), audio=bool(content.get("audio", True)),
                                      video=bool(content.get("video", True)))
            await consumer.send_json({"type": "janus", "event": "published", "sdp": answer["sdp"], "publishers": answer["publishers"]})
        elif action in ("subscribe", "subscribed"):
            feed = int(content["feed"])
            target = consumer._peers().get(jp._feeds.get(feed, ""))
            if target is None or not target.get("admitted") or (not consumer.is_staff and target["role"] == "candidate"):
                await consumer._error("forbidden", _("对方尚未进入面试间。"))
                return
            if action == "subscribe":
                offer = await jp.subscribe(feed=feed)
                await consumer.send_json({"type": "janus", "event": "offer", "feed": feed, "peer": offer["peer"], "sdp": offer["sdp"]})
            else:
                await jp.subscribed(feed=feed, sdp=str(content["sdp"]))
        else:
            await consumer._error("unknown", _("无法识别的消息。"))
    except (TimeoutError, KeyError, ValueError, TypeError, JanusError) as exc:
        log.warning("room %s: janus %s for %s failed: %s", consumer.room_id, action, consumer.peer, exc)
        await consumer._error("janus", _("音视频服务器暂时无法连接，请稍后重试。"))


async def consumer_gone(consumer) -> None:
    """The page's WebSocket closed (the consumer's ``disconnect``): its Janus session goes."""
    jp = _page_peers.pop(getattr(consumer, "channel_name", ""), None)
    if jp is not None:
        try:
            await jp.close()
        except JanusError as exc:
            log.info("room %s: janus close for %s: %s", jp.room_id, jp.peer, exc)
