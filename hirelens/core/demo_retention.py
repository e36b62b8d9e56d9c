"""Demo: two unsuccessful candidates whose data is due for purge within the month (组织设置 → 保留期限 → 即将清除)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

PEOPLE = (("许嘉怡", "13700000351", 350), ("Daniel Brooks", "13700000352", 358))


def load(ctx) -> None:
    from hirelens.candidates.models import Application, Candidate

    position = next(iter(ctx.positions.values()), None)
    if position is None:
        return
    for name, phone, days in PEOPLE:
        existing = [c for c in Candidate.objects.filter(organization=ctx.organization, source="job_board")
                    if c.full_name == name]
        candidate = existing[0] if existing else Candidate.objects.create(
            organization=ctx.organization, full_name=name, phone=phone, source="job_board")
        application, _ = Application.objects.get_or_create(organization=ctx.organization, candidate=candidate,
                                                           position=position, defaults={"status": "rejected"})
        Application.objects.filter(pk=application.pk).update(status="rejected",
                                                             updated_at=timezone.now() - timedelta(days=days))
        ctx.candidates.setdefault(name, candidate)
    ctx.log.append("retention: 2 unsuccessful candidates due for purge this month (组织设置 → 保留期限)")
