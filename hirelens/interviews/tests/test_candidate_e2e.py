"""The candidate's whole flow in Chromium with a fake camera and microphone fed from generated files."""

import io
import time

import av
import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, wait_for_js
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import _hash

from .factories import InterviewSessionFactory
from .media import speech_wav, y4m_file

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TOKEN = "e2e-candidate-token"
QUESTIONS = [{"text": "请介绍一次团队协作的经历。", "prep_s": 30, "answer_s": 30, "retakes": 1},
             {"text": "客户拒绝签约时你会怎么做？", "prep_s": 30, "answer_s": 30, "retakes": 0}]


@pytest.fixture(scope="module")
def media_browser(tmp_path_factory, playwright_session):
    folder = tmp_path_factory.mktemp("fake-media")
    video, audio = y4m_file(folder / "camera.y4m"), speech_wav(folder / "mic.wav")
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={video}", f"--use-file-for-fake-audio-capture={audio}"]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield browser
    browser.close()


@pytest.fixture
def phone(media_browser):
    context = media_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, permissions=["camera", "microphone"])
    page = context.new_page()
    yield context, page
    context.close()


def _session(org):
    return InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), questions=QUESTIONS)


def _answer(page, seconds, during=None):
    label = page.inner_text("[data-testid=question-label]")
    practice = label.startswith(("练习题", "Practice"))
    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    # never "all uploaded" while a take is being recorded; nothing about saving during the practice, which is not kept
    saving = ("",) if practice else ("录制中，内容边录边保存", "Recording: saved as you go")
    assert page.inner_text("[data-testid=upload-status]").strip() in saving
    if during:
        during()
    else:
        page.wait_for_timeout(seconds * 1000)
    page.click("[data-testid=stop-answer]")
    page.wait_for_selector("[data-testid=next]", state="visible")
    if practice:
        page.wait_for_timeout(1000)  # the practice's pieces have gone up by now
        assert "已全部上传" not in page.inner_text("[data-testid=upload-status]")  # the practice is not kept
    page.click("[data-testid=next]")


def _through_consent_and_device(page, base, *, biometric=False, audio_only=False):
    page.goto(f"{base}/i/{TOKEN}/")
    page.click("[data-testid=begin]")
    page.check("[data-testid=consent-recording]")
    page.check("[data-testid=consent-ai_analysis]")
    if biometric:
        page.check("[data-testid=consent-biometric]")
    page.click("[data-testid=consent-continue]")
    page.wait_for_selector("[data-testid=step-device]", state="visible")
    if audio_only:
        page.click("[data-testid=audio-only]")
    page.wait_for_selector("[data-testid=device-continue]:not([disabled])")
    page.click("[data-testid=device-continue]")
    page.wait_for_selector("[data-testid=step-question]", state="visible")


def _stored_duration(answer):
    with answer.recording.open("rb") as handle:
        data = handle.read()
    with av.open(io.BytesIO(data)) as container:
        kinds = {s.type for s in container.streams}
        last = 0.0
        for packet in container.demux():
            if packet.pts is not None:
                last = max(last, float(packet.pts * packet.time_base))
    return last, kinds


def _submit(page):
    page.wait_for_selector("[data-testid=step-review]", state="visible")
    page.wait_for_selector("[data-testid=submit]:not([disabled])", timeout=60000)
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=step-done]", state="visible")


def test_full_flow_with_network_cut_mid_answer(asgi_server, phone, org):
    context, page = phone
    session = _session(org)
    _through_consent_and_device(page, asgi_server.base_url)
    assert "练习题" in page.inner_text("[data-testid=step-question]")
    _answer(page, 2)  # practice

    def cut_network():
        page.wait_for_timeout(2500)
        context.set_offline(True)
        page.wait_for_timeout(4000)
        page.wait_for_selector("text=网络已断开", timeout=10000)
        context.set_offline(False)
        page.wait_for_timeout(2000)

    _answer(page, 0, during=cut_network)  # question 1: about 8.5 s with 4 s offline in the middle
    _answer(page, 3)  # question 2
    _submit(page)

    session.refresh_from_db()
    assert session.state == InterviewSession.State.SUBMITTED
    assert session.biometric_allowed is False  # the separate biometric consent was declined
    answers = {a.question_index: a for a in session.answers.filter(status="complete")}
    assert set(answers) == {-1, 0, 1}
    duration, kinds = _stored_duration(answers[0])
    assert kinds == {"video", "audio"}
    assert duration >= 7.5, f"the answer cut by the network lost time: {duration:.1f}s"
    assert answers[0].duration_s == pytest.approx(duration, abs=0.5)


