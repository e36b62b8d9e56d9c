"""The SFU path through a real Janus (Debian's ``janus``, installed by ``make janus``): an aiortc client publishes a
real English recording with a face video into a VideoRoom made by ``live/janus.py``; Janus forwards the RTP
(``rtp_forward``) to ``live/rtp.py``, which feeds the live analysis; the panel events reach the staff group
through the channel layer."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import json
import re
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from analysis import synth
from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.live import janus as jn
from hirelens.live.media import staff_group
from hirelens.live.models import LiveRoom
from hirelens.live.rtp import Reorder, RtpPacket, parse_rtp, vp8_descriptor
from hirelens.scheduling.models import Interview

pytestmark = pytest.mark.worker

JANUS_LIBS = Path("/usr/lib/x86_64-linux-gnu/janus")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _host_address() -> str:
    """This machine's first non-loopback IPv4 address (aioice drops 127.0.0.1 candidates)."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True).stdout
    found = re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", out)
    assert found, "no non-loopback IPv4 address on this machine: WebRTC to Janus needs one"
    return found[0]


def write_janus_config(folder: Path, *, http_port: int, ip: str, rtp_ports: str = "40000-40200") -> Path:
    """Only the VideoRoom plugin and the HTTP transport (on 127.0.0.1:http_port), ICE on ``ip`` only, no STUN."""
    for sub in ("plugins", "transports", "none"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "plugins" / "libjanus_videoroom.so").symlink_to(JANUS_LIBS / "plugins" / "libjanus_videoroom.so")
    (folder / "transports" / "libjanus_http.so").symlink_to(JANUS_LIBS / "transports" / "libjanus_http.so")
    (folder / "janus.jcfg").write_text(f"""general: {{
    configs_folder = "{folder}"
    plugins_folder = "{folder}/plugins"
    transports_folder = "{folder}/transports"
    events_folder = "{folder}/none"
    loggers_folder = "{folder}/none"
    debug_level = 4
    session_timeout = 60
}}
certificates: {{
}}
media: {{
    rtp_port_range = "{rtp_ports}"
}}
nat: {{
    nice_debug = false
    ice_enforce_list = "{ip}"
}}
plugins: {{
}}
transports: {{
}}
events: {{
}}
""")
    (folder / "janus.transport.http.jcfg").write_text(f"""general: {{
    json = "plain"
    base_path = "/janus"
    http = true
    port = {http_port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
}}
""")
    (folder / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
    return folder / "janus.jcfg"


@pytest.fixture
def janus_server(tmp_path, settings):
    exe = shutil.which("janus")
    assert exe, "Janus is not installed: `make janus` installs Debian's janus package"
    ip = _host_address()
    port = _free_port()
    config = write_janus_config(tmp_path / "janus", http_port=port, ip=ip)
    log = open(tmp_path / "janus.log", "wb")
    proc = subprocess.Popen([exe, "-C", str(config), "-F", str(config.parent)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/janus"
    client = jn.JanusClient(url)
    deadline = time.time() + 20
    while True:
        try:
            info = client._http("/info", None, 2.0)
            break
        except jn.JanusError:
            assert proc.poll() is None and time.time() < deadline, (tmp_path / "janus.log").read_text()[-3000:]
            time.sleep(0.2)
    assert "janus.plugin.videoroom" in info["plugins"]
    settings.LIVE_JANUS_URL = url
    yield {"url": url, "ip": ip, "log": tmp_path / "janus.log"}
    jn.janus_forget()
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _english_clip() -> np.ndarray:
    import av

    spec = importlib.util.find_spec("f5_tts")
    assert spec is not None and spec.submodule_search_locations, "f5-tts (sample media) is not installed"
    path = Path(list(spec.submodule_search_locations)[0]) / "infer" / "examples" / "basic" / "basic_ref_en.wav"
    parts = []
    with av.open(str(path)) as c:
        res = av.AudioResampler(format="flt", layout="mono", rate=synth.SR)
        for frame in c.decode(audio=0):
            parts += [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in res.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def candidate_media(path: Path) -> tuple[Path, float, float]:
    """A webcam-like WebM: the real line "Some call me nature, others call me mother nature." after 1 s of
    silence, then 3 s of silence (the final segment closes), over the astronaut's face. Returns where the file
    analysis (Silero VAD) finds the speech begin, and the speech's length."""
    from analysis.speech import SpeechParams, vad_segments

    speech = _english_clip()
    lead, tail = 1.0, 3.0
    audio = np.concatenate([np.zeros(int(lead * synth.SR), np.float32), speech, np.zeros(int(tail * synth.SR), np.float32)])
    seconds = len(audio) / synth.SR
    frames = synth.face_scenes(absent=(seconds + 1, seconds + 2), turned=(seconds + 1, seconds + 2), wobble_px=3)
    fps = 10
    synth.write_media(path, audio=audio, frames=frames, fps=fps, n_frames=int(seconds * fps), width=320, height=240)
    return path, lead + vad_segments(speech, SpeechParams())[0][0], len(speech) / synth.SR


async def publish(janus: jn.JanusClient, *, room: dict, media: Path, display: str = "candidate", video: bool = True):
    """An aiortc 'browser' joining the room as a publisher (with the room id and pin the server gave it) and
    sending the file: (pc, handle, publisher id, streams)."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.contrib.media import MediaPlayer

    handle = await janus.attach()
    joined, _ = await handle.send({"request": "join", "ptype": "publisher", "room": room["room"], "pin": room["pin"],
                                   "display": display})
    assert joined["videoroom"] == "joined"
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    player = MediaPlayer(str(media))
    pc.addTrack(player.audio)
    if video:
        pc.addTrack(player.video)
    await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers every candidate first (no trickle)
    event, jsep = await handle.send({"request": "publish", "audio": True, "video": video},
                                    {"type": "offer", "sdp": pc.localDescription.sdp})
    assert event.get("configured") == "ok", event
    await pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type=jsep["type"]))
    await _wait_webrtcup(janus, handle.id)
    return pc, handle, joined["id"], event.get("streams")


async def _wait_webrtcup(janus: jn.JanusClient, handle_id: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        ev = await asyncio.wait_for(janus.events.get(), max(0.1, deadline - time.monotonic()))
        if ev.get("janus") == "webrtcup" and ev.get("sender") == handle_id:
            return


def run_async(coroutine_function, *args):
    """The scenario on its own event loop in a worker thread (as the Channels tests do)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine_function(*args)).result()


def make_room(org, *, keywords=("nature", "teamwork"), biometric=True) -> LiveRoom:
    org.facial_analysis_enabled = True
    org.save(update_fields=["facial_analysis_enabled"])
    app = ApplicationFactory(candidate__organization=org, position__keywords=list(keywords))
    start = timezone.now()
    interview = Interview.objects.create(organization=org, application=app, title="现场面试", start_at=start,
                                         end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai")
    return LiveRoom.objects.create(organization=org, interview=interview, application=app, state=LiveRoom.State.OPEN,
                                   consents={"recording": True, "ai_analysis": True, "biometric": biometric}, answer_language="en")


@pytest.mark.django_db(transaction=True)
def test_candidate_rtp_forwarded_by_janus_reaches_the_panel_and_the_recording(janus_server, org, tmp_path):
    media, onset_s, speech_s = candidate_media(tmp_path / "candidate.webm")
    room = make_room(org)
    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(staff_group(room.pk), channel)
        joining = await jn.janus_room_open(room_id=room.pk)
        assert joining == {"room": jn.janus_room_id(room.pk), "pin": jn.room_pin(room.pk)}
        assert await jn.janus_room_open(room_id=room.pk) == joining  # made once, kept
        async with jn.JanusClient(janus_server["url"]) as browser:
            other = await browser.attach()
            with pytest.raises(jn.JanusError) as wrong_pin:
                await other.send({"request": "join", "ptype": "publisher", "room": joining["room"], "pin": "0000"})
            assert wrong_pin.value.code == 433  # unauthorized: the pin is needed
            pc, handle, publisher_id, streams = await publish(browser, room=joining, media=media)
            with pytest.raises(jn.JanusError):  # only someone publishing in the room can be forwarded
                await jn.janus_forward_candidate(room_id=room.pk, publisher_id=publisher_id + 1)
            fwd = await jn.janus_forward_candidate(room_id=room.pk, publisher_id=publisher_id, streams=streams)
            assert sorted(f["type"] for f in fwd.forwarders) == ["audio", "video"]
            print("forwarders:", fwd.forwarders, fwd.receiver.rtcp_target)
            assert await jn.janus_forward_candidate(room_id=room.pk, publisher_id=publisher_id) is fwd

            panel, t0 = [], time.monotonic()
            while time.monotonic() - t0 < onset_s + speech_s + 25:
                try:
                    msg = await asyncio.wait_for(layer.receive(channel), 1.0)
                except TimeoutError:
                    continue
                assert msg["type"] == "room.event" and msg["event"] == "panel"
                panel.append({**msg["payload"], "received_ms": time.time() * 1000})
                types = {p["event"]["type"] for p in panel}
                if {"final", "keyword", "face_present", "speech_end"} <= types:
                    break
            await asyncio.sleep(1.0)
            await pc.close()
            result = await jn.janus_room_end(room_id=room.pk)
            assert await jn.janus_room_end(room_id=room.pk) is None  # once
            with pytest.raises(jn.JanusError) as gone:  # the VideoRoom is gone
                await other.send({"request": "join", "ptype": "publisher", "room": joining["room"], "pin": joining["pin"]})
            assert gone.value.code == jn.ERR_NO_SUCH_ROOM
        return panel, fwd.receiver.stats, result

    panel, stats, result = run_async(scenario)
    events = [p["event"] for p in panel]
    types = [e["type"] for e in events]
    assert stats.audio_packets > 100 and stats.video_frames > 10, stats
    assert stats.video_frames_decoded > 10 and stats.decode_errors == 0, stats
    # speech where the recording speaks: its onset on the media clock (media time 0 is the first forwarded
    # packet, a moment after the publisher began: up to a second into the file)
    (start, *_) = [e for e in events if e["type"] == "speech_start"]
    assert onset_s - 1.0 <= start["t_s"] <= onset_s + 0.3
    finals = [e for e in events if e["type"] == "final"]
    assert finals, types
    words = set(re.findall(r"[a-z]+", " ".join(f["text"] for f in finals).lower()))
    assert {"nature", "mother"} <= words, finals
    assert [e["keyword"] for e in events if e["type"] == "keyword"][0] == "nature"
    assert "face_present" in types
    # every event carries the server time its media arrived, a moment of this run
    now_ms = time.time() * 1000
    assert all(now_ms - 120_000 < p["wall_ms"] <= p["received_ms"] <= now_ms for p in panel)
    # from the media's arrival at the receiver to the staff group (the panel's latency without the browsers)
    lag = {k: sorted(p["received_ms"] - p["wall_ms"] for p in panel if p["event"]["type"] in kinds)
           for k, kinds in {"speech": ("speech_start", "speech_end"), "words": ("partial", "final", "keyword")}.items()}
    print("janus path lag ms (median, max):", {k: (round(v[len(v) // 2]), round(v[-1])) for k, v in lag.items() if v}, stats)
    assert lag["speech"][-1] < 3000 and lag["words"][-1] < 8000

    # the recording went through the same glue as the aiortc peer's: stored encrypted, decodable, analysed
    assert result["live_summary"]["keywords"]["nature"] >= 1
    room.refresh_from_db()
    assert room.recording and room.recording_media["via"] == "janus" and room.recording_media["has_video"]
    assert (Path(settings.MEDIA_ROOT) / room.recording.name).read_bytes()[:4] == b"HLEF"
    with room.recording.open("rb") as handle, av.open(io.BytesIO(handle.read())) as container:
        audio_s = sum(f.samples / f.sample_rate for f in container.decode(audio=0))
    assert onset_s + speech_s - 1.5 < audio_s < onset_s + speech_s + 6, audio_s
    assert room.analysis_status == LiveRoom.Analysis.DONE, room.analysis_error
    assert "nature" in room.analysis["transcript"]["text"].lower()


async def _collect(layer, channel: str, seconds: float, into: list) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            msg = await asyncio.wait_for(layer.receive(channel), left)
        except TimeoutError:
            return
        into.append({**msg["payload"], "received_ms": time.time() * 1000})


@pytest.mark.django_db(transaction=True)
def test_candidate_publishing_again_after_a_drop_keeps_one_analysis_and_one_recording(janus_server, org, tmp_path):
    media, onset_s, speech_s = candidate_media(tmp_path / "candidate.webm")
    room = make_room(org, biometric=False)
    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(staff_group(room.pk), channel)
        joining = await jn.janus_room_open(room_id=room.pk)
        panel: list = []
        async with jn.JanusClient(janus_server["url"]) as browser:
            pc, handle, first_id, streams = await publish(browser, room=joining, media=media, video=False)
            fwd = await jn.janus_forward_candidate(room_id=room.pk, publisher_id=first_id, streams=streams)
            assert [f["type"] for f in fwd.forwarders] == ["audio"]  # no video published: none forwarded
            await _collect(layer, channel, 2.0, panel)
            await pc.close()  # the network drops: the browser's connection and its Janus handle are gone
            await handle.detach()
            await asyncio.sleep(2.0)
            pc, handle, second_id, _ = await publish(browser, room=joining, media=media, video=False)
            assert second_id != first_id
            again = await jn.janus_forward_candidate(room_id=room.pk, publisher_id=second_id)  # streams unknown: mid 0
            assert again is fwd and [f["type"] for f in fwd.forwarders] == ["audio"]
            deadline = time.monotonic() + onset_s + speech_s + 30  # the second final, however loaded the machine
            while time.monotonic() < deadline and sum(p["event"]["type"] == "final" for p in panel) < 2:
                await _collect(layer, channel, 1.0, panel)
            await pc.close()
            await jn.janus_room_end(room_id=room.pk)
        return panel, fwd.receiver.stats

    panel, stats = run_async(scenario)
    assert stats.ssrc_changes == 1 and stats.video_packets == 0, stats
    room.refresh_from_db()
    assert room.recording_media["reconnects"] == 1 and room.recording_media["via"] == "janus"
    (gap, *_) = room.recording_media["gaps"]
    assert 1.0 < gap["end_s"] - gap["start_s"] < 5.0 and 1.5 < gap["start_s"] < 4.0, room.recording_media
    # one timeline: the second publication's words come after the gap, in the same session and recording
    finals = [p["event"] for p in panel if p["event"]["type"] == "final"]
    after = [f for f in finals if f["start_s"] >= gap["end_s"]]
    assert after and {"nature", "mother"} <= set(re.findall(r"[a-z]+", " ".join(f["text"] for f in after).lower())), finals
    assert all(f["end_s"] <= gap["start_s"] + 0.5 for f in finals if f not in after), finals  # cut by the drop
    assert gap["end_s"] + onset_s + speech_s - 1.5 < room.recording_duration_s, room.recording_duration_s
    assert room.live_summary["keywords"]["nature"] >= 1


async def _browser_publish(jp: jn.JanusPeer, media: Path):
    """An aiortc 'browser' publishing the file through a JanusPeer (as the page would through the WebSocket)."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.contrib.media import MediaPlayer

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    player = MediaPlayer(str(media))
    pc.addTrack(player.audio)
    pc.addTrack(player.video)
    await pc.setLocalDescription(await pc.createOffer())
    answer = await jp.publish(sdp=pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
    return pc, answer


async def _browser_subscribe(jp: jn.JanusPeer, feed: int, received: dict):
    """An aiortc 'browser' taking Janus's offer of ``feed`` and answering; counts what it decodes."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamError

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tasks = []

    @pc.on("track")
    def on_track(track):
        async def read():
            while True:
                try:
                    frame = await track.recv()
                except MediaStreamError:
                    return
                if track.kind == "audio":
                    pcm = frame.to_ndarray().astype(np.float32) / 32768
                    received["audio_frames"] += 1
                    received["audio_peak"] = max(received["audio_peak"], float(np.abs(pcm).max()))
                else:
                    received["video_frames"] += 1
                    received["size"] = (frame.width, frame.height)
        tasks.append(asyncio.ensure_future(read()))

    offer = await jp.subscribe(feed=feed)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    await jp.subscribed(feed=feed, sdp=pc.localDescription.sdp)
    return pc, offer, tasks


@pytest.mark.django_db(transaction=True)
def test_two_browsers_see_and_hear_each_other_through_janus_signalled_by_hirelens(janus_server, org, tmp_path):
    media, onset_s, speech_s = candidate_media(tmp_path / "candidate.webm")
    room = make_room(org, biometric=False)
    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(staff_group(room.pk), channel)
        to_interviewer: list[dict] = []
        to_candidate: list[dict] = []

        async def send_interviewer(msg):
            to_interviewer.append(msg)

        async def send_candidate(msg):
            to_candidate.append(msg)

        interviewer = jn.JanusPeer(room_id=room.pk, peer="iv-peer-1", role="interviewer", send=send_interviewer)
        candidate = jn.JanusPeer(room_id=room.pk, peer="cand-peer-1", role="candidate", send=send_candidate)
        iv_pc, iv_answer = await _browser_publish(interviewer, media)
        assert iv_answer["type"] == "answer" and iv_answer["publishers"] == []  # the first in the room
        cand_pc, cand_answer = await _browser_publish(candidate, media)
        # each is told of the other once the other's connection is up (with publish's answer when it was already)
        def known(answer, messages):
            return answer["publishers"] + [p for m in messages if m.get("event") == "publishers" for p in m["publishers"]]

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (known(iv_answer, to_interviewer) and known(cand_answer, to_candidate)):
            await asyncio.sleep(0.1)
        assert known(iv_answer, to_interviewer) == [{"feed": candidate.publisher_id, "peer": "cand-peer-1"}]
        assert known(cand_answer, to_candidate) == [{"feed": interviewer.publisher_id, "peer": "iv-peer-1"}]
        seen_by_iv = {"audio_frames": 0, "audio_peak": 0.0, "video_frames": 0}
        seen_by_cand = {"audio_frames": 0, "audio_peak": 0.0, "video_frames": 0}
        iv_sub, offer, t1 = await _browser_subscribe(interviewer, candidate.publisher_id, seen_by_iv)
        assert offer["peer"] == "cand-peer-1"
        cand_sub, _, t2 = await _browser_subscribe(candidate, interviewer.publisher_id, seen_by_cand)
        panel: list = []
        await _collect(layer, channel, onset_s + speech_s + 1.0, panel)  # the candidate's speech in the analysis too
        # the candidate leaves: the interviewer is told
        await cand_pc.close()
        await cand_sub.close()
        await candidate.close()
        deadline = time.monotonic() + 10
        while not any(m.get("event") == "left" for m in to_interviewer) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        left = [m for m in to_interviewer if m.get("event") == "left"]
        for pc in (iv_pc, iv_sub):
            await pc.close()
        for t in t1 + t2:
            t.cancel()
        await interviewer.close()
        await jn.janus_room_end(room_id=room.pk)
        return seen_by_iv, seen_by_cand, left, panel

    seen_by_iv, seen_by_cand, left, panel = run_async(scenario)
    print("through janus:", seen_by_iv, seen_by_cand)
    for seen in (seen_by_iv, seen_by_cand):
        assert seen["video_frames"] > 20 and seen["size"] == (320, 240), seen
        assert seen["audio_frames"] > 100 and seen["audio_peak"] > 0.1, seen  # the recording's voice, not silence
    assert left and left[0]["peer"] == "cand-peer-1"
    assert any(p["event"]["type"] == "speech_start" for p in panel)  # only the candidate's publication is analysed
    room.refresh_from_db()
    assert room.recording_media["via"] == "janus"


async def _ws_receive(comm, kind: str, timeout: float = 20.0, event: str | None = None) -> dict:
    """The next message of type ``kind`` (and Janus ``event``) on a page's WebSocket; others are skipped."""
    deadline = time.monotonic() + timeout
    while True:
        msg = await comm.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if msg["type"] == kind and (event is None or msg.get("event") == event):
            return msg


@pytest.mark.realtime
@pytest.mark.django_db(transaction=True)
def test_pages_publish_and_subscribe_through_the_room_websocket(janus_server, org, hr_admin, interviewer, tmp_path):
    """The room's consumer speaks for the pages: the waiting candidate may not publish, the admitted one does and is
    analysed; the interviewer subscribes to the candidate (the candidate may not subscribe to itself); the end
    destroys the VideoRoom and stores the recording."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.contrib.media import MediaPlayer
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from config.asgi import application

    from .room_setup import ACCEPT_ALL, ensure_notices, live_interview

    media, onset_s, speech_s = candidate_media(tmp_path / "candidate.webm")
    ensure_notices()
    room, token = live_interview(org, hr_admin, [interviewer])
    staff = Client()
    staff.force_login(interviewer)
    cand = Client()
    assert cand.get(f"/live/join/{token}/").status_code == 200
    assert cand.post(f"/live/{room.pk}/consent/", data=json.dumps({"accepted": ACCEPT_ALL}),
                     content_type="application/json").status_code == 200
    url = f"/ws/live/{room.pk}/"

    def headers(client):
        return [(b"origin", b"http://localhost"), (b"host", b"localhost"),
                (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]

    async def offer_of(pc, player=None):
        if player is not None:
            pc.addTrack(player.audio)
            pc.addTrack(player.video)
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp

    async def scenario():
        iv = WebsocketCommunicator(application, url, headers=headers(staff))
        cd = WebsocketCommunicator(application, url, headers=headers(cand))
        for comm, peer in ((iv, "iv-1"), (cd, "cand-1")):
            assert (await comm.connect())[0]
            await comm.send_json_to({"type": "join", "peer": peer, "media": {"audio": True, "video": True}})
            assert (await _ws_receive(comm, "room"))["janus"] is True
        cand_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        cand_sdp = await offer_of(cand_pc, MediaPlayer(str(media)))
        await cd.send_json_to({"type": "janus", "action": "publish", "sdp": cand_sdp})
        assert (await _ws_receive(cd, "error"))["code"] == "forbidden"  # still in the waiting room
        await iv.send_json_to({"type": "admit"})
        await _ws_receive(cd, "admitted")

        iv_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        await iv.send_json_to({"type": "janus", "action": "publish", "sdp": await offer_of(iv_pc, MediaPlayer(str(media)))})
        published = await _ws_receive(iv, "janus", event="published")
        await iv_pc.setRemoteDescription(RTCSessionDescription(sdp=published["sdp"], type="answer"))
        await cd.send_json_to({"type": "janus", "action": "publish", "sdp": cand_sdp})
        published = await _ws_receive(cd, "janus", event="published")
        await cand_pc.setRemoteDescription(RTCSessionDescription(sdp=published["sdp"], type="answer"))
        listed = await _ws_receive(iv, "janus", event="publishers")
        (feed,) = [p["feed"] for p in listed["publishers"] if p["peer"] == "cand-1"]
        # the candidate may not take its own feed (nor any candidate's)
        await cd.send_json_to({"type": "janus", "action": "subscribe", "feed": feed})
        assert (await _ws_receive(cd, "error"))["code"] in ("forbidden", "janus")

        got = {"video": 0, "audio": 0}
        sub = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        readers = []

        @sub.on("track")
        def on_track(track):
            async def read():
                while True:
                    try:
                        await track.recv()
                    except Exception:  # noqa: BLE001 (the track ended)
                        return
                    got[track.kind] += 1
            readers.append(asyncio.ensure_future(read()))

        await iv.send_json_to({"type": "janus", "action": "subscribe", "feed": feed})
        offer = await _ws_receive(iv, "janus", event="offer")
        assert offer["peer"] == "cand-1"
        await sub.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await sub.setLocalDescription(await sub.createAnswer())
        await iv.send_json_to({"type": "janus", "action": "subscribed", "feed": feed, "sdp": sub.localDescription.sdp})
        panel = []
        deadline = time.monotonic() + onset_s + speech_s + 20
        while time.monotonic() < deadline and not any(p["event"]["type"] == "final" for p in panel):
            if await iv.receive_nothing(timeout=1.0):  # (a receive that times out would end the consumer)
                continue
            msg = await iv.receive_json_from()
            if msg["type"] == "panel":
                panel.append(msg)
        await iv.send_json_to({"type": "end"})
        await _ws_receive(iv, "ended")
        from channels.db import database_sync_to_async

        stored = database_sync_to_async(lambda: LiveRoom.objects.filter(pk=room.pk).exclude(recording="").exists())
        deadline = time.monotonic() + 20  # the end stores the recording (and analyses it: Huey is immediate in tests)
        while not await stored() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        for t in readers:
            t.cancel()
        for pc in (cand_pc, iv_pc, sub):
            await pc.close()
        for comm in (iv, cd):
            await comm.disconnect()
        return got, panel

    got, panel = run_async(scenario)
    assert got["video"] > 20 and got["audio"] > 100, got
    finals = [p["event"] for p in panel if p["event"]["type"] == "final"]
    assert finals and "nature" in finals[0]["text"].lower(), panel
    room.refresh_from_db()
    assert room.state == LiveRoom.State.ENDED and room.recording and room.recording_media["via"] == "janus"


def _rtp(seq: int, ts: int, payload: bytes = b"x", marker: bool = False, ssrc: int = 1) -> bytes:
    import struct

    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | 111, seq, ts, ssrc) + payload


def test_rtp_parsing_reordering_and_vp8_descriptor():
    p = parse_rtp(_rtp(65535, 960, b"abc", marker=True))
    assert (p.seq, p.ts, p.marker, p.pt, p.payload) == (65535, 960, True, 111, b"abc")
    assert parse_rtp(b"\x80\xc8" + b"\x00" * 26) is None  # RTCP sender report
    # out of order across the 16-bit wrap, one packet lost: released in order once it is given up on
    r = Reorder(hold_ms=60)

    def pkt(seq, at):
        q = parse_rtp(_rtp(seq, seq * 960))
        q.arrived_ms = at
        return q

    assert [(x.seq, lost) for x, lost in r.push(pkt(65534, 0), 0)] == [(65534, 0)]
    assert r.push(pkt(0, 1), 1) == []  # 65535 missing
    assert [(x.seq, lost) for x, lost in r.push(pkt(65535, 2), 2)] == [(65535, 0), (0, 0)]
    assert r.push(pkt(2, 3), 3) == []  # 1 missing
    assert r.push(pkt(0, 4), 4) == [] and r.late == 1  # a duplicate
    assert [(x.seq, lost) for x, lost in r.release(70)] == [(2, 1)] and r.lost == 1
    assert isinstance(p, RtpPacket)
    # VP8 payload descriptor: X with a 15-bit picture id, S=1, PID=0
    assert vp8_descriptor(bytes([0x90, 0x80, 0x81, 0x23]) + b"frame") == (True, 0, b"frame")
    assert vp8_descriptor(bytes([0x00]) + b"rest") == (False, 0, b"rest")
