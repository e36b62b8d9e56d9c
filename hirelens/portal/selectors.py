from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import FieldError
from django.utils import timezone
from django.utils.translation import gettext as _

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


def portal_ai_interviews(*, candidate: Candidate) -> list[dict]:
    """The candidate's AI video interviews (issue 16 §4): each with its state in words, its deadline in the position's
    zone named in words, and the link to start (or continue) while it is open. Withdrawn ones are left out."""
    from django.apps import apps

    if not apps.is_installed("hirelens.interviews"):
        return []
    from django.utils import translation

    from hirelens.interviews.models import InterviewSession
    from hirelens.interviews.services import OPEN_STATES, invitation_deadline, session_link

    now = timezone.now()
    language = translation.get_language() or "zh-hans"
    rows = []
    sessions = (InterviewSession.objects.filter(organization_id=candidate.organization_id, application__candidate=candidate,
                                                revoked_at__isnull=True)
                .exclude(state=InterviewSession.State.CANCELLED)
                .select_related("application__position", "organization").order_by("expires_at"))
    for session in sessions:
        is_open = session.state in OPEN_STATES and session.expires_at > now
        expired = session.state in OPEN_STATES and not is_open
        rows.append({"session": session, "position": session.application.position.title, "title": session.title,
                     "state": _("已过期") if expired else session.get_state_display(),
                     "deadline": invitation_deadline(session, language),
                     "link": session_link(session.link_token) if is_open and session.link_token else "",
                     "started": session.state != InterviewSession.State.INVITED})
    return rows
