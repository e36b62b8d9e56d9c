"""The server peer through the room's real signalling: the candidate (an aiortc client playing a real face over a
real Mandarin recording) joins ``ws/live/<room>/`` with its consent, is admitted by an interviewer, sends
``server_offer`` and gets ``server_answer``; the interviewer's socket receives the ``panel`` events (the candidate's
never does); the interviewer ends the room and the recording is stored and analysed."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from hirelens.interviews import sample_media
from hirelens.live.models import LiveRoom

from .room_setup import ensure_notices, live_interview
from .test_media import clear_live_tmp
from .test_room_consumer import _headers, candidate_cookie, join, receive, staff_cookie

pytestmark = [pytest.mark.realtime, pytest.mark.django_db(transaction=True)]


async def drain(ws, seconds: float) -> list:
    """Every message for ``seconds`` (a timed-out receive would cancel the consumer: wait with receive_nothing)."""
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        if not await ws.receive_nothing(timeout=0.1):
            out.append(await ws.receive_json_from())
    return out


def test_candidate_media_through_the_room_socket(org, hr_admin, interviewer, tmp_path):
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.contrib.media import MediaPlayer

    ensure_notices()
    org.facial_analysis_enabled = True
    org.save(update_fields=["facial_analysis_enabled"])
    room, token = live_interview(org, hr_admin, [interviewer])
    clear_live_tmp(room)
    position = room.application.position
    position.keywords = ["挑战"]
    position.save(update_fields=["keywords"])
    clip = sample_media.face_webm(tmp_path / "candidate.webm", "", seconds=10.0, clip="jay_0")
    url = f"/ws/live/{room.pk}/"
    staff, cand_cookie = staff_cookie(interviewer), candidate_cookie(room, token)

    async def scenario():
        staff_ws = WebsocketCommunicator(application, url, headers=_headers(staff))
        cand_ws = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        await join(staff_ws, "int-1")
        await join(cand_ws, "cand-1")
        # the consumer has started loading the models for the waiting candidate; a real candidate waits a while
        from hirelens.live import media

        await media.room_media_prepare(room_id=room.pk)
        await staff_ws.send_json_to({"type": "admit"})
        await receive(cand_ws, "admitted")

        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        player = MediaPlayer(str(clip))
        pc.addTrack(player.audio)
        pc.addTrack(player.video)
        await pc.setLocalDescription(await pc.createOffer())
        await cand_ws.send_json_to({"type": "server_offer", "sdp": pc.localDescription.sdp})
        answer = await receive(cand_ws, "server_answer", timeout=60)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["sdp_type"]))

        panel = [m for m in await drain(staff_ws, 14.0) if m["type"] == "panel"]
        to_candidate = [m["type"] for m in await drain(cand_ws, 0.2)]
        await pc.close()
        await staff_ws.send_json_to({"type": "end"})
        await receive(staff_ws, "ended")
        for _ in range(1200):  # the consumer stores the recording in the background
            stored = await database_sync_to_async(lambda: LiveRoom.objects.filter(pk=room.pk).exclude(recording="").exists())()
            if stored:
                break
            await asyncio.sleep(0.1)
        await staff_ws.disconnect()
        await cand_ws.disconnect()
        return panel, to_candidate

    with ThreadPoolExecutor(1) as pool:
        panel, to_candidate = pool.submit(asyncio.run, scenario()).result()

    assert "panel" not in to_candidate
    events = [m["event"] for m in panel]
    assert all(isinstance(m["wall_ms"], int) for m in panel)
    kinds = {e["type"] for e in events}
    assert {"speech_start", "speech_end", "rate", "face_present"} <= kinds, kinds
    assert "挑战" in "".join(e["text"] for e in events if e["type"] == "final")
    assert any(e["type"] == "keyword" and e["keyword"] == "挑战" for e in events)
    room.refresh_from_db()
    assert room.state == LiveRoom.State.ENDED and room.recording and room.recording_media["has_video"]
    assert 8.5 < room.recording_duration_s < 14.0, room.recording_duration_s
    assert room.live_summary["keywords"] == {"挑战": 1}
    for _ in range(100):  # the analysis runs right after the commit (Huey immediate in tests)
        if room.analysis_status == LiveRoom.Analysis.DONE:
            break
        time.sleep(0.2)
        room.refresh_from_db()
    assert room.analysis_status == LiveRoom.Analysis.DONE, room.analysis_error
