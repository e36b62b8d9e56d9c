"""Demo: offered slots (position time zone) for each position, a scheduled interview with links and a booking link."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from hirelens.candidates.models import Application
from hirelens.scheduling import services
from hirelens.scheduling.links import link_url
from hirelens.scheduling.models import Interview, InterviewSlot
from hirelens.workflows.models import Process, ProcessVersion


def _local(position, days, hour):
    day = (timezone.now().astimezone(ZoneInfo(position.time_zone)) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


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
                urls = services.interview_links_issue(interview=interview, actor=admin)
                ctx.log.append(f"{title}: candidate interview link {urls['candidate']} (backup {urls['backup']})")
        if len(applications) > 1:
            ctx.log.append(f"{title}: booking link {services.booking_link_issue(actor=admin, application=applications[1])}")
    ctx.extra["scheduling_links_url"] = link_url
