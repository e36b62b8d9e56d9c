"""Issue 16 §4: e-mails to interviewers in the interviewer's own zone and language; the invitation's .ics names the
organizer and every attendee; one booking (or one move) leaves exactly one valid set of links."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from conftest import SMTPSink
from hirelens.accounts.tests.factories import UserFactory
from hirelens.core.timezones import utc_offset
from hirelens.messaging.models import Message
from hirelens.messaging.services import message_deliver
from hirelens.scheduling import services as scheduling
from hirelens.scheduling.models import InterviewLink
from hirelens.workflows.tests.factories import assign, make_application, make_position

pytestmark = pytest.mark.django_db


def local(days=3, hour=10, zone="Europe/London"):
    """``hour`` o'clock in ``zone``, ``days`` ahead, as an instant (the scheduling services take aware times)."""
    from hirelens.core.timezones import parse_local

    day = (timezone.now().astimezone(ZoneInfo(zone)) + timedelta(days=days)).date()
    return parse_local(f"{day.isoformat()}T{hour:02d}:00", zone)


def deliver_all():
    for message in Message.objects.filter(status="queued"):
        message_deliver(message_id=message.pk)


@pytest.fixture
def setup(org, recruiter, smtp_server):
    recruiter.full_name, recruiter.time_zone = "Recruiter Rose", "Europe/London"
    recruiter.save()
    beijing = UserFactory(organization=org, role="interviewer", email="li.na@example.com", full_name="李娜", time_zone="Asia/Shanghai")
    newyork = UserFactory(organization=org, role="interviewer", email="sam@example.com", full_name="Sam Reed",
                          time_zone="America/New_York", language="en")
    position = make_position(org, title="Data Engineer", time_zone="Europe/London")
    assign(position, beijing, "interviewer")
    assign(position, newyork, "interviewer")
    application = make_application(position, "王芳")
    application.candidate.email = "wang.fang@example.com"
    application.candidate.save()
    return recruiter, beijing, newyork, application


def _calendar(mail):
    part = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"][0]
    return Calendar.from_ical(part.get_content())


def test_interviewer_mails_in_their_own_zone_and_the_ics_names_everyone(setup, smtp_server, django_capture_on_commit_callbacks):
    recruiter, beijing, newyork, application = setup
    with django_capture_on_commit_callbacks(execute=True):
        interview = scheduling.interview_schedule(actor=recruiter, application=application, start=local(hour=10),
                                                  end=local(hour=11), interviewers=[beijing, newyork], time_zone="Europe/London")
    deliver_all()
    mails = {m["To"]: m for m in smtp_server.wait_for(3)}
    start = interview.start_at
    at_beijing, at_newyork = start.astimezone(ZoneInfo("Asia/Shanghai")), start.astimezone(ZoneInfo("America/New_York"))
    text = SMTPSink.text_of(mails["li.na@example.com"])
    assert f"{at_beijing:%H:%M} 北京时间（{utc_offset('Asia/Shanghai', start)}）" in text and "伦敦" not in text
    text = SMTPSink.text_of(mails["sam@example.com"])  # English, in New York time
    assert f"{at_newyork:%H:%M} New York time ({utc_offset('America/New_York', start)})" in text
    text = SMTPSink.text_of(mails["wang.fang@example.com"])  # the candidate: the interview's zone
    assert f"10:00 伦敦时间（{utc_offset('Europe/London', start)}）" in text

    calendar = _calendar(mails["wang.fang@example.com"])
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:recruiter@example.com" and str(event["ORGANIZER"].params["CN"]) == "Recruiter Rose"
    attendees = {str(a).removeprefix("mailto:"): a.params for a in event["ATTENDEE"]}
    assert sorted(attendees) == ["li.na@example.com", "sam@example.com", "wang.fang@example.com"]
    assert {email: str(p["CN"]) for email, p in attendees.items()} == {
        "li.na@example.com": "李娜", "sam@example.com": "Sam Reed", "wang.fang@example.com": "王芳"}
    assert {(str(p["ROLE"]), str(p["RSVP"]), str(p["PARTSTAT"])) for p in attendees.values()} == {("REQ-PARTICIPANT", "TRUE", "NEEDS-ACTION")}
    assert str(event["DTSTART"].params["TZID"]) == "Europe/London" and event.decoded("DTSTART") == start
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (interview.uid, 0)

    # one set of links for the booking: one candidate, one backup, one per interviewer
    valid = InterviewLink.objects.filter(interview=interview, revoked_at__isnull=True)
    assert sorted(valid.values_list("kind", flat=True)) == ["backup", "candidate", "interviewer", "interviewer"]

    # a move: the same UID, SEQUENCE 1, a new set of links and the old set revoked (still one valid set)
    smtp_server.messages.clear()
    old_candidate_link = json.loads(Message.objects.get(kind="invitation").variables)["link"]
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.interview_reschedule(actor=recruiter, interview=interview, start=local(hour=14), end=local(hour=15))
    deliver_all()
    mails = {m["To"]: m for m in smtp_server.wait_for(3)}
    moved = _calendar(mails["wang.fang@example.com"]).walk("VEVENT")[0]
    assert (str(moved["UID"]), int(moved["SEQUENCE"])) == (interview.uid, 1)
    assert sorted(valid.values_list("kind", flat=True)) == ["backup", "candidate", "interviewer", "interviewer"]
    assert InterviewLink.objects.filter(interview=interview).count() == 8
    from urllib.parse import urlsplit

    from django.test import Client

    assert Client().get(urlsplit(old_candidate_link).path).status_code == 410  # the first set no longer opens

    # the event delivered twice (a retried job) sends nothing more and issues no links
    from hirelens.messaging.integrations import interview_notify

    count = Message.objects.count()
    interview_notify(event="interview.rescheduled", organization_id=interview.organization_id, interview_id=interview.pk)
    assert Message.objects.count() == count and InterviewLink.objects.filter(interview=interview).count() == 8

    # cancelled: METHOD CANCEL with the same UID, attendees kept
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.interview_cancel(actor=recruiter, interview=interview, reason="职位已关闭")
    deliver_all()
    mails = {m["To"]: m for m in smtp_server.wait_for(3)}
    cancel = _calendar(mails["li.na@example.com"])
    assert str(cancel["METHOD"]) == "CANCEL" and str(cancel.walk("VEVENT")[0]["UID"]) == interview.uid
    assert "取消" in SMTPSink.text_of(mails["li.na@example.com"]) and "北京时间" in SMTPSink.text_of(mails["li.na@example.com"])
