"""Erasure for evaluations (``hirelens.core.erasure``): scorecards, ratings, amendments and decisions cascade from the
applications. AI-assisted decisions are logged for at least ``DECISION_LOG_DAYS`` (≥ 6 months): a decision inside
that window is copied, pseudonymised (ids, outcome and dates; no rationale, no names), into ``core.DecisionRecord``
before the original goes. Consent withdrawal removes no scorecard: scores are given by people."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hirelens.core.erasure import decision_log_days
from hirelens.core.models import DecisionRecord

from .models import Decision


def _ai_assisted(application_ids) -> set:
    from hirelens.interviews.models import Answer
    from hirelens.live.models import LiveRoom

    found = set(Answer.objects.filter(session__application_id__in=application_ids, analysis__isnull=False)
                .values_list("session__application_id", flat=True))
    found |= set(LiveRoom.objects.filter(application_id__in=application_ids, analysis__isnull=False)
                 .values_list("application_id", flat=True))
    return found


def erase(ctx) -> None:
    applications = ctx.ids("candidates.application")
    if not applications:
        return
    days = decision_log_days()
    since = timezone.now() - timedelta(days=days)
    ai = _ai_assisted(applications)
    kept = 0
    for d in Decision.objects.filter(application_id__in=applications, created_at__gte=since).select_related("application"):
        if d.application_id not in ai:
            continue
        DecisionRecord.objects.create(
            organization_id=d.organization_id, pseudonym=ctx.pseudonym, position_id=d.application.position_id,
            stage_id=d.stage_id, outcome=d.outcome, decided_by_id=d.decided_by_id, decided_at=d.created_at,
            ai_assisted=True, scorecards_considered=d.scorecards_considered, without_evaluation=d.without_evaluation,
            keep_until=(d.created_at + timedelta(days=days)).date())
        kept += 1
    if kept:
        ctx.counts["core.decisionrecord.kept"] += kept
