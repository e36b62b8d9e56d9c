"""WCAG 2.1 AA on the live room's candidate side once an interviewer lets the candidate in (issue 19), in Debian's
Chromium with its fake camera and microphone, the candidate on a phone (390x844) in zh-Hans and English, the
interviewer signed in on a desktop: the in-room view (the interviewer's tile, the call controls, the questions box),
the "you left the room" card and the "interview ended" card each pass axe (nothing serious or critical), have one h1
that takes the focus when the card appears, touch targets of at least 44 px, a name on every call control, and no
link to staff pages. Leaving and coming back works by keyboard alone."""

from __future__ import annotations

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, in_thread, staff_login, wait_for_js
from tests.e2e.test_accessibility import LANGUAGES, Audit, phone_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED_HEADING = "(() => { const el = document.activeElement; return el && el.matches('%s') ? el.textContent.trim() : null; })()"
# every control of the call: its accessible name (text or aria-label) and whether it says its state
CONTROLS = """() => Array.from(document.querySelectorAll('#controls button')).filter(b => b.getClientRects().length)
  .map(b => ({action: b.dataset.action, name: (b.getAttribute('aria-label') || b.textContent).trim(),
              pressed: b.getAttribute('aria-pressed')}))"""


@pytest.fixture(params=list(LANGUAGES))
def language(request):
    return request.param


@pytest.fixture(scope="module")
def media_browser(playwright_session):
    chromium = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required"])
    yield chromium
    chromium.close()


def _join(cand, base: str, token: str) -> None:
    """Consent (first time), device check, join: the candidate waits to be let in."""
    cand.goto(f"{base}/live/join/{token}/")
    if cand.locator("#step-consent").is_visible():
        for box in cand.locator("input[data-consent]:not([data-consent=biometric])").all():
            box.check()
        cand.click("#consent-next")
    cand.wait_for_selector("#device-check", state="visible")
    wait_for_js(cand, "document.querySelector('video#self-view').videoWidth > 0", timeout=15000)
    cand.click("#join-btn")
    wait_for_js(cand, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)


def _admit(staff, cand) -> None:
    staff.wait_for_selector("#waiting-list button[data-action=admit]", timeout=15000)
    staff.click("#waiting-list button[data-action=admit]")
    wait_for_js(cand, "document.querySelector('#room').dataset.state === 'open'", timeout=15000)
    cand.wait_for_selector(".tile[data-role=interviewer]", timeout=15000)


def test_the_candidates_room_left_and_ended(asgi_server, media_browser, language, org, hr_admin, interviewer):
    from hirelens.live.tests.room_setup import ensure_notices, live_interview

    def setup():
        ensure_notices()
        return live_interview(org, hr_admin, [interviewer])

    room, token = in_thread(setup)
    base = asgi_server.base_url
    staff_ctx = media_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    cand_ctx = phone_context(media_browser, base, language, permissions=["camera", "microphone"])
    staff, cand = staff_ctx.new_page(), cand_ctx.new_page()
    for page in (staff, cand):
        page.on("dialog", lambda dialog: dialog.accept())
    audit = Audit(cand, language)
    try:
        staff_login(staff, base, interviewer)
        staff.goto(f"{base}/live/{room.pk}/")
        wait_for_js(staff, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)

        # in the room
        _join(cand, base, token)
        _admit(staff, cand)
        audit.expect(cand.evaluate(FOCUSED_HEADING % "#in-room h1") is not None, "live: focus is not on the room's heading")
        help_href = cand.get_attribute("[data-testid=need-help]", "href") or ""
        audit.expect(help_href.endswith("step=room"), f"live: the help link does not carry the step: {help_href}")
        audit.check("live, in the room")
        controls = cand.evaluate(CONTROLS)
        audit.expect([c["action"] for c in controls] == ["mute", "camera", "leave"], f"live: the candidate's controls {controls}")
        audit.expect(all(c["name"] for c in controls), f"live: a call control without a name {controls}")
        cand.click("#controls button[data-action=mute]")
        pressed = cand.evaluate(CONTROLS)[0]
        # the label says what a press does next (静音 → 取消静音); with a changing label no aria-pressed, which a
        # screen reader would read as "取消静音, pressed"
        audit.expect(pressed["pressed"] is None and pressed["name"] != controls[0]["name"],
                     f"live: the mute button does not say it is on, or says it twice: {pressed}")
        cand.click("#controls button[data-action=mute]")
        cand.fill("#question-form textarea", "请问团队有多少人？")
        cand.click("#question-form button[type=submit]")
        cand.wait_for_selector("#questions-list li")
        audit.check("live, in the room with a question")

        # the candidate leaves (by keyboard: the leave button, Enter; the confirmation accepted)
        cand.focus("#controls button[data-action=leave]")
        cand.keyboard.press("Enter")
        cand.wait_for_selector("#room-left", state="visible")
        audit.expect(cand.locator("#in-room").is_hidden(), "live: the room is still shown after leaving")
        audit.expect(cand.evaluate(FOCUSED_HEADING % "#room-left h1") is not None, "live: focus is not on the left card's heading")
        audit.check("live, left the room")
        staff.wait_for_selector("#waiting-list", state="hidden", timeout=15000)

        # back in through the card's button (keyboard), let in again, then the interviewer ends the interview
        cand.focus("#room-left a.btn")
        cand.keyboard.press("Enter")
        cand.wait_for_selector("#device-check", state="visible")
        wait_for_js(cand, "document.querySelector('video#self-view').videoWidth > 0", timeout=15000)
        cand.click("#join-btn")
        wait_for_js(cand, "document.querySelector('#connection-status').dataset.state === 'connected'", timeout=15000)
        if cand.evaluate("document.querySelector('#room').dataset.state") == "waiting":  # let in again, or still admitted
            _admit(staff, cand)
        staff.click("#controls button[data-action=end]")
        cand.wait_for_selector("#room-ended", state="visible", timeout=15000)
        audit.expect(cand.locator("#in-room").is_hidden() and cand.locator("#room-left").is_hidden(),
                     "live: other cards still shown once the interview ended")
        audit.expect(cand.evaluate(FOCUSED_HEADING % "#room-ended h1") is not None, "live: focus is not on the ended card's heading")
        audit.check("live, interview ended")
    finally:
        staff_ctx.close()
        cand_ctx.close()
    audit.done()