def test_the_practice_can_be_skipped_from_the_device_check_or_its_own_preparation(asgi_server, phone, org):
    """The practice is optional: "skip" from the device check goes straight to question 1, a reload does not ask the
    practice again, and nothing is recorded for it; "skip" from the practice's preparation does the same."""
    context, page = phone
    session = _session(org)
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    assert "可跳过的练习题" in page.inner_text("[data-testid=time-estimate]")
    page.click("[data-testid=begin]")
    page.check("[data-testid=consent-recording]")
    page.check("[data-testid=consent-ai_analysis]")
    page.click("[data-testid=consent-continue]")
    page.wait_for_selector("[data-testid=device-skip-practice]:not([disabled])")
    assert page.inner_text("[data-testid=device-skip-practice]") == "跳过练习，直接答题"
    page.click("[data-testid=device-skip-practice]")
    page.wait_for_selector("[data-testid=step-question]", state="visible")
    assert page.inner_text("[data-testid=question-text]") == QUESTIONS[0]["text"]
    wait_for_js(page, "document.activeElement && document.activeElement.closest('[data-testid=step-question] h1') !== null")
    assert not page.is_visible("[data-testid=skip-practice]")
    page.reload()  # the choice holds in this tab: question 1 again, not the practice
    page.wait_for_selector("[data-testid=step-question]", state="visible", timeout=15000)
    assert page.inner_text("[data-testid=question-text]") == QUESTIONS[0]["text"]
    _answer(page, 2)
    deadline = time.monotonic() + 30  # the answer's last pieces and its finish go up after "next"
    while not session.answers.filter(question_index=0, status="complete").exists():
        assert time.monotonic() < deadline, "question 1's answer was not stored"
        page.wait_for_timeout(200)
    assert not session.answers.filter(question_index=-1).exists()

    # another candidate skips from the practice's own preparation (the practice was shown first)
    other = context.new_page()
    second = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash("e2e-skip-later"),
                                     questions=QUESTIONS)
    other.goto(f"{asgi_server.base_url}/i/e2e-skip-later/")
    other.click("[data-testid=begin]")
    other.check("[data-testid=consent-recording]")
    other.check("[data-testid=consent-ai_analysis]")
    other.click("[data-testid=consent-continue]")
    other.wait_for_selector("[data-testid=device-continue]:not([disabled])")
    other.click("[data-testid=device-continue]")
    other.wait_for_selector("[data-testid=skip-practice]", state="visible")
    assert other.inner_text("[data-testid=question-label]").startswith("练习题")
    other.click("[data-testid=skip-practice]")
    wait_for_js(other, f"document.querySelector('[data-testid=question-text]').textContent === {QUESTIONS[0]['text']!r}")
    assert not other.is_visible("[data-testid=skip-practice]")
    other.wait_for_timeout(1500)  # the practice's countdown was stopped: nothing starts recording by itself
    assert other.is_visible("[data-testid=start-answer]")
    assert not second.answers.exists()


def test_audio_only_path(asgi_server, phone, org):
    _, page = phone
    session = _session(org)
    session.practice_question = ""
    session.save()
    _through_consent_and_device(page, asgi_server.base_url, audio_only=True)
    _answer(page, 2)
    _answer(page, 2)
    _submit(page)
    session.refresh_from_db()
    assert session.audio_only is True
    for answer in session.answers.filter(status="complete"):
        assert answer.kind == Answer.Kind.AUDIO
        _, kinds = _stored_duration(answer)
        assert kinds == {"audio"}


