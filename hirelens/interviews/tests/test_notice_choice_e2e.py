"""Issue 20 in Chromium: on a phone the candidate follows the invitation's link to the choice page, asks for extra time
and declines AI analysis, and after submitting reads what was measured and asks for a human review; HR (desktop) sees the
requests, answers the extra time, and edits a notice into a new version. Every new page passes axe (0 serious/critical)
in zh and en."""

import pytest
from django.utils import timezone

from conftest import staff_login
from hirelens.interviews.models import Answer, CandidateRequest, ConsentNotice, InterviewSession
from hirelens.interviews.services import _hash
from tests.e2e.a11y import assert_accessible

from .factories import InterviewSessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TOKEN = "e2e-choice-token"
WORDS = {
    "zh-hans": {"locale": "zh-CN", "declined": "您已选择不使用AI分析", "sent": "已收到", "kind": "延长作答时间",
                "granted": "已同意", "human": "由面试官人工评估", "meaning": "语速没有对错"},
    "en": {"locale": "en-US", "declined": "You chose no AI analysis", "sent": "Received", "kind": "Extra time",
           "granted": "Granted", "human": "Human review only", "meaning": "There is no right or wrong rate"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_candidate_on_a_phone_chooses_and_hr_answers(asgi_server, browser, org, recruiter, hr_admin, language):
    words = WORDS[language]
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN,
                                      language=language)
    name = session.application.candidate.full_name
    phone = browser.new_context(locale=words["locale"], viewport={"width": 390, "height": 844})
    page = phone.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.click("[data-testid=choice-link]")
        page.wait_for_selector("[data-testid=choice]")
        assert_accessible(page, f"choice page ({language})")
        page.check("[data-testid=kind-extra_time]")
        page.fill("[data-testid=details]", "阅读障碍 / dyslexia")
        page.click("[data-testid=send-request]")
        page.wait_for_selector("[data-testid=choice-sent]")
        assert words["sent"] in page.inner_text("[data-testid=choice-sent]")
        page.click("[data-testid=decline-ai]")
        page.wait_for_selector("[data-testid=choice-declined]")
        assert words["declined"] in page.inner_text("[data-testid=choice-declined]")
        assert words["kind"] in page.inner_text("[data-testid=my-request]")
        assert_accessible(page, f"choice page after a request ({language})")
    finally:
        phone.close()
    session.refresh_from_db()
    assert session.ai_analysis == "declined"
    item = CandidateRequest.objects.get(session=session)

    desk = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    hr = desk.new_page()
    try:
        staff_login(hr, asgi_server.base_url, recruiter)
        hr.goto(f"{asgi_server.base_url}/interviews/requests/")
        assert name in hr.inner_text("[data-testid=request-row]") and words["kind"] in hr.inner_text("[data-testid=request-kind]")
        assert_accessible(hr, f"requests list ({language})")
        hr.click("[data-testid=request-candidate]")
        hr.wait_for_selector("[data-testid=answer-form]")
        assert_accessible(hr, f"request page ({language})")
        hr.check("input[name=grant][value='1']")
        hr.fill("textarea[name=answer]", "OK")
        hr.fill("input[name=extra_seconds]", "45")
        hr.click("[data-testid=answer-send]")
        hr.wait_for_selector("[data-testid=request-answer]")
        assert words["granted"] in hr.inner_text("[data-testid=request-status]")
        hr.goto(f"{asgi_server.base_url}/interviews/{session.pk}/")
        assert words["human"] in hr.inner_text("[data-testid=ai-analysis]")
    finally:
        desk.close()
    item.refresh_from_db()
    session.refresh_from_db()
    assert (item.status, item.extra_seconds, session.extra_answer_s) == ("granted", 45, 45)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_explanation_and_review_on_a_phone_and_notice_versions(asgi_server, browser, org, hr_admin, language):
    words = WORDS[language]
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN,
                                      language=language, state=InterviewSession.State.ANALYSED, submitted_at=timezone.now(),
                                      ai_analysis="accepted")
    report = {"summary": {"speaking_time_s": 12.5, "speech_rate_syll_per_s": 3.4, "pause_count": 4, "keywords": {"客户": 2}},
              "speech": {"pause_longest_s": 1.8}, "transcript": {"text": "我会先倾听客户的需要。"}}
    Answer.objects.create(organization=org, session=session, question_index=0, kind="video", status="complete",
                          analysis_status="done", analysis=report)
    phone = browser.new_context(locale=words["locale"], viewport={"width": 390, "height": 844})
    page = phone.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/explanation/")
        page.wait_for_selector("[data-testid=explained-answer]")
        assert words["meaning"] in page.inner_text("[data-testid=explained-answer]")
        assert page.inner_text("[data-testid=explained-transcript]") == "我会先倾听客户的需要。"
        assert_accessible(page, f"explanation ({language})")
        page.fill("[data-testid=review-details]", "Please review the decision of round 2.")
        page.click("[data-testid=send-review]")
        page.wait_for_selector("[data-testid=review-sent]")
        assert_accessible(page, f"explanation after a review request ({language})")
    finally:
        phone.close()
    assert CandidateRequest.objects.get(session=session).kind == "human_review"

    desk = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    hr = desk.new_page()
    try:
        staff_login(hr, asgi_server.base_url, hr_admin)
        hr.goto(f"{asgi_server.base_url}/interviews/notices/")
        assert_accessible(hr, f"notices ({language})")
        hr.click("[data-testid=notice-row][data-kind=invitation_ai] [data-testid=notice-edit]")
        hr.wait_for_selector("[data-testid=notice-form]")
        assert_accessible(hr, f"notice edit ({language})")
        hr.fill("textarea[name=text_zh]", "新版说明：AI 测量语速、停顿和关键词。")
        hr.fill("textarea[name=text_en]", "New notice: AI measures speaking rate, pauses and keywords.")
        hr.click("[data-testid=notice-save]")
        hr.wait_for_selector("[data-testid=notice-row][data-kind=invitation_ai] [data-testid=notice-version]")
        assert "2" in hr.inner_text("[data-testid=notice-row][data-kind=invitation_ai] [data-testid=notice-version]")
    finally:
        desk.close()
    assert ConsentNotice.objects.filter(kind="invitation_ai", organization=org, version=2).exists()


