"""Demo: offered slots (position time zone) for each position, a scheduled interview with links and a booking link."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from hirelens.candidates.models import Application
from hirelens.core.timezones import parse_local
from hirelens.scheduling import services
from hirelens.scheduling.links import link_url
from hirelens.scheduling.models import Interview, InterviewSlot
from hirelens.workflows.models import Process, ProcessVersion


def _local(position, days, hour):
    """``hour`` o'clock ``days`` from today in the position's zone, as an instant (the services take aware times)."""
    day = (timezone.now().astimezone(ZoneInfo(position.time_zone)) + timedelta(days=days)).date()
    return parse_local(f"{day.isoformat()}T{hour:02d}:00", position.time_zone)


def _invitation_link(interview, admin) -> str:
    """The candidate's link of the interview's one set: sent by the invitation (run here rather than waiting for the
    worker, so the link printed is the one that stays valid), or issued directly without the messaging app."""
    from django.apps import apps

    if apps.is_installed("hirelens.messaging"):
        import json

        from hirelens.messaging.integrations import interview_notify

        for message in interview_notify(event="interview.scheduled", organization_id=interview.organization_id,
                                        interview_id=interview.pk):
            if message.candidate_id:
                return json.loads(message.variables).get("link", "")
    return services.interview_links_issue(interview=interview, actor=admin)["candidate"]


def _london_interview(ctx) -> None:
    """The recruiter works from London (accounts demo): one live interview planned in London time, with a Beijing
    interviewer, so the pages show 伦敦时间 next to 北京时间 and the interviewer's notice is in 北京时间."""
    recruiter, interviewer = ctx.users.get("recruiter"), ctx.users.get("interviewer")
    position = ctx.positions.get("销售代表")
    if recruiter is None or interviewer is None or position is None:
        return
    applications = list(Application.objects.filter(position=position).order_by("pk")[2:3])
    if not applications or Interview.objects.filter(application=applications[0], time_zone="Europe/London").exists():
        return
    day = (timezone.now().astimezone(ZoneInfo("Europe/London")) + timedelta(days=5)).date().isoformat()
    try:
        interview = services.interview_schedule(actor=recruiter, application=applications[0],
                                                start=parse_local(f"{day}T09:00", "Europe/London"),
                                                end=parse_local(f"{day}T10:00", "Europe/London"), interviewers=[interviewer],
                                                time_zone="Europe/London")
    except ValidationError:
        return
    ctx.log.append(f"销售代表: interview in London time, candidate link {_invitation_link(interview, recruiter)}")


def load(ctx):
    admin = ctx.users["admin"]
    panel = {"销售代表": ["interviewer", "manager"], "后端工程师": ["cto"], "管培生 (2027届)": ["interviewer"]}
    for offset, (title, keys) in enumerate(panel.items()):
        position = ctx.positions.get(title)
        if position is None:
            continue
        interviewers = [ctx.users[k] for k in keys]
        process = Process.objects.filter(position=position, is_active=True).first()
        version = process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number").first() if process else None
        live = version.stages.filter(module="live").first() if version else None
        if not InterviewSlot.objects.filter(position=position, start_at__gt=timezone.now()).exists():
            for days, hour in ((2, 10 + offset), (2, 14 + offset), (3, 10 + offset), (4, 16 + offset)):
                try:
                    services.slot_create(actor=admin, position=position, start=_local(position, days, hour),
                                         end=_local(position, days, hour + 1), interviewers=interviewers, stage=live)
                except ValidationError:  # a clash with an earlier demo run's interview: skip that slot
                    continue
        applications = list(Application.objects.filter(position=position).order_by("pk"))
        if applications and not Interview.objects.filter(application=applications[0], start_at__gt=timezone.now()).exists():
            try:
                interview = services.interview_schedule(actor=admin, application=applications[0], start=_local(position, 1, 15 + offset),
                                                        end=_local(position, 1, 16 + offset), interviewers=interviewers,
                                                        stage=live)
            except ValidationError:
                interview = None
            if interview is not None:
                url = _invitation_link(interview, admin)
                ctx.log.append(f"{title}: candidate interview link {url}")
        if len(applications) > 1:
            ctx.log.append(f"{title}: booking link {services.booking_link_issue(actor=admin, application=applications[1])}")
    _london_interview(ctx)
    ctx.extra["scheduling_links_url"] = link_url
