"""A scheduled live interview with its room and the candidate's link, for the room's tests."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

CANDIDATE = "赵磊"


def live_interview(org, hr_admin, interviewers, *, minutes_ahead: int = 30):
    from hirelens.live.services import room_for_interview
    from hirelens.scheduling import services
    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import InterviewLink
    from hirelens.workflows.tests.factories import assign, make_application, make_position

    position = make_position(org, title="销售代表")
    for user in interviewers:
        assign(position, user, "interviewer")
    application = make_application(position, CANDIDATE)
    zone = ZoneInfo("Asia/Shanghai")
    start = (timezone.now() + timedelta(minutes=minutes_ahead)).astimezone(zone)
    interview = services.interview_schedule(actor=hr_admin, application=application, start=start.replace(second=0, microsecond=0),
                                            end=(start + timedelta(hours=1)).replace(second=0, microsecond=0),
                                            interviewers=interviewers, time_zone="Asia/Shanghai")
    _link, token = link_issue(application=application, interview=interview, kind=InterviewLink.Kind.CANDIDATE)
    room = room_for_interview(interview=interview)
    return room, token


def ensure_notices():
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.notices import ensure_platform_notices

    ensure_platform_notices(ConsentNotice)


ACCEPT_ALL = {"recording": True, "ai_analysis": True, "biometric": True}
