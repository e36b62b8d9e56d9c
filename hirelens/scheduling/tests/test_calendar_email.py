"""The invitation e-mail with its .ics goes through a real SMTP server and parses back (REQUEST, then CANCEL)."""

from icalendar import Calendar

from hirelens.scheduling import services
from hirelens.scheduling.ics import interview_calendar_email

from .conftest import at


def test_invitation_and_cancellation_travel_as_calendar_attachments(smtp_server, hr_admin, application, interviewer):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                            interviewers=[interviewer])
    attendees = [(interviewer.full_name, interviewer.email)]
    interview_calendar_email(interview=interview, subject="面试邀请", body="请查收日历邀请。", to=[interviewer.email],
                             attendees=attendees, link="https://hirelens.example/scheduling/l/x/").send()
    services.interview_cancel(actor=hr_admin, interview=interview, reason="候选人改约")
    interview.refresh_from_db()
    interview_calendar_email(interview=interview, subject="面试取消", body="面试已取消。", to=[interviewer.email],
                             attendees=attendees).send()
    invite, cancel = smtp_server.wait_for(2)
    seen = []
    for message in (invite, cancel):
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        cal = Calendar.from_ical(part.get_payload(decode=True))
        event = cal.walk("VEVENT")[0]
        seen.append((part.get_param("method"), str(cal["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])))
    assert seen == [("REQUEST", "REQUEST", interview.uid, 0, "CONFIRMED"), ("CANCEL", "CANCEL", interview.uid, 1, "CANCELLED")]
    assert str(Calendar.from_ical(next(p for p in invite.walk() if p.get_content_type() == "text/calendar")
                                  .get_payload(decode=True)).walk("VEVENT")[0]["URL"]) == "https://hirelens.example/scheduling/l/x/"
