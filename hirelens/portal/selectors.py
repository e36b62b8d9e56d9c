"""Reads of the candidate's portal: every interview of the candidate in one list, in a fixed number of queries."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.candidates.models import Candidate


def portal_bookable(*, candidate: Candidate, applications) -> set[int]:
    """The applications with an open slot the candidate may book now (one query for all of them)."""
    from django.db.models import Q

    from hirelens.scheduling.models import InterviewSlot

    by_position = {a.position_id: a.pk for a in applications}
    if not by_position:
        return set()
    rows = (InterviewSlot.objects.filter(organization_id=candidate.organization_id, position_id__in=by_position,
                                         status=InterviewSlot.Status.OPEN, start_at__gt=timezone.now())
            .filter(Q(application__isnull=True) | Q(application__candidate=candidate))
            .values_list("position_id", "application_id").distinct())
    ids = {a.pk for a in applications}
    return {application_id if application_id in ids else by_position[position_id] for position_id, application_id in rows
            if application_id is None or application_id in ids}


def portal_scheduled_interviews(*, candidate: Candidate, language: str) -> list[dict]:
    """Live and other scheduled interviews (newest 20), each thing said once: the kind, its own name when it has one
    besides the position (a stage such as "复试"), the position, the time in the interview's zone named in words, the
    state in words ("已安排", "进行中", "已结束", "已取消") and, while it is not over, its action: the live room's
    entrance from ``JOIN_OPENS_BEFORE_MINUTES`` before the start (before that, when it opens), or the interview's page."""
    from hirelens.core.timezones import when_text
    from hirelens.live.services import JOIN_OPENS_BEFORE_MINUTES, is_live_interview, join_opens_at
    from hirelens.scheduling.models import Interview

    now = timezone.now()
    rows = []
    interviews = (Interview.objects.filter(organization_id=candidate.organization_id, application__candidate=candidate)
                  .select_related("application__position", "stage").order_by("-start_at")[:20])
    for interview in interviews:
        live = is_live_interview(interview)
        open_ = interview.is_pending(now=now)
        if interview.status == Interview.Status.CANCELLED:
            state = _("已取消")
        elif interview.status == Interview.Status.COMPLETED or interview.end_at <= now:
            state = _("已结束")
        elif interview.start_at <= now:
            state = _("进行中")
        else:
            state = _("已安排")
        joinable = open_ and (not live or join_opens_at(interview) <= now)
        rows.append({"kind": "live" if live else "scheduled", "interview": interview, "name": interview.own_name,
                     "position": interview.application.position.title, "state": state, "open": open_,
                     "kind_label": _("视频面试") if live else _("面试"),
                     "when": when_text(interview.start_at, interview.time_zone, end=interview.end_at, language=language),
                     "action": (_("进入面试间") if live else _("查看面试详情")) if joinable else "",
                     "opens": (_("入口将在面试前 %(minutes)d 分钟开放") % {"minutes": JOIN_OPENS_BEFORE_MINUTES})
                     if open_ and not joinable else ""})
    # open ones first, soonest first; then the rest, latest first
    return sorted(rows, key=lambda r: (not r["open"], (1 if r["open"] else -1) * r["interview"].start_at.timestamp()))


def portal_ai_interviews(*, candidate: Candidate) -> list[dict]:
    """The candidate's AI video interviews (issue 16 §4): each with its own name when it has one besides the kind
    (a stage named by HR), its state in words, its deadline in the position's zone named in words, and the link to
    start (or continue) while it is open. Withdrawn ones are left out."""
    from django.apps import apps

    if not apps.is_installed("hirelens.interviews"):
        return []
    from django.utils import translation

    from hirelens.core.timezones import when_text
    from hirelens.interviews.models import InterviewSession
    from hirelens.interviews.services import OPEN_STATES, session_link, session_time_zone
    from hirelens.workflows.models import ModuleType

    now = timezone.now()
    language = translation.get_language() or "zh-hans"
    default_names = {"AI视频面试", str(ModuleType.AI_VIDEO.label)}  # the stage's default name says what the kind says
    rows = []
    sessions = (InterviewSession.objects.filter(organization_id=candidate.organization_id, application__candidate=candidate,
                                                revoked_at__isnull=True)
                .exclude(state=InterviewSession.State.CANCELLED)
                .select_related("application__position", "organization").order_by("expires_at"))
    for session in sessions:
        is_open = session.state in OPEN_STATES and session.expires_at > now
        expired = session.state in OPEN_STATES and not is_open
        rows.append({"session": session, "position": session.application.position.title,
                     "name": "" if session.title in default_names else session.title,
                     "state": _("已过期") if expired else session.get_state_display(),
                     "deadline": when_text(session.expires_at, session_time_zone(session), language=language),
                     "link": session_link(session.link_token) if is_open and session.link_token else "",
                     "started": session.state != InterviewSession.State.INVITED})
    return rows
