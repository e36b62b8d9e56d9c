"""Demo: the organization's default limits and New York City's own (shorter recordings and analyses, as HR would set
for NYC Local Law 144's automated tools), and two unsuccessful candidates whose data is due for purge within the month
(组织设置 → 保留期限: 各法域的保留期限, 即将清除). Run by privacy's demo step (``privacy/demo.py``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hirelens.candidates.models import Application, Candidate
from hirelens.core.jurisdictions import Jurisdiction
from hirelens.core.models import RetentionPolicy
from hirelens.evaluations.services import decision_record
from hirelens.workflows.services import pipeline_start

from .retention import retention_policy_update

PEOPLE = (("许嘉怡", "13700000351", 350), ("Daniel Brooks", "13700000352", 358))
LIMITS = {"": {"candidates_days": 365, "recordings_days": 180, "analyses_days": 180},
          Jurisdiction.US_NYC: {"candidates_days": 365, "recordings_days": 90, "analyses_days": 90}}


def _limits(ctx, admin) -> None:
    """Set once, through the audited service; a demo loaded again leaves HR's later changes alone."""
    for code, days in LIMITS.items():
        if not RetentionPolicy.objects.filter(organization=ctx.organization, jurisdiction=code).exists():
            retention_policy_update(actor=admin, jurisdiction=code, **days)


def load(ctx) -> None:
    position = next(iter(ctx.positions.values()), None)
    admin = ctx.users.get("admin")
    if admin is not None:
        _limits(ctx, admin)
    if position is None:
        return
    for name, phone, days in PEOPLE:
        existing = [c for c in Candidate.objects.filter(organization=ctx.organization, source="job_board")
                    if c.full_name == name]
        candidate = existing[0] if existing else Candidate.objects.create(
            organization=ctx.organization, full_name=name, phone=phone, source="job_board")
        application, created = Application.objects.get_or_create(organization=ctx.organization, candidate=candidate,
                                                                 position=position)
        if created and admin is not None:  # rejected the one way there is: a person's decision (here from old records)
            pipeline_start(actor=admin, application=application)
            decision_record(actor=admin, application=application, outcome="reject", without_evaluation=True,
                            rationale="岗位已招满，未进入面试（从旧招聘系统导入的历史决定）",
                            without_evaluation_reason="旧招聘系统中的历史决定，当时的评估记录未导入")
        Application.objects.filter(pk=application.pk).update(status="rejected",
                                                             updated_at=timezone.now() - timedelta(days=days))
        ctx.candidates.setdefault(name, candidate)
    ctx.log.append("retention: New York City's own limits (recordings 90 days) and 2 unsuccessful candidates due for purge "
                   "this month (组织设置 → 保留期限)")
