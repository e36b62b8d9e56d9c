"""Export section of evaluations: submitted scorecards with their ratings and reasons, and the decisions
(privacy archive, see hirelens/core/export_registry.py). Drafts are the interviewers' work in progress, not yet held."""

from __future__ import annotations

from hirelens.core.export_registry import Section, row


def export_candidate(candidate) -> list[Section]:
    from hirelens.evaluations.models import Decision, Scorecard

    cards = []
    for card in (Scorecard.objects.filter(application__candidate=candidate, status=Scorecard.Status.SUBMITTED)
                 .select_related("position", "stage", "interviewer").prefetch_related("ratings")):
        item = row(card, exclude=("interviewer",))
        item.update(position_title=card.position.title, stage_name=card.stage.name, interviewer_name=card.interviewer.full_name,
                    ratings=[{"dimension": r.dimension, "score": r.score, "reason": r.reason} for r in card.ratings.all()])
        cards.append(item)
    decisions = [dict(row(d, exclude=("decided_by",)), position_title=d.application.position.title)
                 for d in Decision.objects.filter(application__candidate=candidate).select_related("application__position")]
    return [Section("scorecards", cards), Section("decisions", decisions)]
