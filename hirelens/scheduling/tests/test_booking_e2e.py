"""In Debian's Chromium on a phone: a candidate opens the booking link, sees the offered times in the
position's zone and in their own (the browser's), books one, lands on the interview page, and the .ics
they download parses back to the same event."""

import pytest
from icalendar import Calendar

from conftest import in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_candidate_books_a_slot_on_a_phone(asgi_server, browser, hr_admin, interviewer):
    from hirelens.scheduling import services
    from hirelens.scheduling.links import link_issue, link_url
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    from .conftest import at

    def setup():
        position = make_position(hr_admin.organization, title="销售代表", time_zone="Asia/Shanghai")
        assign(position, interviewer, "interviewer")
        application = make_application(position, "孙悦")
        slot = services.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11),
                                    interviewers=[interviewer])
        _link, token = link_issue(application=application, kind="booking")
        return application, slot, link_url(token, absolute=False)

    application, slot, path = in_thread(setup)
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(asgi_server.base_url + path)  # the first visit sets the time-zone cookie from the browser
    page.reload()
    when = page.locator("[data-testid=when]").first.inner_text()
    viewer = page.locator("[data-testid=when-viewer]").first.inner_text()
    assert when.endswith("10:00–11:00 Beijing time")
    assert "02:00–03:00 London time" in viewer
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.check("input[name=slot]")
    page.click("[data-testid=book]")
    page.wait_for_selector("[data-testid=link-ics]")
    interview = in_thread(lambda: Interview.objects.get(application=application))
    # the booking page confirms, the default title in the page's language (stored as "面试 · <position>")
    assert interview.slot_id == slot.pk and interview.title.startswith("面试 · ")
    assert page.inner_text("h1") == interview.title.replace("面试 · ", "Interview · ", 1)
    with page.expect_download() as download:
        page.click("[data-testid=link-ics]")
    event = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")[0]
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (interview.uid, 0)
    context.close()
