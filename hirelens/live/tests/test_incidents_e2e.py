"""The incidents panel in the interviewer's room, in Debian's Chromium: the late and substitute forms, the delivery
status turning to sent as the real Huey worker delivers over a real SMTP server, a clear error when no channel
reaches the candidate, and the candidate's help-desk report appearing in the room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import CHROMIUM, CHROMIUM_ARGS, SMTPSink, in_thread, staff_login, wait_for_js
from hirelens.accounts.tests.factories import UserFactory
from hirelens.live import services as live_services
from hirelens.scheduling.models import Interview
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def room_browser(playwright_session):
    # Chromium's own synthetic camera and microphone: the room page asks for them; this test is about the panel
    chromium = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    yield chromium
    chromium.close()


def test_incidents_panel_in_the_room(org, hr_admin, interviewer, smtp_server, asgi_server, start_worker, room_browser):
    position = make_position(org, title="销售代表")
    assign(position, interviewer, "interviewer")
    substitute = UserFactory(organization=org, role="interviewer", email="zhou.min@example.com", full_name="周敏")
    assign(position, substitute, "interviewer")
    _process, version = published_process(hr_admin, position, "sales")
    application = make_application(position, "孙悦")
    candidate = application.candidate
    candidate.email = "sun.yue@example.com"
    candidate.save()
    start = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    interview = Interview.objects.create(organization=org, application=application, stage=version.stages.get(module="live"),
                                         title="终面", start_at=start, end_at=start + timedelta(minutes=45),
                                         time_zone="Europe/Berlin", created_by=hr_admin)
    interview.interviewers.add(interviewer)
    room = live_services.room_for_interview(interview=interview)
    start_worker()

    context = room_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        staff_login(page, asgi_server.base_url, interviewer)
        page.goto(f"{asgi_server.base_url}/live/{room.pk}/")
        page.wait_for_selector("#incidents-list li[data-empty]")

        # late: the small form, then the status follows the real delivery
        page.click("#incidents button[data-incident=late]")
        page.fill("#incidents form[data-form=late] input[name=minutes]", "15")
        page.click("#incidents form[data-form=late] button[type=submit]")
        page.wait_for_selector("#incidents-list li[data-kind=late][data-status=sent]", timeout=30000)
        row = page.inner_text("#incidents-list li[data-kind=late]")
        assert "已通知候选人推迟 15 分钟" in row and "柏林" in row and "渠道：邮件" in row and "已发送" in row

        # substitute: picked from the panel by name
        page.click("#incidents button[data-incident=substitute]")
        assert page.inner_text("#incidents form[data-form=substitute] select[name=substitute]").strip() == "周敏"
        page.click("#incidents form[data-form=substitute] button[type=submit]")
        page.wait_for_selector("#incidents-list li[data-kind=substitute][data-status=sent]", timeout=30000)
        assert "替补面试官：周敏" in page.inner_text("#incidents-list li[data-kind=substitute]")
        mails = smtp_server.wait_for(2)
        assert sorted(m["Subject"] for m in mails) == ["面试官变更：销售代表", "面试延迟：销售代表"]
        assert any("新的开始时间：" in SMTPSink.text_of(m) for m in mails)

        # no channel reaches the candidate: a clear error, nothing logged
        def no_contact():
            candidate.email = ""
            candidate.save()
        in_thread(no_contact)
        page.click("#incidents button[data-incident=network]")
        page.wait_for_selector("#incidents-error:not([hidden])")
        assert page.inner_text("#incidents-error").startswith("无法通知候选人")
        assert page.locator("#incidents-list li[data-kind=network]").count() == 0

        # the candidate reports a problem from their page: it shows in the room
        def report():
            from hirelens.messaging.services.helpdesk import ticket_open_web

            return ticket_open_web(organization_id=org.pk, candidate=candidate, body="我听不到面试官的声音")
        ticket = in_thread(report)
        page.wait_for_selector(f"#helpdesk-list li[data-ticket='{ticket.pk}']", timeout=10000)
        assert "我听不到面试官的声音" in page.inner_text("#helpdesk-list")
        wait_for_js(page, "!document.querySelector('#helpdesk-list li[data-empty]')")
    finally:
        context.close()