LIVE_WORDS = {
    "zh-hans": {"locale": "zh-CN", "sent": "已收到", "link_sent": "已发送预约链接，候选人尚未预约", "replaced": "您无需再作答",
                "time": "10:00–11:00 北京时间", "granted": "已同意"},
    "en": {"locale": "en-US", "sent": "Received", "link_sent": "Booking link sent; not booked yet", "replaced": "you need not answer it",
           "time": "10:00–11:00 Beijing time", "granted": "Granted"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_candidate_asks_for_a_live_interview_and_books_the_time_hr_granted(asgi_server, browser, org, recruiter, hr_admin,
                                                                           interviewer, language):
    """From the interview page the candidate asks for a live interview instead; HR grants it on the request page (the
    candidate is sent a booking link, the AI interview is withdrawn); the candidate's interview link now opens their
    choice page, which offers to choose a time, and after booking one it shows that time; HR's page shows it too."""
    from conftest import in_thread
    from hirelens.scheduling import services as scheduling
    from hirelens.scheduling.models import Interview
    from hirelens.scheduling.tests.conftest import at
    from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

    words = LIVE_WORDS[language]
    position = make_position(org, title="后端工程师", time_zone="Asia/Shanghai")
    published_process(hr_admin, position, "technical")  # a process with live interview stages
    assign(position, interviewer, "interviewer")
    application = make_application(position, "周雨桐")
    session = InterviewSessionFactory(application=application, token_hash=_hash(TOKEN), link_token=TOKEN, language=language)
    phone = browser.new_context(locale=words["locale"], viewport={"width": 390, "height": 844})
    page = phone.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.click("[data-testid=choice-link]")
        page.check("[data-testid=kind-live_interview]")
        page.fill("[data-testid=details]", "我听力不好 / hard of hearing")
        page.click("[data-testid=send-request]")
        page.wait_for_selector("[data-testid=choice-sent]")
        assert words["sent"] in page.inner_text("[data-testid=choice-sent]")
    finally:
        phone.close()

    desk = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    hr = desk.new_page()
    try:
        staff_login(hr, asgi_server.base_url, recruiter)
        hr.goto(f"{asgi_server.base_url}/interviews/requests/")
        hr.click("[data-testid=request-candidate]")
        hr.wait_for_selector("[data-testid=request-live-hint]")
        hr.check("input[name=grant][value='1']")
        hr.fill("textarea[name=answer]", "好的 / OK")
        hr.click("[data-testid=answer-send]")
        hr.wait_for_selector("[data-testid=request-arranged]")
        assert words["granted"] in hr.inner_text("[data-testid=request-status]")
        assert words["link_sent"] in hr.inner_text("[data-testid=request-arranged]")
        assert_accessible(hr, f"request page, live interview granted ({language})")
        hr.goto(f"{asgi_server.base_url}/interviews/requests/?status=all")
        row = hr.inner_text("[data-testid=request-row]")
        assert "周雨桐" in row and words["link_sent"] in row
    finally:
        desk.close()
    session.refresh_from_db()
    assert session.revoked_at is not None  # the AI interview is withdrawn

    in_thread(lambda: scheduling.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11),
                                             interviewers=[interviewer]))
    phone = browser.new_context(locale=words["locale"], viewport={"width": 390, "height": 844})
    page = phone.new_page()
    try:
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")  # the withdrawn interview's link leads to the arrangement
        page.wait_for_selector("[data-testid=choice-replaced]")
        assert words["replaced"] in page.inner_text("[data-testid=choice-replaced]")
        assert_accessible(page, f"choice page, live interview instead ({language})")
        page.click("[data-testid=book-live]")
        page.check("input[name=slot]")
        page.click("[data-testid=book]")
        page.wait_for_selector("[data-testid=link-ics]")
        page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
        page.wait_for_selector("[data-testid=my-request-arranged]")
        assert words["time"] in page.inner_text("[data-testid=my-request-arranged]")
        assert page.locator("[data-testid=book-live]").count() == 0
    finally:
        phone.close()
    interview = in_thread(lambda: Interview.objects.get(application=application))
    assert interview.status == "scheduled" and interview.slot_id is not None

    desk = browser.new_context(locale=words["locale"], viewport={"width": 1280, "height": 900})
    hr = desk.new_page()
    try:
        staff_login(hr, asgi_server.base_url, recruiter)
        hr.goto(f"{asgi_server.base_url}/interviews/requests/?status=all")
        assert words["time"] in hr.inner_text("[data-testid=request-row] [data-testid=request-arranged]")
    finally:
        desk.close()
