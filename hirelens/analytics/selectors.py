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

from django.db.models import Avg, Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hirelens.core.params import query_int
from hirelens.core.roles import Perm, user_can
from hirelens.evaluations.models import ScorecardRating
from hirelens.feedback.models import MIN_GROUP, FeedbackCase, SurveyResponse
from hirelens.positions.access import visible_positions
from hirelens.workflows.models import PipelineEvent

from .services import SLOT, FunnelScan, day_of, day_start, duration_us, funnel_scan, slot_of

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

        # the default period, the last 90 days, in whole quarter hours (the completions' aggregates are per quarter
        # hour; a day given by date starts at a midnight, which is a quarter hour in every zone)
        start = parse(data.get("start"), slot_of(now - timedelta(days=DEFAULT_DAYS)))
        end = parse(data.get("end"), None)
        end = end + timedelta(days=1) if end else slot_of(now) + SLOT
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
    """The positions the figures cover, read once per Filters (the page's tables all ask)."""
    cache = filters.__dict__.setdefault("_position_ids", {})
    if actor.pk not in cache:
        cache[actor.pk] = list(positions_for(actor=actor, filters=filters).values_list("pk", flat=True))
    return cache[actor.pk]


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


def _whole_days(start: datetime, end: datetime) -> tuple[date | None, date | None, list[tuple[datetime, datetime]]]:
    """Split [start, end) into whole UTC days [first, last) read from the aggregates and the partial days at either
    edge (at most two windows of under a day each) counted from the source rows."""
    first = day_of(start) if start == day_start(day_of(start)) else day_of(start) + timedelta(days=1)
    last = day_of(end)
    if first >= last:
        return None, None, [(start, end)] if start < end else []
    edges = [(start, day_start(first))] if start < day_start(first) else []
    if day_start(last) < end:
        edges.append((day_start(last), end))
    return first, last, edges


def funnel(*, actor, filters: Filters) -> list[dict]:
    """Applications created in the period, and how many reached each stage (by stage title, in the stages' mean
    order), completed, hired. Whole days come from the per-day aggregates (``FunnelDay``, ``FunnelStageDay``); the
    partial first and last day are counted from the applications themselves, so any period in any time zone gives
    exactly what a full scan gives, and the cost is bounded by positions × days, not by the applications."""
    from .models import FunnelDay, FunnelStageDay

    ids = _position_ids(actor, filters)
    total = FunnelScan()
    if ids:
        first, last, edges = _whole_days(filters.start, filters.end)
        if first is not None:
            days = dict(organization_id=actor.organization_id, position_id__in=ids, day__gte=first, day__lt=last)
            row = FunnelDay.objects.filter(**days).aggregate(applied=Sum("applied"), hired=Sum("hired"), completed=Sum("completed"))
            stages = {r["title"]: [r["reached"], r["events"], r["order_sum"]] for r in (
                FunnelStageDay.objects.filter(**days).order_by().values("title")
                .annotate(reached=Sum("reached"), events=Sum("events"), order_sum=Sum("order_sum")))}
            total.add(FunnelScan(applied=row["applied"] or 0, hired=row["hired"] or 0, completed=row["completed"] or 0,
                                 stages=stages))
        total.add(funnel_scan(organization_id=actor.organization_id, position_ids=ids, windows=edges))
    reached = sorted(((v[2] / v[1] if v[1] else 0, title, v[0]) for title, v in total.stages.items() if v[0]))
    rows = [{"stage": pgettext("漏斗", "申请"), "count": total.applied}]
    rows += [{"stage": title, "count": n} for _order, title, n in reached]
    rows.append({"stage": _("流程完成"), "count": total.completed})
    rows.append({"stage": pgettext("漏斗", "录用"), "count": total.hired})
    return rows


