"""WeChat's in-app browser (user agent `MicroMessenger`, an iPhone's WeChat, phone viewport) in Debian's Chromium:

(a) where the recording APIs exist, the AI interview works as anywhere else, up to the first stored answer;
(b) where they do not (older iOS WeChat: no MediaRecorder, no navigator.mediaDevices, removed here by an init
    script), the interview page says so before the candidate starts, copies the exact link for the system
    browser, and the flow does not pretend to work; the live room's candidate page does the same;
(c) the portal and the booking page load and book a slot with WeChat's user agent.
"""

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, in_thread
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.interviews.tests.media import speech_wav, y4m_file
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# WeChat 8.0.47 on iOS 17.4 (the string WeChat sends, "Language/" following WeChat's own language setting)
WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/{lang}")
TOKEN = "wechat-e2e-token"
QUESTIONS = [{"text": "请介绍一次团队协作的经历。", "prep_s": 30, "answer_s": 30, "retakes": 1},
             {"text": "客户拒绝签约时你会怎么做？", "prep_s": 30, "answer_s": 30, "retakes": 0}]
# Older iOS WeChat: no MediaRecorder and no camera/microphone API at all.
NO_RECORDING = "delete window.MediaRecorder; delete Navigator.prototype.mediaDevices; delete navigator.mediaDevices;"
LANGS = {"zh": ("zh-CN", "zh_CN", "这个浏览器无法录制您的回答", "在浏览器打开", "链接已复制"),
         "en": ("en-GB", "en", "This browser cannot record your answers", "Open in Browser", "Link copied")}


@pytest.fixture(autouse=True)
def platform_notices(db):
    """Transactional tests flush the consent notices the data migration filled: put them back."""
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.notices import ensure_platform_notices

    ensure_platform_notices(ConsentNotice)


@pytest.fixture(scope="module")
def media_browser(tmp_path_factory, playwright_session):
    folder = tmp_path_factory.mktemp("wechat-media")
    video, audio = y4m_file(folder / "camera.y4m"), speech_wav(folder / "mic.wav")
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={video}", f"--use-file-for-fake-audio-capture={audio}"]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield browser
    browser.close()


def wechat(browser, lang, *, recording=True, base_url=None):
    locale, ua_lang = LANGS[lang][:2]
    context = browser.new_context(locale=locale, user_agent=WECHAT_UA.format(lang=ua_lang), is_mobile=True, has_touch=True,
                                  viewport={"width": 390, "height": 844}, device_scale_factor=3,
                                  permissions=["camera", "microphone", "clipboard-read", "clipboard-write"])
    if lang == "en" and base_url:
        context.add_cookies([{"name": "django_language", "value": "en", "url": base_url}])
    if not recording:
        context.add_init_script(NO_RECORDING)
    return context, context.new_page()


def _session(org, **extra):
    return InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), questions=QUESTIONS, **extra)


def test_recording_wechat_walks_to_the_first_stored_answer(asgi_server, media_browser, org):
    session = _session(org, practice_question="")
    context, page = wechat(media_browser, "zh")
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    assert "MicroMessenger" in page.evaluate("navigator.userAgent")
    assert page.evaluate("typeof MediaRecorder === 'function' && !!navigator.mediaDevices")
    assert not page.is_visible("[data-testid=inapp-notice]")  # it can record: nothing to say
    page.click("[data-testid=begin]")
    page.check("[data-testid=consent-recording]")
    page.check("[data-testid=consent-ai_analysis]")
    page.click("[data-testid=consent-continue]")
    page.wait_for_selector("[data-testid=device-continue]:not([disabled])")
    page.click("[data-testid=device-continue]")
    page.wait_for_selector("[data-testid=start-answer]", state="visible")
    assert page.inner_text("[data-testid=question-text]") == QUESTIONS[0]["text"]
    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    page.wait_for_timeout(3000)
    page.click("[data-testid=stop-answer]")
    def complete():
        return list(Answer.objects.filter(session=session, status="complete").values_list("question_index", "duration_s"))

    stored = []
    for _ in range(150):
        stored = in_thread(complete)
        if stored:
            break
        page.wait_for_timeout(200)
    assert len(stored) == 1 and stored[0][0] == 0
    assert stored[0][1] >= 2.5  # the recording made inside "WeChat" is there, whole
    assert not page.is_visible("[data-testid=inapp-notice]")
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wechat_without_recording_says_so_and_copies_the_link(asgi_server, media_browser, org, lang):
    session = _session(org)
    _, _, title, menu_item, copied = LANGS[lang]
    context, page = wechat(media_browser, lang, recording=False, base_url=asgi_server.base_url)
    link = f"{asgi_server.base_url}/i/{TOKEN}/"
    page.goto(link)
    assert page.evaluate("typeof window.MediaRecorder") == "undefined" and page.evaluate("navigator.mediaDevices") is None

    # Said before the candidate starts: on the welcome screen, above the "start" button.
    notice = page.locator("[data-testid=inapp-notice]")
    notice.wait_for(state="visible")
    page.wait_for_selector("[data-testid=begin]", state="visible")  # the interview's own script has started
    assert notice.bounding_box()["y"] < page.locator("[data-testid=begin]").bounding_box()["y"]
    text = notice.inner_text()
    assert title in text and menu_item in text and "Chrome" not in text.split("\n")[1]  # WeChat's own advice
    assert page.input_value("[data-testid=inapp-link]") == link
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    for target in ("[data-testid=inapp-copy]", "[data-testid=inapp-link]"):
        assert page.locator(target).bounding_box()["height"] >= 44  # a thumb's target
    assert_accessible(page, f"interview page with the WeChat notice ({lang})")

    page.click("[data-testid=inapp-copy]")
    page.wait_for_selector("[data-testid=inapp-status]:not(:empty)")
    assert copied in page.inner_text("[data-testid=inapp-status]")
    assert page.evaluate("navigator.clipboard.readText()") == link

    # A candidate who goes on anyway is stopped at the device check, with nothing recorded or started.
    page.click("[data-testid=begin]")
    page.check("[data-testid=consent-recording]")
    page.check("[data-testid=consent-ai_analysis]")
    page.click("[data-testid=consent-continue]")
    page.wait_for_selector("[data-testid=step-device]", state="visible")
    page.wait_for_selector("[data-testid=error]", state="visible")
    assert page.is_disabled("[data-testid=device-continue]")
    assert not page.is_visible("[data-testid=step-question]")
    session.refresh_from_db()
    assert session.state == InterviewSession.State.INVITED and session.started_at is None
    assert not session.answers.exists()
    context.close()


