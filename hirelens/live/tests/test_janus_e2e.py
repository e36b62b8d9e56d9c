"""The room's pages through a real Janus in Chromium: with HIRELENS_JANUS_URL set, janus-room.js publishes each page's
fake camera and microphone to the VideoRoom and subscribes to the other page's feed, signalled through the room's
WebSocket; the interviewer decodes the candidate's video and hears its sound through Janus."""

from __future__ import annotations

import sys
import time

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, Process, free_port, in_thread, service_env, staff_login, wait_for_js
from hirelens.live.tests.test_janus import janus_server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

FLOWING = """(async () => {
  if (!window.hirelensJanus || !window.hirelensJanus.published) return false;
  const peers = await window.hirelensJanus.peers();
  return peers.some(p => p.peer === %r && p.framesDecoded > 10 && p.totalAudioEnergy > 0);
})()"""


@pytest.fixture
def janus_room_server(transactional_db, janus_server):  # noqa: F811
    """uvicorn (HTTP + WebSockets) on the test database, speaking to the test's Janus."""
    import urllib.request

    port = free_port()
    proc = Process([sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                    "--ws", "websockets", "--lifespan", "off", "--log-level", "warning"],
                   service_env(HIRELENS_JANUS_URL=janus_server["url"]), "asgi-janus")
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except Exception:
            if proc.proc.poll() is not None or time.time() > deadline:
                proc.stop()
                raise RuntimeError("the ASGI server did not start:\n" + proc.output())
            time.sleep(0.2)
    proc.base_url = base
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def media_browser(playwright_session):
    chromium = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    yield chromium
    chromium.close()


def test_interviewer_and_candidate_pages_through_janus(janus_room_server, janus_server, media_browser, org, hr_admin,  # noqa: F811
                                                      interviewer):
    from .room_setup import ensure_notices, live_interview

    def setup():
        ensure_notices()
        return live_interview(org, hr_admin, [interviewer])

    room, token = in_thread(setup)
    base = janus_room_server.base_url
    staff_ctx = media_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    cand_ctx = media_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for ctx in (staff_ctx, cand_ctx):  # what the pages hear of Janus, for the failure's message
        ctx.add_init_script("window.__janusLog = []; document.addEventListener('hirelens:room', (e) => {"
                            " const m = e.detail || {}; if (m.type === 'room') window.__janusLog.push(['room', (m.you || {}).seq]);"
                            " if (m.type === 'janus' || m.type === 'error')"
                            " window.__janusLog.push([m.type, m.event || m.code, m.feed || '', (m.publishers || []).length]); });")
    staff, cand = staff_ctx.new_page(), cand_ctx.new_page()
    try:
        staff_login(staff, base, interviewer)
        staff.goto(f"{base}/live/{room.pk}/")
        staff.wait_for_selector(f"#room[data-room-id='{room.pk}'][data-role=interviewer]")
        wait_for_js(staff, "window.hirelensJanus && window.hirelensJanus.enabled && window.hirelensJanus.published", timeout=20000)

        cand.goto(f"{base}/live/join/{token}/")
        for kind in ("recording", "ai_analysis", "biometric"):
            box = cand.locator(f"input[data-consent={kind}]")
            if box.count():
                box.check()
        cand.click("#consent-next")
        cand.wait_for_selector("#device-check", state="visible")
        cand.click("#join-btn")
        cand.wait_for_selector("#waiting", state="visible", timeout=15000)
        assert not cand.evaluate("window.hirelensJanus.published")  # the waiting candidate publishes nothing
        staff.click("button[data-action=admit]", timeout=15000)
        wait_for_js(cand, "document.querySelector('#room').dataset.state === 'open'", timeout=15000)

        cand_peer = cand.evaluate("window.hirelensRoom.peerId")
        staff_peer = staff.evaluate("window.hirelensRoom.peerId")
        try:
            wait_for_js(staff, FLOWING % cand_peer, timeout=45000)  # the candidate's camera and sound, through Janus
            wait_for_js(cand, FLOWING % staff_peer, timeout=45000)  # and the interviewer's
        except AssertionError:
            state = "window.hirelensJanus.peers().then(p => ({published: window.hirelensJanus.published, peers: p, log: window.__janusLog}))"
            log = janus_server["log"].read_text(errors="replace")
            ice = [line for line in log.splitlines() if "ICE" in line or "failed" in line.lower() or "DTLS" in line][-25:]
            raise AssertionError(f"interviewer: {staff.evaluate(state)}; candidate: {cand.evaluate(state)}; janus: {ice}") from None
        got = staff.evaluate("window.hirelensJanus.peers()")
        assert [p["peer"] for p in got] == [cand_peer] and got[0]["connectionState"] == "connected", got
        # the tile room.js made for the candidate shows the stream Janus sends
        wait_for_js(staff, f"(() => {{ const v = document.querySelector('.tile[data-peer=\"{cand_peer}\"] video');"
                           " return !!v && v.videoWidth > 0; })()", timeout=15000)

        # the interviewer shares the screen: the published video switches to the fake 1280x720 monitor (16:9) and the
        # candidate receives it through Janus; stopping brings the 4:3 camera back
        ratio = f"(() => {{ const v = document.querySelector('.tile[data-peer=\"{staff_peer}\"] video');" \
                " return v && v.videoHeight ? v.videoWidth / v.videoHeight : 0; })()"
        assert cand.evaluate(ratio) < 1.45
        staff.click("#controls button[data-action=screen]")
        wait_for_js(cand, ratio + " > 1.6", timeout=20000)
        assert staff.locator("#controls button[data-action=screen]").get_attribute("data-on") == "true"
        staff.click("#controls button[data-action=screen]")
        wait_for_js(cand, f"(() => {{ const r = {ratio}; return r > 0 && r < 1.45; }})()", timeout=20000)
    finally:
        staff_ctx.close()
        cand_ctx.close()
