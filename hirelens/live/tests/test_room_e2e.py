"""One interviewer and the candidate (on a phone-sized page) in Debian's Chromium with its fake camera and
microphone: consent (declining the AI analysis), device check, waiting room, admission, and each page decoding the other's video and hearing
its sound (getStats of the receiving page), then the end reaching both."""

import time

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, in_thread, staff_login, wait_for_js
from hirelens.live.models import RoomEvent

from .room_setup import CANDIDATE, ensure_notices, live_interview

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLOWING = """(async () => {
  if (!window.hirelensRoom) return false;
  const peers = await window.hirelensRoom.peers();
  return peers.length === 1 && peers[0].framesDecoded > 0 && (peers[0].audioLevel > 0 || peers[0].totalAudioEnergy > 0);
})()"""


@pytest.fixture(scope="module")
def media_browser(playwright_session):
    chromium = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required"])
    yield chromium
    chromium.close()


def test_interviewer_admits_the_candidate_and_both_see_and_hear(asgi_server, media_browser, org, hr_admin, interviewer):
    def setup():
        ensure_notices()
        return live_interview(org, hr_admin, [interviewer])

    room, token = in_thread(setup)
    base = asgi_server.base_url
    staff_ctx = media_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    cand_ctx = media_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    staff, cand = staff_ctx.new_page(), cand_ctx.new_page()
    staff.on("dialog", lambda dialog: dialog.accept())
    try:
        staff_login(staff, base, interviewer)
        staff.goto(f"{base}/live/{room.pk}/")
        staff.wait_for_selector(f"#room[data-room-id='{room.pk}'][data-role=interviewer]")
        wait_for_js(staff, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)

        cand.goto(f"{base}/live/join/{token}/")
        # the candidate declines the AI analysis (issue 20): the interview goes on, the interviewers are told at once
        assert cand.locator("[data-testid=consent-optional]").is_visible()
        cand.locator("input[data-consent=recording]").check()
        assert not cand.locator("input[data-consent=ai_analysis]").is_checked()
        cand.click("#consent-next")
        cand.wait_for_selector("#device-check", state="visible")
        wait_for_js(staff, "!document.getElementById('panel-declined').hidden", timeout=10000)
        assert "未同意 AI 分析" in staff.locator("#panel-declined").inner_text()
        wait_for_js(cand, "document.querySelector('video#self-view').videoWidth > 0", timeout=15000)
        cand.click("#join-btn")
        cand.wait_for_selector("#waiting", state="visible")
        wait_for_js(cand, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)
        assert cand.locator("#room").get_attribute("data-state") == "waiting"

        staff.wait_for_selector("#waiting-list >> text=" + CANDIDATE, timeout=10000)
        admitted_at = time.monotonic()
        staff.click("button[data-action=admit]")
        wait_for_js(cand, "document.querySelector('#room').dataset.state === 'open'", timeout=10000)
        for page in (staff, cand):
            wait_for_js(page, FLOWING, timeout=30000)
        print(f"live room: both pages decode video and hear sound {time.monotonic() - admitted_at:.2f} s after the admit click")
        assert staff.locator(".tile[data-role=candidate] .name").inner_text() == CANDIDATE
        assert cand.locator(".tile[data-role=interviewer] .name").inner_text() == interviewer.full_name
        wait_for_js(staff, "['good', 'fair', 'poor'].includes(document.querySelector('.tile[data-role=candidate] [data-quality]').dataset.quality)",
                    timeout=10000)
        assert cand.evaluate("window.hirelensRoom.mediaTime()") >= 0

        # the candidate's network drops and comes back: the page reconnects (same peer id) and the video flows on
        peer_id = cand.evaluate("window.hirelensRoom.peerId")
        cand_ctx.set_offline(True)
        wait_for_js(cand, "document.querySelector('#connection-status').dataset.state === 'reconnecting'", timeout=10000)
        cand.wait_for_timeout(3000)
        cand_ctx.set_offline(False)
        back = time.monotonic()
        wait_for_js(cand, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=10000)
        reconnect_s = time.monotonic() - back
        before = staff.evaluate("window.hirelensRoom.peers().then(p => p[0].framesDecoded)")
        wait_for_js(staff, f"window.hirelensRoom.peers().then(p => p[0].framesDecoded > {before + 10})", timeout=10000)
        print(f"live room: back in the room {reconnect_s:.2f} s after the network returned")
        assert reconnect_s < 5, reconnect_s
        assert cand.evaluate("window.hirelensRoom.peerId") == peer_id
        assert cand.locator("#room").get_attribute("data-state") == "open"
        assert "reconnected" in in_thread(lambda: list(RoomEvent.objects.filter(room=room).values_list("kind", flat=True)))

        staff.click("#controls button[data-action=end]")
        for page in (staff, cand):
            wait_for_js(page, "document.querySelector('#room').dataset.state === 'ended'", timeout=20000)
        assert cand.locator("#room-ended").is_visible()
    finally:
        staff_ctx.close()
        cand_ctx.close()
