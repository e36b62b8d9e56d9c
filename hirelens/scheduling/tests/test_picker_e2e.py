"""In Debian's Chromium on a phone: HR types part of a name (pinyin initials) into the application picker of the
position's schedule page, picks the person with the keyboard, and books the interview for that person; typing again
clears the choice, so the form cannot submit someone other than the one shown."""

import pytest

from conftest import in_thread, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hr_books_an_interview_by_typing_part_of_a_name(asgi_server, browser, hr_admin, interviewer):
    from hirelens.candidates import services as candidates
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import assign, make_position

    from .conftest import local

    def setup():
        position = make_position(hr_admin.organization, title="后端工程师", time_zone="Asia/Shanghai")
        assign(position, interviewer, "interviewer")
        apps = {}
        for name in ["张伟", "周宇", "周雨桐", "Zoe Zhou"]:
            candidate = candidates.candidate_create(actor=hr_admin, full_name=name, allow_duplicate=True)
            apps[name] = candidates.application_create(actor=hr_admin, candidate=candidate, position=position, stage="初试")
        return position, apps

    position, apps = in_thread(setup)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    page = context.new_page()
    staff_login(page, asgi_server.base_url, hr_admin)
    page.goto(f"{asgi_server.base_url}/scheduling/position/{position.pk}/")
    assert "周雨桐" not in page.content()  # the page no longer lists every application
    box = page.get_by_test_id("interview-application-input")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    box.fill("zy")
    page.locator("#interview-application-list[data-results-for=zy]").wait_for(state="attached")
    options = page.locator("#interview-application-list [role=option]")
    assert sorted(options.all_inner_texts()) == ["周宇 · 后端工程师 · 初试", "周雨桐 · 后端工程师 · 初试"]
    box.fill("zyt")
    page.locator("#interview-application-list[data-results-for=zyt]").wait_for(state="attached")
    assert options.all_inner_texts() == ["周雨桐 · 后端工程师 · 初试"]
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")  # wraps around the one option: still the first
    assert box.get_attribute("aria-activedescendant") == "interview-application-list-0"
    box.press("Enter")
    assert page.locator("[data-testid=interview-application] input[name=application]").input_value() == str(apps["周雨桐"].pk)
    assert "周雨桐" in page.get_by_test_id("interview-application").inner_text()
    form = page.locator("form", has=page.get_by_test_id("interview-application"))
    form.locator("input[name=start]").fill(local(hour=10))
    form.locator("input[name=end]").fill(local(hour=11))
    form.locator("select[name=interviewers]").select_option(str(interviewer.pk))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/scheduling/interviews/**")
    interview = in_thread(lambda: Interview.objects.select_related("application__candidate").get())
    assert interview.application_id == apps["周雨桐"].pk
    assert interview.application.candidate.full_name == "周雨桐"
    # typing again clears a choice: an empty choice is refused in the page, nothing is booked
    page.goto(f"{asgi_server.base_url}/scheduling/position/{position.pk}/")
    box = page.get_by_test_id("interview-application-input")
    box.fill("zha")
    page.locator("#interview-application-list[data-results-for=zha]").wait_for(state="attached")
    box.press("Enter")
    assert page.locator("[data-testid=interview-application] input[name=application]").input_value() == str(apps["张伟"].pk)
    box.fill("zhan")
    assert page.locator("[data-testid=interview-application] input[name=application]").input_value() == ""
    context.close()
