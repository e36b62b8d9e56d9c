"""Calendar invitations (RFC 5545 via ``icalendar``): REQUEST for new and moved interviews, CANCEL for cancelled.

The UID stays the same for the life of an interview and SEQUENCE grows with every change, so calendar
clients update or remove the one event instead of adding another.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Interview


def interview_ics(*, interview: Interview, link: str = "", attendees: list[tuple[str, str]] = (), method: str = "") -> bytes:
    """``attendees``: (name, e-mail) pairs. ``method`` defaults to CANCEL for a cancelled interview, else REQUEST."""
    cancelled = interview.status == Interview.Status.CANCELLED
    method = method or ("CANCEL" if cancelled else "REQUEST")
    zone = ZoneInfo(interview.time_zone)
    cal = Calendar()
    cal.add("prodid", "-//HireLens//Interview//ZH")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", interview.start_at.astimezone(zone))
    event.add("dtend", interview.end_at.astimezone(zone))
    event.add("summary", interview.title)
    description = [interview.title]
    if link:
        description.append(link)
        event.add("url", link)
    if cancelled and interview.cancel_reason:
        description.append(interview.cancel_reason)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>').strip()}")
    organizer.params["cn"] = vText("HireLens")
    event.add("organizer", organizer)
    for name, email in attendees:
        if email:
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["cn"] = vText(name or email)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def interview_calendar_email(*, interview: Interview, subject: str, body: str, to: list[str], link: str = "",
                             attendees: list[tuple[str, str]] = ()) -> EmailMessage:
    """An e-mail with the invitation (or cancellation) attached, for the messaging app to send."""
    ics = interview_ics(interview=interview, link=link, attendees=attendees)
    method = "CANCEL" if interview.status == Interview.Status.CANCELLED else "REQUEST"
    message = EmailMessage(subject=subject, body=body, to=to)
    message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    return message
