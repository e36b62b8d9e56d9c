"""Reading feedback promises and survey results; evaluating the survey rules into suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from hirelens.core.access import tenant_queryset
from hirelens.core.roles import Perm, user_can
from hirelens.positions.access import visible_positions

from .models import MIN_GROUP, FeedbackCase, SurveyResponse, SurveyRule
from .services import survey_rules_ensure


def _scoped(qs: QuerySet, *, actor) -> QuerySet:
    qs = tenant_queryset(qs, actor=actor)
    if not (user_can(actor, Perm.MESSAGING_VIEW) or user_can(actor, Perm.POSITIONS_VIEW_ALL)):
        return qs.none()
    return qs.filter(position__in=visible_positions(actor=actor).values("pk"))


def feedback_case_list(*, actor, since: datetime | None = None, position_id=None) -> QuerySet[FeedbackCase]:
    qs = _scoped(FeedbackCase.objects.all(), actor=actor).select_related("position", "stage", "application__candidate")
    if since is not None:
        qs = qs.filter(opened_at__gte=since)
    if position_id:
        qs = qs.filter(position_id=position_id)
    return qs


@dataclass
class Promise:
    total: int
    kept: int
    late: int
    open_overdue: int
    pending: int

    @property
    def kept_pct(self) -> float | None:
        decided = self.kept + self.late + self.open_overdue
        return round(100.0 * self.kept / decided, 1) if decided else None


def feedback_promise(*, actor, since: datetime | None = None, now: datetime | None = None, position_id=None) -> tuple[Promise, list]:
    """The 24-hour promise counts results only: kept (result by the deadline), late (after it), overdue (no
    result yet). A "still under review" message is an update; it does not keep the promise (V2)."""
    now = now or timezone.now()
    cases = list(feedback_case_list(actor=actor, since=since, position_id=position_id))
    kept = [c for c in cases if c.result_sent_at is not None and c.result_sent_at <= c.due_at]
    late = [c for c in cases if c.result_sent_at is not None and c.result_sent_at > c.due_at]
    overdue = [c for c in cases if c.result_sent_at is None and c.due_at < now]
    pending = [c for c in cases if c.result_sent_at is None and c.due_at >= now]
    late_rows = sorted(late + overdue, key=lambda c: c.due_at, reverse=True)
    return Promise(total=len(cases), kept=len(kept), late=len(late), open_overdue=len(overdue), pending=len(pending)), late_rows


def survey_response_list(*, actor, since: datetime | None = None, position_id=None) -> QuerySet[SurveyResponse]:
    qs = _scoped(SurveyResponse.objects.all(), actor=actor).select_related("position")
    if since is not None:  # answers keep only their month: a month counts when it overlaps the range
        qs = qs.filter(period__gte=since.date().replace(day=1))
    if position_id:
        qs = qs.filter(position_id=position_id)
    return qs


METRIC_FILTERS = {
    SurveyRule.Metric.TOO_LONG: Q(process_length=SurveyResponse.Length.TOO_LONG),
    SurveyRule.Metric.UNSTABLE: Q(stability=SurveyResponse.Stability.UNSTABLE),
    SurveyRule.Metric.LOW_PROFESSIONALISM: Q(professionalism__lte=2),
    SurveyRule.Metric.DETRACTORS: Q(nps__lte=6),
}


@dataclass
class Suggestion:
    rule: SurveyRule
    share_pct: float
    responses: int
    position: object | None  # None: the whole organization


def survey_suggestions(*, actor, now: datetime | None = None, days: int = 90) -> list[Suggestion]:
    """Every active rule whose share is strictly over its threshold, with at least ``min_responses`` answers."""
    now = now or timezone.now()
    if actor is None or not getattr(actor, "organization_id", None):
        return []
    survey_rules_ensure(organization_id=actor.organization_id)
    responses = survey_response_list(actor=actor, since=now - timedelta(days=days))
    out = []
    for rule in SurveyRule.objects.filter(organization_id=actor.organization_id, is_active=True):
        condition = METRIC_FILTERS[rule.metric]
        if rule.per_position:
            groups = responses.values("position").annotate(n=Count("pk"), hit=Count("pk", filter=condition)).order_by("position")
            positions = {p.pk: p for p in visible_positions(actor=actor)}
            for row in groups:
                n, hit = row["n"], row["hit"]
                if n >= max(rule.min_responses, MIN_GROUP) and 100.0 * hit / n > rule.threshold_pct:
                    out.append(Suggestion(rule=rule, share_pct=round(100.0 * hit / n, 1), responses=n,
                                          position=positions.get(row["position"])))
        else:
            agg = responses.aggregate(n=Count("pk"), hit=Count("pk", filter=condition))
            n, hit = agg["n"], agg["hit"]
            if n >= max(rule.min_responses, MIN_GROUP) and 100.0 * hit / n > rule.threshold_pct:
                out.append(Suggestion(rule=rule, share_pct=round(100.0 * hit / n, 1), responses=n, position=None))
    return out


def survey_summary(*, actor, since: datetime | None = None, position_id=None) -> dict:
    qs = survey_response_list(actor=actor, since=since, position_id=position_id)
    # one aggregate for the figures (the dashboard stays within its query budget, issue 16)
    agg = qs.aggregate(total=Count("pk"), promoters=Count("pk", filter=Q(nps__gte=9)), detractors=Count("pk", filter=Q(nps__lte=6)),
                       professionalism=Sum("professionalism"))
    total, promoters, detractors = agg["total"], agg["promoters"], agg["detractors"]
    if total < MIN_GROUP:  # a small group could point at a person: no figures, only that there are too few answers
        return {"total": total, "too_few": True, "min_group": MIN_GROUP, "length": [], "stability": [],
                "professionalism_mean": None, "nps": None}

    def dist(field, choices):
        counts = dict(qs.values_list(field).annotate(n=Count("pk")).order_by())
        return [(label, counts.get(value, 0)) for value, label in choices]
    return {
        "total": total,
        "length": dist("process_length", SurveyResponse.Length.choices),
        "stability": dist("stability", SurveyResponse.Stability.choices),
        "professionalism_mean": round(agg["professionalism"] / total, 2) if total else None,
        "nps": round(100.0 * (promoters - detractors) / total, 1) if total else None,
        "too_few": False, "min_group": MIN_GROUP,
    }


def decision_feedback(*, actor, application) -> dict[int, FeedbackCase]:
    """What the candidate was told after each decision on this application (one query), for the people who may see
    the feedback cases (the evaluation page shows it beside each decision)."""
    cases = _scoped(FeedbackCase.objects.filter(application=application, decision__isnull=False), actor=actor)
    return {case.decision_id: case for case in cases}
