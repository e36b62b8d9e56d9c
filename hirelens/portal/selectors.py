from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import FieldError
from django.utils import timezone

from hirelens.candidates.models import Candidate


def portal_upcoming_interviews(*, candidate: Candidate) -> list[dict]:
    """The candidate's scheduled, not yet finished interviews, when the scheduling app is installed
    (``Application.interviews``); each with its start in the interview's own time zone."""
    rows = []
    now = timezone.now()
    for application in candidate.applications.select_related("position"):
        related = getattr(application, "interviews", None)
        if related is None:
            return []
        try:
            interviews = list(related.filter(status="scheduled", end_at__gte=now).order_by("start_at"))
        except FieldError:
            return []
        for interview in interviews:
            try:
                zone = ZoneInfo(interview.time_zone)
            except Exception:  # noqa: BLE001 - an unknown zone name falls back to the server's
                zone = timezone.get_current_timezone()
            rows.append({"title": interview.title, "position": application.position.title,
                         "start": timezone.localtime(interview.start_at, zone), "end": timezone.localtime(interview.end_at, zone),
                         "time_zone": interview.time_zone})
    return sorted(rows, key=lambda r: r["start"])
