"""Demo: each demo position gets a published process from a starter, and its applications start on it."""

from hirelens.candidates.models import Application
from hirelens.workflows import services
from hirelens.workflows.models import ApplicationProgress, Process

STARTER_BY_TITLE = {"销售代表": "sales", "后端工程师": "technical", "管培生 (2027届)": "management"}


def load(ctx):
    admin = ctx.users["admin"]
    for title, starter in STARTER_BY_TITLE.items():
        position = ctx.positions.get(title)
        if position is None:
            continue
        process = Process.objects.filter(position=position).first()
        if process is None:
            process = services.process_create(actor=admin, position=position, starter=starter)
            if starter == "technical":  # the seed's example: only the CTO sees and scores the coding stage
                coding = services.process_draft(process).stages.get(module="coding")
                services.stage_update(actor=admin, stage=coding, view_roles=["hiring_manager"], score_roles=["hiring_manager"],
                                      view_users=[ctx.users["cto"]], score_users=[ctx.users["cto"]],
                                      settings={**coding.settings, "mode": "external",
                                                "platform_url": "https://coding.example.com/tests/lru"})
            services.process_publish(actor=admin, process=process, note="示例流程")
        ctx.extra.setdefault("processes", {})[title] = process
        for index, application in enumerate(Application.objects.filter(position=position).order_by("pk")):
            if ApplicationProgress.objects.filter(application=application).exists():
                continue
            progress = services.pipeline_start(actor=admin, application=application)
            if index % 2 == 1:
                services.pipeline_advance(actor=ctx.users["recruiter"], progress=progress, reason="AI视频面试表现良好，进入下一环节")
