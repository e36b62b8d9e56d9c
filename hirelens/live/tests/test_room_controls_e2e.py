"""The interviewer's controls as the OTHER side sees them, in Debian's Chromium with its fake camera, microphone and
screen (getDisplayMedia answers with a fake 1280x720 "monitor" under --use-fake-ui-for-media-stream and
--use-fake-device-for-media-stream): sharing the screen turns the video the candidate's page decodes into the screen
(16:9 instead of the camera's 4:3) and flags the interviewer's tile, also on a candidate page reloaded during the share
and over the fresh connection an interviewer's page offers after a long network drop; stopping it brings the camera
back; muting stops the audio energy the candidate's page receives; turning the camera off makes the picture black."""

import time

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, in_thread, staff_login, wait_for_js
from hirelens.live.models import RoomNote

from .room_setup import CANDIDATE, ensure_notices, live_interview

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FLOWING = """(async () => {
  if (!window.hirelensRoom) return false;
  const peers = await window.hirelensRoom.peers();
  return peers.length === 1 && peers[0].framesDecoded > 0 && (peers[0].audioLevel > 0 || peers[0].totalAudioEnergy > 0);
})()"""

# what the candidate's page receives from the interviewer: decoded size, frames, audio energy, the tile's flags and
# the mean brightness (0-255) of the picture drawn from the tile's <video>
RECEIVED = """(async () => {
  const tile = document.querySelector('.tile[data-role=interviewer]');
  const video = tile.querySelector('video');
  const peer = (await window.hirelensRoom.peers())[0];
  let bright = null;
  if (video.videoWidth) {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 48;
    const g = canvas.getContext('2d');
    g.drawImage(video, 0, 0, 64, 48);
    const d = g.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    bright = sum / (d.length / 4) / 3;
  }
  return {w: video.videoWidth, h: video.videoHeight, frames: peer.framesDecoded, energy: peer.totalAudioEnergy,
          flags: tile.querySelector('.flags').textContent, bright};
})()"""


@pytest.fixture(scope="module")
def media_browser(playwright_session):
    chromium = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required"])
    yield chromium
    chromium.close()


def _received(page):
    return page.evaluate(RECEIVED)


def _wait_received(page, test, what: str, timeout: float = 10.0):
    """Poll what the page receives until `test` holds; the last reading goes into the failure message."""
    deadline = time.monotonic() + timeout
    while True:
        got = _received(page)
        if test(got):
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: {got}")
        page.wait_for_timeout(250)


def _frames_go_on(page, count: int = 10):
    before = _received(page)["frames"]
    return _wait_received(page, lambda r: r["frames"] >= before + count, f"{count} more frames decoded after {before}")


