"""Analytics over what the other apps record (V4). Every query is scoped to the actor's organization and to
the positions they may see (``visible_positions``), and filtered by position, department and period.

The scores come from ``ScorecardRating``, which carries its own organization, position, department,
dimension and submission time, so "average 专业技能 of technical positions over the last 3 months" is one
range scan on the ``rating_dim_dept_time`` index (see bench/evaluations.py for the figures).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.accounts.roles import Perm, user_can
from hirelens.candidates.models import Application
from hirelens.core.params import query_int
from hirelens.evaluations.models import ScorecardRating
from hirelens.feedback.models import MIN_GROUP, FeedbackCase, SurveyResponse
from hirelens.positions.access import visible_positions
from hirelens.workflows.models import PipelineEvent

DEFAULT_DAYS = 90  # the page opens on the last three months, the seed's period


@dataclass
class Filters:
    start: datetime
    end: datetime
    position_id: int | None = None
    department: str = ""

    @classmethod
    def from_query(cls, data, *, now: datetime | None = None) -> Filters:
        now = now or timezone.now()

        def parse(value, default):
            try:
                return timezone.make_aware(datetime.combine(date.fromisoformat(value), time.min))
            except (TypeError, ValueError):
                return default

        start = parse(data.get("start"), now - timedelta(days=DEFAULT_DAYS))
        end = parse(data.get("end"), None)
        end = end + timedelta(days=1) if end else now
        position_id = query_int(data, "position")
        return cls(start=start, end=end, position_id=position_id, department=(data.get("department") or "").strip())


def positions_for(*, actor, filters: Filters) -> QuerySet:
    if not user_can(actor, Perm.ANALYTICS_VIEW):
        return visible_positions(actor=actor).none()
    qs = visible_positions(actor=actor)
    if filters.position_id:
        qs = qs.filter(pk=filters.position_id)
    if filters.department:
        qs = qs.filter(department=filters.department)
    return qs


def _position_ids(actor, filters) -> list[int]:
    return list(positions_for(actor=actor, filters=filters).values_list("pk", flat=True))


def dimension_average(*, organization_id: int, dimension: str, departments: list[str], since: datetime,
                      until: datetime | None = None) -> tuple[float | None, int]:
    """The seed's question, as one indexed aggregate: mean score of one dimension for positions of the given
    departments since a date. Returns (mean, number of ratings)."""
    qs = ScorecardRating.objects.filter(organization_id=organization_id, dimension=dimension, department__in=departments,
                                        submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    row = qs.aggregate(avg=Avg("score"), n=Count("id"))
    return (round(float(row["avg"]), 3) if row["avg"] is not None else None), row["n"]


def dimension_mean(*, actor, filters: Filters, dimension: str) -> dict:
    """The page's "ask a question" tile: one dimension's mean over the filtered positions and period."""
    row = _ratings(actor, filters).filter(dimension=dimension).aggregate(avg=Avg("score"), n=Count("*"))
    return {"dimension": dimension, "avg": round(float(row["avg"]), 2) if row["avg"] is not None else None, "n": row["n"]}


def funnel(*, actor, filters: Filters) -> list[dict]:
    """Applications created in the period, and how many reached each stage (by stage title), completed, hired."""
    ids = _position_ids(actor, filters)
    apps = Application.objects.filter(organization_id=actor.organization_id, position_id__in=ids,
                                      created_at__gte=filters.start, created_at__lt=filters.end)
    total = apps.count()
    reached = (PipelineEvent.objects.filter(organization_id=actor.organization_id, progress__application__in=apps,
                                            to_stage__isnull=False)
               .values("to_stage__title").annotate(n=Count("progress", distinct=True), order=Avg("to_stage__order"))
               .order_by("order"))
    completed = (PipelineEvent.objects.filter(organization_id=actor.organization_id, progress__application__in=apps,
                                              action=PipelineEvent.Action.COMPLETE).values("progress").distinct().count())
    rows = [{"stage": _("申请"), "count": total}]
    rows += [{"stage": r["to_stage__title"], "count": r["n"]} for r in reached]
    rows.append({"stage": _("流程完成"), "count": completed})
    rows.append({"stage": _("录用"), "count": apps.filter(status=Application.Status.HIRED).count()})
    return rows


def time_to_hire(*, actor, filters: Filters) -> list[dict]:
    """Per month: mean days from application to process completion."""
    ids = _position_ids(actor, filters)
    events = (PipelineEvent.objects.filter(organization_id=actor.organization_id, action=PipelineEvent.Action.COMPLETE,
                                           progress__application__position_id__in=ids, created_at__gte=filters.start,
                                           created_at__lt=filters.end)
              .values_list("created_at", "progress__application__created_at"))
    months = defaultdict(list)
    for done, applied in events:
        months[timezone.localtime(done).strftime("%Y-%m")].append((done - applied).total_seconds() / 86400)
    return [{"month": m, "days": round(sum(v) / len(v), 1), "hires": len(v)} for m, v in sorted(months.items())]


def _ratings(actor, filters: Filters) -> QuerySet:
    return ScorecardRating.objects.filter(organization_id=actor.organization_id, position_id__in=_position_ids(actor, filters),
                                          submitted_at__gte=filters.start, submitted_at__lt=filters.end)


def dimension_scores(*, actor, filters: Filters) -> list[dict]:
    """Average score per position, month and dimension: one pass over the covering index ``rating_time_cover``."""
    rows = list(_ratings(actor, filters).order_by().values("position_id", "month", "dimension")
                .annotate(avg=Avg("score"), n=Count("*")).order_by("position_id", "month", "dimension"))
    titles = dict(positions_for(actor=actor, filters=filters).values_list("pk", "title"))
    out = [{"position": titles.get(r["position_id"], ""), "month": r["month"], "dimension": r["dimension"],
            "avg": round(float(r["avg"]), 2), "n": r["n"]} for r in rows]
    out.sort(key=lambda r: (r["position"], r["month"], r["dimension"]))
    return out


def calibration(*, actor, filters: Filters) -> dict:
    """Each interviewer's mean and spread against the panel, and inter-rater agreement, in one indexed scan.

    An *item* is one application, stage and dimension; every rating carries its item's panel count, sum, min
    and max (``ScorecardRating.item_*``, kept by the services). A rating's ``bias`` is its score minus the mean
    of the other raters of the item (positive: more lenient than the panel); an interviewer's bias is the mean
    over items with at least two raters. Agreement: among items with two or more raters, the share whose scores
    all lie within one point (range ≤ 1), and the mean range. Items are counted through their ratings in the
    period (each weighs 1/n), so an item whose ratings straddle the period's edge counts in part.
    """
    from django.db import connection

    from hirelens.accounts.models import User

    empty = {"interviewers": [], "items": 0, "agreement_within_1": None, "mean_range": None}
    if not _position_ids(actor, filters):  # nothing visible: no SQL to build
        return empty
    base = _ratings(actor, filters).order_by().values("interviewer_id", "score", "item_n", "item_sum", "item_min", "item_max")
    sql, params = base.query.sql_with_params()
    combined = f"""
        SELECT interviewer_id, COUNT(*), AVG(score * 1.0), AVG(score * score * 1.0),
               AVG(CASE WHEN item_n > 1 THEN score - (item_sum - score) * 1.0 / (item_n - 1) END)
        FROM ({sql}) b GROUP BY interviewer_id
        UNION ALL
        SELECT -1, SUM(CASE WHEN item_n > 1 THEN 1.0 / item_n END),
               SUM(CASE WHEN item_n > 1 AND item_max - item_min <= 1 THEN 1.0 / item_n END),
               SUM(CASE WHEN item_n > 1 THEN (item_max - item_min) * 1.0 / item_n END), NULL
        FROM ({sql}) b2"""
    with connection.cursor() as cursor:
        cursor.execute(combined, [*params, *params])
        rows = cursor.fetchall()
    per = [row for row in rows if row[0] != -1]
    _marker, items, within, range_sum, _none = next(row for row in rows if row[0] == -1)
    items = round(float(items or 0))
    names = dict(User.objects.filter(pk__in=[row[0] for row in per]).values_list("pk", "full_name"))
    interviewers = []
    for uid, n, mean, mean_sq, bias in per:
        spread = (max(0.0, float(mean_sq) - float(mean) ** 2)) ** 0.5 if n > 1 else 0.0
        interviewers.append({"interviewer": names.get(uid, ""), "n": n, "mean": round(float(mean), 2), "spread": round(spread, 2),
                             "bias": round(float(bias), 2) if bias is not None else None})
    interviewers.sort(key=lambda r: r["interviewer"] or "")
    if not items:
        return {**empty, "interviewers": interviewers}
    return {"interviewers": interviewers, "items": items, "agreement_within_1": round(100.0 * float(within or 0) / items, 1),
            "mean_range": round(float(range_sum) / items, 2)}


def feedback_timeliness(*, actor, filters: Filters, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    cases = (FeedbackCase.objects.filter(organization_id=actor.organization_id, position_id__in=_position_ids(actor, filters),
                                         opened_at__gte=filters.start, opened_at__lt=filters.end)
             .values_list("opened_at", "due_at", "result_sent_at"))  # results only: a holding update is not the promise
    months = defaultdict(lambda: {"kept": 0, "late": 0, "pending": 0})
    for opened, due, sent in cases:
        key = timezone.localtime(opened).strftime("%Y-%m")
        if sent is not None:
            months[key]["kept" if sent <= due else "late"] += 1
        elif due < now:
            months[key]["late"] += 1
        else:
            months[key]["pending"] += 1
    out = []
    for month, c in sorted(months.items()):
        decided = c["kept"] + c["late"]
        out.append({"month": month, **c, "kept_pct": round(100.0 * c["kept"] / decided, 1) if decided else None})
    return out


def survey_results(*, actor, filters: Filters) -> list[dict]:
    """Satisfaction per position. Answers are anonymous and keep only their month (``period``): a month counts when it
    overlaps the period; a position with fewer than MIN_GROUP answers is left out (a small group could point at
    a person)."""
    start, end = timezone.localtime(filters.start).date(), timezone.localtime(filters.end).date()
    rows = (SurveyResponse.objects.filter(organization_id=actor.organization_id, position_id__in=_position_ids(actor, filters),
                                          period__gte=start.replace(day=1), period__lte=end)
            .values("position__title").annotate(n=Count("id"), too_long=Count("id", filter=_q(process_length="too_long")),
                                                unstable=Count("id", filter=_q(stability="unstable")),
                                                professionalism=Avg("professionalism"), nps_avg=Avg("nps"))
            .filter(n__gte=MIN_GROUP).order_by("position__title"))
    return [{"position": r["position__title"], "n": r["n"], "too_long_pct": round(100.0 * r["too_long"] / r["n"], 1),
             "unstable_pct": round(100.0 * r["unstable"] / r["n"], 1), "professionalism": round(float(r["professionalism"]), 2),
             "nps_avg": round(float(r["nps_avg"]), 2)} for r in rows]


def _q(**kwargs):
    from django.db.models import Q

    return Q(**kwargs)


def decisions_without_evaluation(*, actor, filters: Filters, limit: int = 50) -> dict:
    """Final decisions (hire / reject) in the period, and those made without any human evaluation (S1: flagged
    in reports, with the reason the person gave)."""
    from hirelens.evaluations.models import Decision

    final = Decision.objects.filter(organization_id=actor.organization_id, outcome__in=["hire", "reject"],
                                    application__position_id__in=_position_ids(actor, filters),
                                    created_at__gte=filters.start, created_at__lt=filters.end)
    flagged = final.filter(without_evaluation=True)
    rows = list(flagged.select_related("application__candidate", "application__position", "decided_by")
                .order_by("-created_at", "-pk")[:limit])
    return {"total": final.count(), "count": flagged.count(), "rows": rows}


def dashboard(*, actor, filters: Filters, now: datetime | None = None) -> dict:
    return {
        "funnel": funnel(actor=actor, filters=filters),
        "time_to_hire": time_to_hire(actor=actor, filters=filters),
        "dimension_scores": dimension_scores(actor=actor, filters=filters),
        "calibration": calibration(actor=actor, filters=filters),
        "feedback": feedback_timeliness(actor=actor, filters=filters, now=now),
        "surveys": survey_results(actor=actor, filters=filters),
    }
