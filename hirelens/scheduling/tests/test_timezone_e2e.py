"""In Debian's Chromium on a phone (issue 16 §4): a recruiter picks London as their own zone with the searchable
picker, schedules a live interview for an interviewer who works in Beijing, sees the time in London time, and the
interviewer's e-mail gives the time in 北京时间."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import SMTPSink, in_thread, staff_login
from hirelens.core.timezones import when_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_recruiter_in_london_schedules_for_an_interviewer_in_beijing(smtp_server, asgi_server, start_worker, browser, recruiter,
                                                                     interviewer):
    from hirelens.candidates import services as candidates
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import assign, make_position

    def setup():
        interviewer.full_name, interviewer.time_zone = "李娜", "Asia/Shanghai"
        interviewer.save()
        position = make_position(recruiter.organization, title="数据工程师", time_zone="Asia/Shanghai")
        assign(position, recruiter, "recruiter")
        assign(position, interviewer, "interviewer")
        candidate = candidates.candidate_create(actor=recruiter, full_name="王芳", email="wang.fang@example.com",
                                                allow_duplicate=True)
        application = candidates.application_create(actor=recruiter, candidate=candidate, position=position, stage="初试")
        return position, application

    position, application = in_thread(setup)
    context = browser.new_context(locale="zh-CN", timezone_id="Europe/London", viewport={"width": 390, "height": 844})
    page = context.new_page()
    staff_login(page, asgi_server.base_url, recruiter)

    # 1. the recruiter's own zone, chosen with the picker by typing a Chinese city name and the keyboard
    page.get_by_test_id("preferences-link").click()
    box = page.locator("#id_time_zone")
    assert box.get_attribute("role") == "combobox" and box.input_value() == "北京时间 (UTC+08:00)"  # the organization's
    box.fill("伦敦")
    option = page.locator("#id_time_zone-list [role=option]").first
    option.wait_for()
    assert option.inner_text().startswith("伦敦时间 (UTC+0") and box.get_attribute("aria-expanded") == "true"
    box.press("Enter")
    assert box.input_value().startswith("伦敦时间") and page.locator("input[name=time_zone_iana]").input_value() == "Europe/London"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_test_id("save-preferences").click()
    page.wait_for_url("**/accounts/preferences/")
    recruiter.refresh_from_db()
    assert recruiter.time_zone == "Europe/London"

    # 2. a live interview, entered in the recruiter's zone (the picker starts there)
    page.goto(f"{asgi_server.base_url}/scheduling/position/{position.pk}/")
    assert page.locator("#interview-tz").input_value().startswith("伦敦时间 (UTC+0")
    picker = page.get_by_test_id("interview-application-input")
    picker.fill("王芳")
    page.get_by_test_id("interview-application-option").first.wait_for()
    picker.press("Enter")
    day = (timezone.now().astimezone(ZoneInfo("Europe/London")) + timedelta(days=3)).date().isoformat()
    form = page.locator("form", has=page.locator("#interview-tz"))
    form.locator("input[name=start]").fill(f"{day}T09:00")
    form.locator("input[name=end]").fill(f"{day}T10:00")
    form.locator("select[name=interviewers]").select_option(str(interviewer.pk))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/scheduling/interviews/**")
    start = datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=ZoneInfo("Europe/London"))
    expected = when_text(start, "Europe/London", end=start + timedelta(hours=1), language="zh-hans")
    assert page.get_by_test_id("when").inner_text() == expected and expected.endswith("09:00–10:00 伦敦时间")
    interview = in_thread(lambda: Interview.objects.get())
    assert (interview.application_id, interview.time_zone) == (application.pk, "Europe/London")
    context.close()

    # 3. the interviewer's notice (sent by a real worker from the queue): their own zone, in words
    start_worker()
    mails = {m["To"]: m for m in smtp_server.wait_for(2)}
    text = SMTPSink.text_of(mails[interviewer.email])
    beijing = interview.start_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{beijing.month}月{beijing.day}日" in text and f"{beijing:%H:%M} 北京时间（UTC+08:00）" in text
    assert "伦敦" not in text
    assert "09:00 伦敦时间" in SMTPSink.text_of(mails["wang.fang@example.com"])  # the candidate: the interview's zone