def test_interviewer_screen_mute_and_camera_reach_the_candidate(asgi_server, media_browser, org, hr_admin, interviewer):
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
        wait_for_js(staff, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)
        cand.goto(f"{base}/live/join/{token}/")
        for kind in ("recording", "ai_analysis"):
            cand.locator(f"input[data-consent={kind}]").check()
        cand.click("#consent-next")
        wait_for_js(cand, "document.querySelector('video#self-view').videoWidth > 0", timeout=15000)
        cand.click("#join-btn")
        staff.wait_for_selector("#waiting-list >> text=" + CANDIDATE, timeout=15000)
        staff.click("button[data-action=admit]")
        for page in (staff, cand):
            wait_for_js(page, FLOWING, timeout=30000)
        assert cand.locator(".tile[data-role=interviewer] .name").inner_text() == interviewer.full_name
        strings = cand.evaluate("JSON.parse(document.getElementById('room-strings').textContent)")
        control = lambda action: staff.locator(f"#controls button[data-action={action}]")  # noqa: E731

        camera = _wait_received(cand, lambda r: r["w"] and r["w"] / r["h"] < 1.45 and r["bright"] is not None,
                                "the interviewer's camera (4:3) on the candidate's page")
        assert camera["flags"] == "", camera
        print(f"live controls: camera received {camera['w']}x{camera['h']}, brightness {camera['bright']:.1f}")

        # screen share: the video sender switches to the fake 1280x720 monitor, the tile says so, frames go on
        control("screen").click()
        shared_at = time.monotonic()
        screen = _wait_received(cand, lambda r: strings["screen"] in r["flags"] and r["w"] / r["h"] > 1.6,
                                "the shared screen (16:9) and the screen flag on the candidate's page", timeout=15)
        print(f"live controls: screen received {screen['w']}x{screen['h']} {time.monotonic() - shared_at:.2f} s after the click")
        assert control("screen").get_attribute("data-on") == "true"
        assert control("screen").inner_text() == strings["stopShareBtn"]
        _frames_go_on(cand)

        # the candidate's page reloads during the share: the new connection gets the screen, not the camera
        cand.reload()
        cand.wait_for_selector("#device-check", state="visible")
        wait_for_js(cand, "document.querySelector('video#self-view').videoWidth > 0", timeout=15000)
        cand.click("#join-btn")
        wait_for_js(cand, "document.querySelector('#room').dataset.state === 'open'", timeout=15000)
        wait_for_js(cand, FLOWING, timeout=30000)
        again = _wait_received(cand, lambda r: strings["screen"] in r["flags"] and r["w"] / r["h"] > 1.6,
                               "the shared screen on the reloaded candidate's page", timeout=15)
        print(f"live controls: after a reload the candidate receives {again['w']}x{again['h']}")
        _frames_go_on(cand)

        # the interviewer's network drops for longer than the candidate's page keeps a connection (15 s); back, its ICE
        # restart meets no connection there, the candidate's page answers with a reset and the interviewer's page
        # offers a fresh connection: that one carries the screen too, and the tile still says so
        staff_ctx.set_offline(True)
        offline_at = time.monotonic()
        wait_for_js(cand, "document.querySelector('.tile[data-role=interviewer]') === null", timeout=40000)
        print(f"live controls: the offline interviewer's tile left the candidate's page {time.monotonic() - offline_at:.1f} s after the drop")
        # while the interviewer is away the candidate asks, and the interviewer writes a note: neither is lost
        wait_for_js(staff, "document.querySelector('#connection-status').dataset.state !== 'connected'", timeout=30000)
        cand.fill("#question-form textarea[name=text]", "请问入职后有导师吗？")
        cand.locator("#question-form button[type=submit]").click()
        cand.wait_for_selector("#questions-list li[data-question-id]:has-text('请问入职后有导师吗？')", timeout=10000)
        staff.fill("#notes-form textarea[name=text]", "断网时写的批注")
        staff.click("#notes-form button[type=submit]")
        assert staff.input_value("#notes-form textarea[name=text]") == ""  # taken: it waits to go out, and says so
        assert staff.locator("#outbox-status").inner_text() == "有 1 条内容待发送，网络恢复后自动发出"
        for i in range(2, 21):  # the outbox keeps 20; the 21st stays in its box and the page says why
            staff.fill("#notes-form textarea[name=text]", f"离线批注 {i}")
            staff.click("#notes-form button[type=submit]")
        assert staff.locator("#outbox-status").inner_text() == "有 20 条内容待发送，网络恢复后自动发出"
        staff.fill("#notes-form textarea[name=text]", "第 21 条")
        staff.click("#notes-form button[type=submit]")
        assert staff.input_value("#notes-form textarea[name=text]") == "第 21 条"
        assert staff.locator("#outbox-status").inner_text() == "已有 20 条内容待发送，最多暂存这么多：请等网络恢复后再发送"
        staff_ctx.set_offline(False)
        staff.wait_for_selector("#questions-list li[data-question-id]:has-text('请问入职后有导师吗？')", timeout=30000)
        staff.wait_for_selector("#notes-list li:has-text('断网时写的批注')", timeout=30000)
        staff.wait_for_selector("#outbox-status", state="hidden", timeout=5000)
        assert in_thread(lambda: RoomNote.objects.filter(room=room, text="断网时写的批注").count()) == 1
        staff.wait_for_selector("#notes-list li:has-text('离线批注 20')", timeout=30000)
        assert in_thread(lambda: RoomNote.objects.filter(room=room, text__startswith="离线批注").count()) == 19
        wait_for_js(cand, FLOWING, timeout=30000)
        fresh = _wait_received(cand, lambda r: strings["screen"] in r["flags"] and r["w"] / r["h"] > 1.6,
                               "the shared screen over the interviewer's fresh connection", timeout=15)
        print(f"live controls: after the interviewer's fresh connection the candidate receives {fresh['w']}x{fresh['h']}")
        _frames_go_on(cand)

        # stop sharing: the camera comes back
        control("screen").click()
        back = _wait_received(cand, lambda r: strings["screen"] not in r["flags"] and r["w"] / r["h"] < 1.45,
                              "the camera back after the share stopped", timeout=15)
        assert control("screen").get_attribute("data-on") == "false"
        assert back["bright"] > 20, back
        _frames_go_on(cand)

        # mute: the flag arrives and the received audio energy stops growing
        start = _received(cand)["energy"]
        cand.wait_for_timeout(2000)
        speaking = _received(cand)["energy"] - start
        assert speaking > 0, speaking
        control("mute").click()
        _wait_received(cand, lambda r: strings["muted"] in r["flags"], "the muted flag on the candidate's page")
        assert control("mute").get_attribute("data-on") == "true"
        cand.wait_for_timeout(1000)  # what was on its way has arrived
        start = _received(cand)["energy"]
        cand.wait_for_timeout(2000)
        silent = _received(cand)["energy"] - start
        print(f"live controls: audio energy received in 2 s: {speaking:.5f} speaking, {silent:.7f} muted")
        assert silent < speaking / 100, (silent, speaking)
        control("mute").click()
        _wait_received(cand, lambda r: strings["muted"] not in r["flags"], "the muted flag gone")
        start = _received(cand)["energy"]
        _wait_received(cand, lambda r: r["energy"] - start > speaking / 4, "the sound back after unmuting")

        # camera off: the flag arrives and the received picture turns black; on again: the picture comes back
        control("camera").click()
        dark = _wait_received(cand, lambda r: strings["cameraOff"] in r["flags"] and r["bright"] is not None and r["bright"] < 3,
                              "the camera-off flag and a black picture on the candidate's page")
        assert control("camera").get_attribute("data-on") == "true"
        print(f"live controls: camera off received as brightness {dark['bright']:.1f}")
        control("camera").click()
        _wait_received(cand, lambda r: strings["cameraOff"] not in r["flags"] and r["bright"] > 20, "the picture back")
        assert control("camera").get_attribute("data-on") == "false"
        _frames_go_on(cand)
    finally:
        staff_ctx.close()
        cand_ctx.close()
