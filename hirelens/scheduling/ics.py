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


def interview_attendees(interview: Interview, *, candidate_email: bool = False) -> list[tuple[str, str]]:
    """(name, e-mail) of the candidate, then each interviewer: everyone the invitation is for. The candidate's
    e-mail only when the caller says the reader may see it (contact details are masked by default: a calendar
    file sent to interviewers or fetched through a link must not carry it); without it the candidate is left out
    of the ATTENDEE list, since an attendee needs an address."""
    candidate = interview.application.candidate
    people = [(candidate.full_name, (getattr(candidate, "email", "") or "") if candidate_email else "")]
    people += [(user.full_name, user.email) for user in interview.interviewers.all()]
    return people


def _organizer(interview: Interview) -> vCalAddress:
    """Who sent the invitation: the recruiter who scheduled it, else the organization at the sending address."""
    creator = interview.created_by
    if creator is not None and creator.email:
        address, name = creator.email, creator.full_name or creator.email
    else:
        address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip()
        name = interview.organization.name or "HireLens"
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name)
    return organizer


def interview_ics(*, interview: Interview, link: str = "", attendees: list[tuple[str, str]] | None = None,
                  method: str = "") -> bytes:
    """``attendees``: (name, e-mail) pairs; by default the interviewers (and the candidate's name, without the address). ``method`` defaults to
    CANCEL for a cancelled interview, else REQUEST. ORGANIZER is the recruiter who scheduled; each ATTENDEE has
    CN (the name), ROLE, RSVP and PARTSTAT; DTSTART carries the interview's TZID with its VTIMEZONE."""
    if attendees is None:
        attendees = interview_attendees(interview)
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
    event.add("summary", interview.display_title)
    description = [interview.display_title]
    if link:
        description.append(link)
        event.add("url", link)
    if cancelled and interview.cancel_reason:
        description.append(interview.cancel_reason)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer(interview))
    seen = set()
    for name, email in attendees:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["cn"] = vText(name or email)
            attendee.params["cutype"] = vText("INDIVIDUAL")
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("FALSE" if cancelled else "TRUE")
            event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def interview_calendar_email(*, interview: Interview, subject: str, body: str, to: list[str], link: str = "",
                             attendees: list[tuple[str, str]] | None = None) -> EmailMessage:
    """An e-mail with the invitation (or cancellation) attached, for the messaging app to send."""
    ics = interview_ics(interview=interview, link=link, attendees=attendees)
    method = "CANCEL" if interview.status == Interview.Status.CANCELLED else "REQUEST"
    message = EmailMessage(subject=subject, body=body, to=to)
    message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    return message
