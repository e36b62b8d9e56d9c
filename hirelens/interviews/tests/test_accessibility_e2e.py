"""Issue 19: every step of the AI interview is accessible (axe-core, WCAG 2.1 A/AA: 0 serious, 0 critical) in zh and en
on a phone, focus moves to each new step's heading, the countdown milestones are announced; a silent microphone does
not pass the device check."""

import wave

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, wait_for_js
from hirelens.interviews.sample_media import speech_wav, y4m_file
from hirelens.interviews.services import PRACTICE_DEFAULTS
from tests.e2e.a11y import assert_accessible

from .test_candidate_e2e import TOKEN, _session, media_browser  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WORDS = {
    "zh-hans": {"practice": "练习题（不计分）", "recorded": "已录制", "silent": "没有听到麦克风的声音", "started": "开始录制"},
    "en": {"practice": "Practice question (not scored)", "recorded": "Recorded", "silent": "We cannot hear your microphone",
           "started": "Recording started"},
}


def _focus_on_heading(page, step):
    wait_for_js(page, f"document.activeElement === document.querySelector('[data-testid=step-{step}] h1')", timeout=10000)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_step_is_accessible_and_announced(asgi_server, media_browser, org, language):  # noqa: F811
    words = WORDS[language]
    session = _session(org)
    session.questions = session.questions[:1]
    session.language = language
    session.practice_question = "请用三个词介绍你自己。"
    session.save()
    context = media_browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-US", viewport={"width": 390, "height": 844},
                                        permissions=["camera", "microphone"])
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.wait_for_selector("[data-testid=step-welcome]", state="visible")
        assert page.inner_text("[data-testid=upload-status]") == ""  # nothing recorded: nothing said about uploads
        assert page.get_attribute("[data-testid=progress]", "aria-label")
        assert_accessible(page, f"welcome ({language})")
        page.click("[data-testid=begin]")
        _focus_on_heading(page, "consent")
        assert_accessible(page, f"consent ({language})")
        page.check("[data-testid=consent-recording]")
        page.check("[data-testid=consent-ai_analysis]")
        page.click("[data-testid=consent-continue]")
        _focus_on_heading(page, "device")
        page.wait_for_selector("[data-testid=device-continue]:not([disabled])")
        assert_accessible(page, f"device check ({language})")
        page.keyboard.press("Tab")  # keyboard alone from here: the continue button is reachable and works with Enter
        page.focus("[data-testid=device-continue]")
        page.keyboard.press("Enter")
        _focus_on_heading(page, "question")
        assert page.inner_text("[data-testid=question-label]") == words["practice"]
        if language == "en":
            assert page.inner_text("[data-testid=question-text]") == PRACTICE_DEFAULTS["en"]
        assert_accessible(page, f"practice, preparation ({language})")
        page.focus("[data-testid=start-answer]")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-testid=stop-answer]", state="visible")
        wait_for_js(page, "document.activeElement === document.querySelector('[data-testid=stop-answer]')")
        wait_for_js(page, f"Alpine.$data(document.querySelector('[data-testid=interview]')).announced.some((t) => t.startsWith('{words['started']}'))")
        page.wait_for_selector("[data-testid=announcer][aria-live=polite]", state="attached")
        assert_accessible(page, f"practice, recording ({language})")
        page.wait_for_timeout(2200)
        page.keyboard.press("Enter")  # the focused stop button
        page.wait_for_selector("[data-testid=next]", state="visible")
        page.wait_for_selector(f"[data-testid=recorded]:has-text('{words['recorded']}')")
        assert_accessible(page, f"practice, done ({language})")
        page.click("[data-testid=next]")
        page.wait_for_selector("[data-testid=start-answer]", state="visible")
        _focus_on_heading(page, "question")
        assert_accessible(page, f"question, preparation ({language})")
        page.click("[data-testid=start-answer]")
        page.wait_for_selector("[data-testid=stop-answer]", state="visible")
        assert_accessible(page, f"question, recording ({language})")
        page.wait_for_timeout(2500)
        page.click("[data-testid=stop-answer]")
        page.wait_for_selector("[data-testid=next]", state="visible")
        assert_accessible(page, f"question, done ({language})")
        page.click("[data-testid=next]")
        _focus_on_heading(page, "review")
        assert_accessible(page, f"review ({language})")
        page.wait_for_selector("[data-testid=submit]:not([disabled])", timeout=60000)
        page.click("[data-testid=submit]")
        _focus_on_heading(page, "done")
        assert_accessible(page, f"done ({language})")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_refused_answer_state_is_accessible(asgi_server, media_browser, org, language):  # noqa: F811
    session = _session(org)
    session.language, session.practice_question = language, ""
    session.save()
    context = media_browser.new_context(viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"])
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.click("[data-testid=begin]")
        page.check("[data-testid=consent-recording]")
        page.check("[data-testid=consent-ai_analysis]")
        page.click("[data-testid=consent-continue]")
        page.wait_for_selector("[data-testid=device-continue]:not([disabled])")
        page.click("[data-testid=device-continue]")
        page.click("[data-testid=start-answer]")
        page.wait_for_selector("[data-testid=stop-answer]", state="visible")
        page.wait_for_timeout(250)
        page.click("[data-testid=stop-answer]")  # under a second: refused by the server
        page.wait_for_selector("[data-testid=error]", state="visible", timeout=30000)
        page.wait_for_selector("[data-testid=start-answer]", state="visible")
        assert_accessible(page, f"refused answer ({language})")
    finally:
        context.close()


@pytest.fixture(scope="module")
def silent_browser(tmp_path_factory, playwright_session):
    folder = tmp_path_factory.mktemp("silent-media")
    silent = folder / "silent.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(b"\0\0" * 48000 * 10)
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={y4m_file(folder / 'camera.y4m')}",
                            f"--use-file-for-fake-audio-capture={silent}"]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield browser
    browser.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_silent_microphone_does_not_pass_the_device_check(asgi_server, silent_browser, org, language):
    assert speech_wav  # the fake microphone of the other tests speaks; this one is silent
    session = _session(org)
    session.language = language
    session.save()
    context = silent_browser.new_context(viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"])
    page = context.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.click("[data-testid=begin]")
        page.check("[data-testid=consent-recording]")
        page.check("[data-testid=consent-ai_analysis]")
        page.click("[data-testid=consent-continue]")
        page.wait_for_selector(f"[data-testid=mic-advice]:has-text('{WORDS[language]['silent']}')", timeout=20000)
        assert page.is_disabled("[data-testid=device-continue]")
        assert_accessible(page, f"device check, silent microphone ({language})")
        session.refresh_from_db()
        assert session.state == "invited"
    finally:
        context.close()