def test_ordinary_browser_without_recording_gets_general_advice(asgi_server, media_browser, org):
    _session(org)
    context = media_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.add_init_script(NO_RECORDING)
    page = context.new_page()
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    page.wait_for_selector("[data-testid=inapp-notice]", state="visible")
    text = page.inner_text("[data-testid=inapp-notice]")
    assert "Chrome、Safari 或 Edge" in text and "在浏览器打开" not in text  # no WeChat menu to point at
    context.close()


def test_live_room_in_wechat_without_calls_says_so(asgi_server, media_browser, hr_admin, interviewer):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from hirelens.live.services import room_for_interview
    from hirelens.scheduling import services
    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import InterviewLink
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    def setup():
        position = make_position(hr_admin.organization, title="销售代表", time_zone="Asia/Shanghai")
        assign(position, interviewer, "interviewer")
        application = make_application(position, "孙悦")
        start = (timezone.now() + timedelta(minutes=5)).astimezone(ZoneInfo("Asia/Shanghai"))
        interview = services.interview_schedule(actor=hr_admin, application=application, start=start.replace(second=0, microsecond=0),
                                                end=(start + timedelta(hours=1)).replace(second=0, microsecond=0),
                                                interviewers=[interviewer], time_zone="Asia/Shanghai")
        room_for_interview(interview=interview)
        _link, token = link_issue(application=application, interview=interview, kind=InterviewLink.Kind.CANDIDATE)
        return f"/live/join/{token}/"

    path = in_thread(setup)
    context, page = wechat(media_browser, "zh")
    context.add_init_script("delete window.RTCPeerConnection; delete Navigator.prototype.mediaDevices;")
    page.goto(asgi_server.base_url + path)
    page.wait_for_selector("[data-testid=inapp-notice]", state="visible")
    assert "这个浏览器无法进行视频面试" in page.inner_text("[data-testid=inapp-notice]")
    assert page.input_value("[data-testid=inapp-link]") == page.url.split("#")[0]
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_portal_and_booking_work_in_wechat(asgi_server, media_browser, hr_admin, interviewer, lang):
    from hirelens.portal.services import portal_link_create, portal_url
    from hirelens.scheduling import services
    from hirelens.scheduling.models import Interview
    from hirelens.scheduling.tests.conftest import at
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    def setup():
        position = make_position(hr_admin.organization, title="销售代表", time_zone="Asia/Shanghai")
        assign(position, interviewer, "interviewer")
        application = make_application(position, "孙悦")
        services.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11), interviewers=[interviewer])
        _link, token = portal_link_create(actor=hr_admin, candidate=application.candidate, days=7)
        return application, portal_url(token, absolute=False)

    application, path = in_thread(setup)
    context, page = wechat(media_browser, lang, recording=False, base_url=asgi_server.base_url)
    page.goto(asgi_server.base_url + path)
    assert page.locator("[data-testid=portal-title]").inner_text() == ("孙悦，您好" if lang == "zh" else "Hello, 孙悦")
    assert not page.is_visible("[data-testid=inapp-notice]")  # nothing to record here: no notice
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("[data-testid=portal-book]")
    page.wait_for_selector("input[name=slot]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.check("input[name=slot]")
    page.click("[data-testid=book]")
    page.wait_for_selector("[data-testid=link-ics]")
    def shown_title():  # a default title is shown in the page's language ("Interview · 销售代表" in English)
        from django.utils import translation

        with translation.override("zh-hans" if lang == "zh" else "en"):
            return Interview.objects.select_related("application__position").get(application=application).display_title

    title = in_thread(shown_title)
    assert title in page.inner_text("h1") and title.startswith("面试" if lang == "zh" else "Interview")
    context.close()
