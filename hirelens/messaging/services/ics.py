"""iCalendar (RFC 5545) invitations: UTC times, escaped text, folded lines, CRLF."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone


def _escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_build(*, uid: str, starts_at: datetime, ends_at: datetime, summary: str, description: str = "", url: str = "",
              organizer_email: str = "", attendee_email: str = "", sequence: int = 0, cancel: bool = False) -> str:
    """One VEVENT. Re-send with the same ``uid`` and a higher ``sequence`` when the interview moves;
    ``cancel=True`` produces the METHOD:CANCEL that removes it from the candidate's calendar."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//HireLens//Interviews//ZH",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancel else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{int(sequence)}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if url:
        lines.append(f"URL:{url}")
        lines.append(f"LOCATION:{_escape(url)}")
    if organizer_email:
        lines.append(f"ORGANIZER:mailto:{organizer_email}")
    if attendee_email:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{attendee_email}")
    lines.append(f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}")
    if not cancel:
        lines += ["BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", f"DESCRIPTION:{_escape(summary)}", "END:VALARM"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
