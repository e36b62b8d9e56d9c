from icalendar import Calendar

from hirelens.core.testing import assert_tenant_isolated
from hirelens.core.timezones import when_text
from hirelens.scheduling import services
from hirelens.scheduling.access import access_interview, access_slot, visible_interviews, visible_slots
from hirelens.scheduling.models import Interview, InterviewLink, InterviewSlot
from hirelens.workflows.tests.factories import make_application

from .conftest import at, local


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_candidate_books_through_the_link_and_gets_interview_links(hr_admin, position, application, interviewer, client,
                                                                    django_capture_on_commit_callbacks):
    slot = services.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11), interviewers=[interviewer])
    client.force_login(hr_admin)
    response = client.post(f"/scheduling/position/{position.pk}/booking-link/", {"application": application.pk}, follow=True)
    url = next(m.message for m in response.context["messages"]).split("：", 1)[1]
    client.logout()
    page = client.get(_path(url))
    when = when_text(slot.start_at, "Asia/Shanghai", end=slot.end_at, language="zh-hans")  # the pages' one format
    assert page.status_code == 200 and when in page.content.decode()
    assert when.endswith("10:00–11:00 北京时间")
    for junk in ({"slot": "abc"}, {"slot": "-1"}, {"slot": "1e9"}, {}):  # read by forms.BookForm: nothing booked
        refused = client.post(_path(url), junk, follow=True)
        assert "这个时间段已不可预约" in refused.content.decode() and not Interview.objects.filter(application=application).exists()
    with django_capture_on_commit_callbacks(execute=True):  # the invitation job runs: it issues the links
        response = client.post(_path(url), {"slot": slot.pk})
        again = client.post(_path(url), {"slot": slot.pk}, follow=True)  # a double submit books nothing more
    assert "您已经预约了面试" in again.content.decode() or "这个时间段已不可预约" in again.content.decode()
    interview = Interview.objects.get(application=application)
    assert response.status_code == 302 and response["Location"] == _path(url)  # back to the booking page, now a confirmation
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="booked"' in page and interview.title in page and "10:00–11:00 北京时间" in page
    # one booking, one set of links: the invitation's (the page issued a second set before)
    kinds = sorted(InterviewLink.objects.filter(interview=interview, revoked_at__isnull=True).values_list("kind", flat=True))
    assert kinds == ["backup", "candidate", "interviewer"]
    assert InterviewLink.objects.filter(interview=interview).count() == 3
    ics = client.get(response["Location"] + "calendar.ics")
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0]["UID"] == interview.uid
    # The same browser opening another candidate's link is refused, clearly.
    other = make_application(position, "孙悦")
    _link, token = __import__("hirelens.scheduling.links", fromlist=["link_issue"]).link_issue(application=other, kind="booking")
    response = client.get(f"/scheduling/l/{token}/")
    assert response.status_code == 403 and "这个链接属于另一位候选人" in response.content.decode()


def test_link_errors_are_clear_and_localized(hr_admin, application, interviewer, client):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer])
    urls = services.interview_links_issue(interview=interview, actor=hr_admin)
    services.interview_cancel(actor=hr_admin, interview=interview, reason="职位已关闭")
    response = client.get(_path(urls["backup"]))
    assert response.status_code == 410 and "链接已被招聘方撤回" in response.content.decode()  # the dead-link page (issue 19)
    response = client.get("/scheduling/l/not-a-token/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Link not recognised" in response.content.decode()


def test_interview_pages_and_ics_are_scoped(hr_admin, position, application, interviewer, outsider, org, client):
    from hirelens.accounts.tests.factories import UserFactory

    slot = services.slot_create(actor=hr_admin, position=position, start=at(hour=15), end=at(hour=16), interviewers=[interviewer])
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer])
    assert_tenant_isolated(outsider=outsider, objects=[interview], access=access_interview, access_kwarg="interview_id",
                           selectors=[visible_interviews], client=client,
                           urls=[f"/scheduling/interviews/{interview.pk}/", f"/scheduling/interviews/{interview.pk}/calendar.ics",
                                 f"/scheduling/position/{position.pk}/", f"/api/v1/scheduling/interviews/{interview.pk}"])
    assert_tenant_isolated(outsider=outsider, objects=[slot], access=access_slot, access_kwarg="slot_id", selectors=[visible_slots])
    response = client.post(f"/scheduling/interviews/{interview.pk}/cancel/", {"reason": "x"})
    assert response.status_code == 404
    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")
    client.force_login(stranger)
    assert client.get(f"/scheduling/interviews/{interview.pk}/").status_code == 404
    assert client.get("/api/v1/scheduling/interviews").json()["items"] == []
    client.force_login(interviewer)  # assigned: may read, may not cancel
    assert client.get(f"/scheduling/interviews/{interview.pk}/").status_code == 200
    assert [i["id"] for i in client.get("/api/v1/scheduling/interviews?mine=true").json()["items"]] == [interview.pk]
    assert client.post(f"/scheduling/interviews/{interview.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.post(f"/scheduling/slots/{slot.pk}/cancel/").status_code == 403
    interview.refresh_from_db()
    slot.refresh_from_db()
    assert interview.status == "scheduled" and slot.status == InterviewSlot.Status.OPEN
    ics = client.get(f"/scheduling/interviews/{interview.pk}/calendar.ics")
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0]["SEQUENCE"] == 0


def test_viewer_sees_times_in_own_zone(hr_admin, position, interviewer, client):
    services.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11), interviewers=[interviewer])
    hr_admin.time_zone = "Europe/London"  # a staff member's own zone, not the browser's cookie
    hr_admin.save(update_fields=["time_zone"])
    client.force_login(hr_admin)
    client.cookies["hl_tz"] = "America/New_York"
    page = client.get(f"/scheduling/position/{position.pk}/").content.decode()
    assert "10:00–11:00 北京时间" in page
    assert "02:00–03:00 伦敦时间" in page and "纽约" not in page


def test_interviewer_registers_availability_and_is_only_booked_inside_it(hr_admin, position, application, interviewer, client):
    client.force_login(interviewer)
    response = client.post("/scheduling/availability/", {"start": local(hour=9), "end": local(hour=12), "time_zone": "Asia/Shanghai"},
                           follow=True)
    assert "已添加可面试时间。" in response.content.decode()
    response = client.post("/scheduling/availability/", {"start": local(hour=9), "end": local(hour=12), "time_zone": "Moon/Base"},
                           follow=True)
    assert "未知的时区“Moon/Base”，请从列表中选择" in response.content.decode()
    page = client.get("/scheduling/availability/").content.decode()
    assert "09:00–12:00 北京时间" in page
    client.force_login(hr_admin)
    response = client.post(f"/scheduling/position/{position.pk}/slots/new/", {"start": local(hour=13), "end": local(hour=14),
                                                                            "interviewers": [interviewer.pk]}, follow=True)
    assert f"{interviewer.full_name} 在这段时间没有空。" in response.content.decode()
    from hirelens.workflows.tests.factories import published_process

    _process, version = published_process(hr_admin, position, "sales")
    live = version.stages.get(module="live")
    page = client.get(f"/scheduling/position/{position.pk}/").content.decode()
    assert f'<option value="{live.pk}" selected>终面</option>' in page
    response = client.post(f"/scheduling/position/{position.pk}/slots/new/", {"start": local(hour=10), "end": local(hour=11),
                                                                            "interviewers": [interviewer.pk], "stage": live.pk}, follow=True)
    assert "已开放时间段。" in response.content.decode()
    assert list(InterviewSlot.objects.filter(position=position).values_list("stage__title", flat=True)) == ["终面"]