def test_declining_required_consent_stops_with_a_clear_message(asgi_server, phone, org):
    _, page = phone
    session = _session(org)
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    page.click("[data-testid=begin]")
    page.check("[data-testid=consent-ai_analysis]")  # AI analysis may be declined (issue 20); the recording may not
    page.click("[data-testid=consent-continue]")
    page.wait_for_selector("[data-testid=error]:has-text('需要您同意录音录像才能继续面试')")
    assert page.is_visible("[data-testid=step-consent]")
    session.refresh_from_db()
    assert session.consents == {} and session.state == "invited"


def test_expired_link_page(asgi_server, phone, org):
    _, page = phone
    response = page.goto(f"{asgi_server.base_url}/i/not-a-real-token/")
    # a candidate's dead-link page (not the staff 404): what happened, and a way to ask for a new link
    assert response.status == 404 and "无法识别这个链接" in page.content()
    assert page.is_visible("text=申请新链接") and "返回工作台" not in page.content()


def test_hr_sees_progress_live(asgi_server, media_browser, phone, org, hr_admin):
    from hirelens.accounts.tests.factories import PASSWORD

    _, candidate = phone
    session = _session(org)
    hr_context = media_browser.new_context(locale="zh-CN")
    hr = hr_context.new_page()
    try:
        hr.goto(f"{asgi_server.base_url}/accounts/login/")
        hr.fill("#id_username", hr_admin.email)
        hr.fill("#id_password", PASSWORD)
        hr.click("button[type=submit].btn")
        hr.goto(f"{asgi_server.base_url}/interviews/{session.pk}/")
        wait_for_js(hr, "document.body.dataset.live === '1'")
        assert hr.inner_text("[data-testid=session-state]") == "已邀请"
        _through_consent_and_device(candidate, asgi_server.base_url)
        hr.wait_for_selector("[data-testid=live-hint]", state="visible", timeout=15000)
        wait_for_js(hr, "document.querySelector('[data-testid=session-state]').textContent === '已开始'")  # the label, never the code
    finally:
        hr_context.close()


def test_reload_mid_answer_keeps_what_was_recorded(asgi_server, phone, org):
    """(Issue 19: the page offers to keep the interrupted take; test_interruptions_e2e covers every kind of interruption.)"""
    _, page = phone
    session = _session(org)
    session.practice_question = ""
    session.save()
    _through_consent_and_device(page, asgi_server.base_url)
    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    page.wait_for_timeout(4500)
    page.reload()  # the recorder dies mid-answer; its pieces are in IndexedDB
    page.wait_for_selector("[data-testid=keep-interrupted]", state="visible", timeout=15000)
    page.click("[data-testid=keep-interrupted]")
    answer = None
    for _ in range(60):
        answer = session.answers.filter(question_index=0, status="complete").first()
        if answer:
            break
        page.wait_for_timeout(500)
    assert answer is not None, "the interrupted answer was not finished after the reload"
    duration, _ = _stored_duration(answer)
    assert duration >= 3.5  # what was recorded before the reload is kept


def test_help_desk_link_on_the_flow(asgi_server, phone, org):
    _, page = phone
    _session(org)
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    page.click("[data-testid=help] summary")
    href = page.get_attribute("[data-testid=report-problem]", "href")
    assert href.startswith("/messaging/help/") and "page=%2Fi%2F" in href and href.endswith("step=welcome")
    assert page.request.get(asgi_server.base_url + href).status == 200
    # the link follows the step the candidate is on, and the consents read recording first (as in the live room)
    page.click("[data-testid=begin]")
    wait_for_js(page, "document.querySelector('[data-testid=report-problem]').href.endsWith('step=consent')")
    kinds = page.eval_on_selector_all("[data-testid^=consent-]:not([data-testid=consent-continue])",
                                      "els => els.map(e => e.dataset.testid)")
    assert kinds[:2] == ["consent-recording", "consent-ai_analysis"], kinds
