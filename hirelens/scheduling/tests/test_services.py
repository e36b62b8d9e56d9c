from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from icalendar import Calendar

from hirelens.core import events
from hirelens.core.timezones import parse_local
from hirelens.scheduling import services
from hirelens.scheduling.ics import interview_calendar_email, interview_ics
from hirelens.scheduling.links import LinkError, link_issue, link_open, link_verify
from hirelens.scheduling.models import Interview, InterviewLink, InterviewSlot
from hirelens.workflows.tests.factories import make_application

from .conftest import at


def test_parse_local_refuses_unknown_zone_and_skipped_times():
    assert parse_local("2027-01-15T10:00", "Asia/Shanghai") == datetime(2027, 1, 15, 2, 0, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(ValidationError) as exc:
        parse_local("2027-03-14T02:30", "America/New_York")
    assert exc.value.messages == ["2027-03-14 02:30 纽约时间不存在：夏令时调整跳过了这段时间，请选择其他时间。"]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        parse_local("2027-03-14T02:30", "America/New_York")
    assert exc.value.messages == ["2027-03-14 02:30 New York time does not exist: a daylight-saving change skips it; please choose another time."]
    with pytest.raises(ValidationError) as exc:
        parse_local("2027-01-15T10:00", "Mars/Olympus")
    assert exc.value.code == "unknown_time_zone"
    # The repeated hour when clocks go back takes its first occurrence (still daylight time, UTC-4).
    assert parse_local("2027-11-07T01:30", "America/New_York") == datetime(2027, 11, 7, 5, 30, tzinfo=ZoneInfo("UTC"))


def test_slot_in_position_zone_and_bad_input(hr_admin, position, interviewer):
    slot = services.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11), interviewers=[interviewer])
    assert slot.time_zone == "Asia/Shanghai"
    assert slot.start_at.astimezone(ZoneInfo("Asia/Shanghai")).hour == 10 and slot.start_at.utcoffset() == timedelta(0)
    cases = {
        "slot_overlap": dict(start=at(hour=10, minute=30), end=at(hour=11, minute=30)),
        "in_the_past": dict(start=at(days=-1), end=at(days=-1, hour=11)),
        "end_before_start": dict(start=at(hour=12), end=at(hour=11)),
        "unknown_time_zone": dict(start=at(hour=14), end=at(hour=15), time_zone="Asia/Atlantis"),
    }
    for code, kwargs in cases.items():
        with pytest.raises(ValidationError) as exc:
            services.slot_create(actor=hr_admin, position=position, interviewers=[interviewer], **kwargs)
        assert exc.value.error_list[0].code == code, code
    assert InterviewSlot.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.slot_create(actor=interviewer, position=position, start=at(hour=14), end=at(hour=15), interviewers=[interviewer])


def test_availability_and_conflicts_when_scheduling(hr_admin, position, application, interviewer, hiring_manager):
    services.availability_add(actor=interviewer, user=interviewer, start=at(hour=9), end=at(hour=12), time_zone="Asia/Shanghai")
    with pytest.raises(ValidationError) as exc:
        services.interview_schedule(actor=hr_admin, application=application, start=at(hour=13), end=at(hour=14),
                                    interviewers=[interviewer])
    assert exc.value.error_list[0].code == "unavailable"
    first = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                        interviewers=[interviewer, hiring_manager])
    other = make_application(application.position, "孙悦")
    with pytest.raises(ValidationError) as exc:  # interviewer busy
        services.interview_schedule(actor=hr_admin, application=other, start=at(hour=10, minute=30), end=at(hour=11, minute=30),
                                    interviewers=[interviewer])
    assert exc.value.error_list[0].code == "conflict" and "重叠" in exc.value.messages[0]
    with pytest.raises(ValidationError):  # candidate busy
        services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10, minute=30),
                                    end=at(hour=11), interviewers=[hiring_manager], title="二面")
    back_to_back = services.interview_schedule(actor=hr_admin, application=other, start=at(hour=11), end=at(hour=12),
                                               interviewers=[interviewer])
    assert Interview.objects.filter(status="scheduled").count() == 2 and first.pk != back_to_back.pk


