"""In Debian's Chromium on a phone (390 px): HR opens the organization-wide interview list from the navigation,
searches a candidate by pinyin initials with the keyboard only, pages forward and back, and narrows to one
interviewer; the page never scrolls sideways and axe finds nothing serious."""

import re
from datetime import timedelta

import pytest

from conftest import in_thread, staff_login
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hr_finds_an_interview_by_name_and_pages_the_list(asgi_server, browser, hr_admin, interviewer):
    from django.utils import timezone

    from hirelens.candidates import services as candidates
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import assign, make_position

    def setup():
        position = make_position(hr_admin.organization, title="后端工程师", time_zone="Asia/Shanghai")
        assign(position, interviewer, "interviewer")
        now = timezone.now()
        made = {}
        for i, name in enumerate(["周雨桐", *[f"张{n:02d}" for n in range(24)]]):
            candidate = candidates.candidate_create(actor=hr_admin, full_name=name, allow_duplicate=True)
            application = candidates.application_create(actor=hr_admin, candidate=candidate, position=position)
            interview = Interview.objects.create(organization=position.organization, application=application,
                                                 title=f"面试 · {position.title}", start_at=now + timedelta(days=1, hours=i),
                                                 end_at=now + timedelta(days=1, hours=i, minutes=45), time_zone="Asia/Shanghai",
                                                 uid=f"e2e-list-{i}")
            interview.interviewers.add(interviewer if i % 2 == 0 else hr_admin)
            made[name] = interview
        return made

    made = in_thread(setup)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    page = context.new_page()
    staff_login(page, asgi_server.base_url, hr_admin)
    page.goto(asgi_server.base_url + "/")
    page.locator("button.menu-toggle").click()  # a phone: the navigation opens from the menu button
    page.locator('#main-nav a[href="/scheduling/interviews/"]').click()
    page.wait_for_url("**/scheduling/interviews/")
    rows = page.get_by_test_id("interview")
    assert rows.count() == 20 and "第 1–20 条" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page, "interview list (390 px)")
    # keyboard only: type the initials in the search box and press Enter
    box = page.get_by_label("候选人", exact=True)
    box.focus()
    page.keyboard.type("zyt")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/scheduling/interviews/\?.*q=zyt"))
    assert rows.count() == 1 and "周雨桐" in rows.first.inner_text() and "后端工程师" in rows.first.inner_text()
    assert interviewer.full_name in rows.first.get_by_test_id("interview-interviewers").inner_text()
    # back to everything, next page and previous page keep the order
    page.goto(asgi_server.base_url + "/scheduling/interviews/")
    page.get_by_test_id("cursor-next").click()
    page.wait_for_url(re.compile(r"[?&]cursor="))
    assert rows.count() == 5 and "第 21–25 条" in page.content()
    assert [int(r.get_attribute("data-id")) for r in rows.all()] == [made[f"张{n:02d}"].pk for n in range(19, 24)]
    page.get_by_test_id("cursor-previous").click()
    page.wait_for_load_state()
    assert rows.count() == 20 and rows.first.get_attribute("data-id") == str(made["周雨桐"].pk)
    # one interviewer's interviews
    page.get_by_label("面试官", exact=True).select_option(str(interviewer.pk))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf"[?&]interviewer={interviewer.pk}(&|$)"))
    assert rows.count() == 13
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