def _completions(actor, ids: list[int], start: datetime, end: datetime) -> list[tuple[datetime, int, int]]:
    """(moment, completions, microseconds) of the process completions in [start, end): whole quarter hours from
    ``CompletionSlot`` (summed per month of the reader's zone, the moment being the month's start); a boundary inside a quarter hour (only "now", as every zone's midnight is a quarter hour) is
    counted exactly from the completions of the cohorts that slot names."""
    from .models import CompletionSlot

    if not ids or start >= end:
        return []
    first = slot_of(start) if slot_of(start) == start else slot_of(start) + SLOT
    last = slot_of(end)
    scope = dict(organization_id=actor.organization_id, position_id__in=ids)
    out = []
    if first < last:
        out += _completions_by_month(CompletionSlot.objects.filter(**scope, done_at__gte=first, done_at__lt=last).order_by())
    if first > last:  # start and end inside one quarter hour
        partial = [(start, end)]
    else:
        partial = ([(start, first)] if start < first else []) + ([(last, end)] if last < end else [])
    for a, b in partial:
        cohorts = list(CompletionSlot.objects.filter(**scope, done_at=slot_of(a)).values_list("position_id", "cohort_day").distinct())
        out += [(at, 1, micros) for at, micros in _completions_exact(actor.organization_id, cohorts, a, b)]
    return out


def _completions_by_month(slots) -> list[tuple[datetime, int, int]]:
    """Sum the slots per month of the reader's zone in SQL (a CASE over the month starts between the first and the
    last completion): a few rows back whatever the number of completions, and no per-row function on SQLite."""
    from django.db.models import Case, IntegerField, Max, Min, Value, When

    span = slots.aggregate(lo=Min("done_at"), hi=Max("done_at"))
    if span["lo"] is None:
        return []
    zone = timezone.get_current_timezone()
    local = timezone.localtime(span["lo"], zone)
    starts = [datetime(local.year, local.month, 1, tzinfo=zone)]
    while True:
        last_start = starts[-1]
        year, month = (last_start.year + 1, 1) if last_start.month == 12 else (last_start.year, last_start.month + 1)
        nxt = datetime(year, month, 1, tzinfo=zone)
        if nxt > span["hi"]:
            break
        starts.append(nxt)
    bucket = Case(*[When(done_at__lt=starts[i + 1], then=Value(i)) for i in range(len(starts) - 1)],
                  default=Value(len(starts) - 1), output_field=IntegerField())
    rows = slots.annotate(bucket=bucket).values("bucket").annotate(n=Sum("completions"), us=Sum("duration_us"))
    return [(starts[r["bucket"]], r["n"], r["us"]) for r in rows]


def _completions_exact(organization_id: int, cohorts, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    from django.db.models import Q

    if not cohorts:
        return []
    apps = Q()
    for position_id, day in cohorts:
        apps |= Q(progress__application__position_id=position_id, progress__application__created_at__gte=day_start(day),
                  progress__application__created_at__lt=day_start(day) + timedelta(days=1))
    rows = (PipelineEvent.objects.filter(apps, organization_id=organization_id, action=PipelineEvent.Action.COMPLETE,
                                         created_at__gte=start, created_at__lt=end)
            .values_list("created_at", "progress__application__created_at"))
    return [(done, duration_us(done - applied)) for done, applied in rows]


def time_to_hire(*, actor, filters: Filters) -> list[dict]:
    """Per month (in the reader's time zone): mean days from application to process completion, from the
    completions' quarter-hour aggregates."""
    ids = _position_ids(actor, filters)
    months = defaultdict(lambda: [0, 0])
    for moment, n, micros in _completions(actor, ids, filters.start, filters.end):
        month = months[timezone.localtime(moment).strftime("%Y-%m")]
        month[0] += n
        month[1] += micros
    return [{"month": m, "days": round(us / 1_000_000 / 86400 / n, 1), "hires": n} for m, (n, us) in sorted(months.items())]


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


def stale_buckets_stuck(*, now: datetime | None = None) -> dict:
    """For /healthz and /metrics (``tasks.stuck``): how many buckets wait for their recount (``waiting``) and since
    when the oldest does (``oldest_queued_s``: past ``core.health.QUEUED_TOO_LONG_S`` the server is degraded)."""
    from django.db.models import Min

    from .models import StaleBucket

    now = now or timezone.now()
    row = StaleBucket.objects.aggregate(n=Count("pk"), oldest=Min("created_at"))
    oldest = row["oldest"]
    return {"expired_leases": 0, "waiting": row["n"],
            "oldest_queued_s": round((now - oldest).total_seconds(), 1) if oldest else None}


def recounting(*, actor) -> bool:
    """Some of the organization's funnel figures wait for their recount (a stale bucket): the page says so."""
    from .models import StaleBucket

    return StaleBucket.objects.filter(organization_id=actor.organization_id).exists()