def test_reschedule_bumps_sequence_and_cancel_sends_cancel(hr_admin, position, application, interviewer):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer])
    links = services.interview_links_issue(interview=interview, actor=hr_admin)
    ics = Calendar.from_ical(interview_ics(interview=interview, attendees=[("张伟", "interviewer@example.com")]))
    event = ics.walk("VEVENT")[0]
    assert (str(ics["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])) == ("REQUEST", 0, interview.uid)
    assert event.decoded("DTSTART") == interview.start_at and str(event["DTSTART"].params["TZID"]) == "Asia/Shanghai"
    assert ics.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    assert (str(event["ATTENDEE"]), str(event["ATTENDEE"].params["CN"])) == ("mailto:interviewer@example.com", "张伟")

    services.interview_reschedule(actor=hr_admin, interview=interview, start=at(days=4, hour=15), end=at(days=4, hour=16))
    interview.refresh_from_db()
    moved = Calendar.from_ical(interview_ics(interview=interview)).walk("VEVENT")[0]
    assert (int(moved["SEQUENCE"]), str(moved["UID"])) == (1, interview.uid)
    assert moved.decoded("DTSTART").astimezone(ZoneInfo("Asia/Shanghai")).hour == 15
    candidate_link = InterviewLink.objects.get(interview=interview, kind="candidate")
    assert candidate_link.expires_at == interview.end_at + timedelta(hours=2)

    with pytest.raises(ValidationError):
        services.interview_cancel(actor=hr_admin, interview=interview, reason=" ")
    services.interview_cancel(actor=hr_admin, interview=interview, reason="面试官临时出差")
    interview.refresh_from_db()
    cancel = Calendar.from_ical(interview_ics(interview=interview))
    event = cancel.walk("VEVENT")[0]
    assert (str(cancel["METHOD"]), str(event["STATUS"]), int(event["SEQUENCE"]), str(event["UID"])) == (
        "CANCEL", "CANCELLED", 2, interview.uid)
    token = links["candidate"].rsplit("/l/", 1)[1].rstrip("/")
    with pytest.raises(LinkError) as exc:
        link_verify(token)
    assert exc.value.code == "revoked"
    mail = interview_calendar_email(interview=interview, subject="取消", body="面试取消", to=["a@example.com"])
    name, content, mimetype = mail.attachments[0]
    assert (name, mimetype) == ("invite.ics", "text/calendar; charset=utf-8; method=CANCEL")
    assert "STATUS:CANCELLED" in content


def test_links_are_random_expire_and_can_be_revoked(hr_admin, application, interviewer):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer])
    link, token = link_issue(application=application, interview=interview, kind="candidate", actor=hr_admin)
    assert link_verify(token) == link
    assert link.token_hash not in token and len(link.token_hash) == 64
    for bad in (token[:-2] + ("yy" if token.endswith("xx") else "xx"), "abc", token + ":x:y"):
        with pytest.raises(LinkError) as exc:
            link_verify(bad)
        assert exc.value.code == "invalid"
    with pytest.raises(LinkError) as exc:
        link_verify(token, kinds={"interviewer"})
    assert exc.value.code == "kind"
    InterviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(LinkError) as exc:
        link_verify(token)
    assert exc.value.code == "expired"
    with translation.override("en"):
        assert exc.value.message == "This link has expired. Please ask your recruiter for a new one."


def booking_actor(application):
    """The candidate of ``application`` acting through a fresh booking link, verified as the booking page does."""
    from hirelens.scheduling.links import link_actor

    return link_actor(link_issue(application=application, kind="booking")[1], kinds={"booking"})


def test_candidate_books_an_offered_slot_and_events_fire_after_commit(hr_admin, position, application, interviewer,
                                                                      django_capture_on_commit_callbacks):
    seen = []
    handler = lambda event: seen.append((event.name, event.application_id))  # noqa: E731
    events.subscribe(events.InterviewScheduled, handler)
    try:
        slot = services.slot_create(actor=hr_admin, position=position, start=at(hour=10), end=at(hour=11),
                                    interviewers=[interviewer])
        with django_capture_on_commit_callbacks(execute=True):
            interview = services.interview_book_slot(actor=booking_actor(application), application=application, slot_id=slot.pk)
        assert seen == [("interview.scheduled", application.pk)]
    finally:
        events.unsubscribe(events.InterviewScheduled, handler)
    slot.refresh_from_db()
    assert slot.status == "booked" and interview.slot == slot and list(interview.interviewers.all()) == [interviewer]
    other = make_application(position, "孙悦")
    with pytest.raises(ValidationError) as exc:
        services.interview_book_slot(actor=booking_actor(other), application=other, slot_id=slot.pk)
    assert exc.value.error_list[0].code == "slot_taken"
    for junk in (None, 999999):  # a malformed id is the booking form's (test_pages)
        with pytest.raises(ValidationError):
            services.interview_book_slot(actor=booking_actor(other), application=other, slot_id=junk)
    from hirelens.candidates.models import TimelineEvent

    entry = TimelineEvent.objects.get(candidate=application.candidate, kind="interview.scheduled")
    assert (entry.by_candidate, entry.params) == (True, {"title": interview.title, "position_id": application.position_id})
    from hirelens.candidates.timeline import timeline_text

    with translation.override("en"):
        assert timeline_text(entry) == f"Interview scheduled: {interview.title}"


def test_link_open_is_recorded(hr_admin, application, interviewer, rf):
    from django.contrib.sessions.backends.db import SessionStore

    from hirelens.core.models import AuditEvent

    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer])
    link, token = link_issue(application=application, interview=interview, kind="backup")
    request = rf.get("/")
    request.session = SessionStore()
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    link_open(token, request=request)
    link_open(token, request=request)
    link.refresh_from_db()
    assert link.open_count == 2 and link.first_opened_at <= link.last_opened_at
    assert AuditEvent.objects.filter(object_type="scheduling.interviewlink", object_id=str(link.pk), fields=["link:backup"]).count() == 2
    other = make_application(application.position, "孙悦")
    _link, other_token = link_issue(application=other, kind="booking")
    with pytest.raises(LinkError) as exc:
        link_open(other_token, request=request)
    assert exc.value.code == "other_candidate"
