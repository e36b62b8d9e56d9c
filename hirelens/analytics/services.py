"""Keeping the funnel's per-day aggregates (``FunnelDay``, ``FunnelStageDay``, ``CompletionSlot``) in step.

A *bucket* is (organization, position, day): the applications to that position created that day (UTC) — the funnel
is a cohort funnel, so everything that happens to an application later (a move, a completion, a hire, its deletion)
changes the bucket of the day it was created. The services that write applications and pipeline events emit domain
events; analytics recounts from them in the writer's transaction (``subscribers.py``, an in-transaction subscriber:
no signals, no call from the writers) with ``funnel_refresh_applications``: it locks each touched bucket's ``FunnelDay``
row and recounts that bucket from the source rows with the same scan the page uses for a period's partial days
(``funnel_scan``), so the result is exactly what a scan would give, whatever happened before: idempotent, and a
retry or a missed call is repaired by the next refresh of the bucket or by ``manage.py analytics_rebuild``. The
cost of a refresh is bounded by one position's applications of one day, not by the data.

A recount that fails in the writer's transaction (``funnel_refresh_or_defer``) undoes only itself and records its
buckets as stale (``StaleBucket``) in that transaction, so the mark commits with the change; the light queue's periodic
task recounts them (``stale_buckets_recount``), /metrics counts the failures and /healthz reports the stale buckets
(``tasks.stuck``, collected with the other apps' stuck work).

Erasure (``hirelens.analytics.erasure``) recounts the person's buckets without their applications before they are
deleted, in the erasure's transaction: the aggregates never keep a deleted person's contribution.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from prometheus_client import Counter

from hirelens.core.metrics import REGISTRY

logger = logging.getLogger(__name__)
RECOUNTS_FAILED = Counter("hirelens_analytics_recounts_failed_total",
                          "Funnel recounts that failed in a writer's transaction (their buckets were marked stale)",
                          registry=REGISTRY)

SLOT = timedelta(minutes=15)
DAY = timedelta(days=1)
HIRED = "hired"  # Application.Status.HIRED (literals: the backfill migration runs this on historical models)
COMPLETE = "complete"  # PipelineEvent.Action.COMPLETE

Key = tuple[int, int, date]  # organization id, position id, day (UTC)


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def slot_of(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def duration_us(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _models(apps=None):
    from django.apps import apps as global_apps

    registry = apps or global_apps
    return (registry.get_model("candidates", "Application"), registry.get_model("workflows", "PipelineEvent"),
            registry.get_model("analytics", "FunnelDay"), registry.get_model("analytics", "FunnelStageDay"),
            registry.get_model("analytics", "CompletionSlot"))


@dataclass
class FunnelScan:
    """The funnel of some applications, counted from the source rows."""

    applied: int = 0
    hired: int = 0
    completed: int = 0
    stages: dict = field(default_factory=dict)  # title -> [reached, events, order_sum]
    completions: list = field(default_factory=list)  # (done_at, duration in microseconds)

    def add(self, other: FunnelScan) -> None:
        self.applied += other.applied
        self.hired += other.hired
        self.completed += other.completed
        for title, values in other.stages.items():
            mine = self.stages.setdefault(title, [0, 0, 0])
            for i in range(3):
                mine[i] += values[i]
        self.completions += other.completions


def funnel_scan(*, organization_id: int, position_ids: Iterable[int], windows: list[tuple[datetime, datetime]],
                exclude_application_ids: Iterable[int] = (), completions: bool = False, apps=None) -> FunnelScan:
    """The funnel of the applications to ``position_ids`` created in any of ``windows`` ([start, end) pairs), as the
    page computed it before the aggregates existed: how many, hired, with a completion, and per stage title the
    applications that reached it (distinct), the events and the sum of the stage orders. Used for one bucket and
    for a period's partial first and last days."""
    Application, PipelineEvent, *_rest = _models(apps)
    position_ids = list(position_ids)
    if not windows or not position_ids:
        return FunnelScan()
    when = Q()
    for start, end in windows:
        when |= Q(created_at__gte=start, created_at__lt=end)
    applications = Application.objects.filter(when, organization_id=organization_id, position_id__in=position_ids)
    exclude = list(exclude_application_ids)
    if exclude:
        applications = applications.exclude(pk__in=exclude)
    row = applications.aggregate(applied=Count("pk"), hired=Count("pk", filter=Q(status=HIRED)))
    scan = FunnelScan(applied=row["applied"], hired=row["hired"])  # no shortcut when empty: the same queries always
    events = PipelineEvent.objects.filter(organization_id=organization_id, progress__application__in=applications)
    for r in (events.filter(to_stage__isnull=False).order_by().values("to_stage__title")
              .annotate(n=Count("progress", distinct=True), events=Count("pk"), order_sum=Sum("to_stage__order"))):
        scan.stages[r["to_stage__title"]] = [r["n"], r["events"], r["order_sum"] or 0]
    done = events.filter(action=COMPLETE)
    scan.completed = done.order_by().values("progress").distinct().count()
    if completions and scan.completed:
        scan.completions = [(at, duration_us(at - applied))
                            for at, applied in done.order_by().values_list("created_at", "progress__application__created_at")]
    return scan


def application_keys(applications) -> set[Key]:
    """The buckets of these applications (model instances, or a queryset of them)."""
    from django.db.models import QuerySet

    if isinstance(applications, QuerySet):
        return {(o, p, day_of(c)) for o, p, c in applications.values_list("organization_id", "position_id", "created_at")}
    return {(a.organization_id, a.position_id, day_of(a.created_at)) for a in applications}


def _lock(key: Key, FunnelDay):
    organization_id, position_id, day = key
    FunnelDay.objects.bulk_create([FunnelDay(organization_id=organization_id, position_id=position_id, day=day)],
                                  ignore_conflicts=True)
    # PostgreSQL: a second refresh of the same bucket waits here until the first commits, then recounts what it wrote
    return FunnelDay.objects.select_for_update().get(organization_id=organization_id, position_id=position_id, day=day)


@transaction.atomic
def funnel_refresh(*, keys: Iterable[Key], exclude_application_ids: Iterable[int] = (), apps=None) -> None:
    """Recount each bucket from the source rows (without ``exclude_application_ids``: applications about to be
    deleted in the same transaction)."""
    Application, PipelineEvent, FunnelDay, FunnelStageDay, CompletionSlot = _models(apps)
    exclude = list(exclude_application_ids)
    for key in sorted(set(keys)):  # one order: two refreshes of the same buckets cannot deadlock
        organization_id, position_id, day = key
        lock = _lock(key, FunnelDay)
        start = day_start(day)
        scan = funnel_scan(organization_id=organization_id, position_ids=[position_id], windows=[(start, start + DAY)],
                           exclude_application_ids=exclude, completions=True, apps=apps)
        FunnelStageDay.objects.filter(organization_id=organization_id, position_id=position_id, day=day).delete()
        CompletionSlot.objects.filter(organization_id=organization_id, position_id=position_id, cohort_day=day).delete()
        if not scan.applied:
            FunnelDay.objects.filter(pk=lock.pk).delete()
            continue
        FunnelDay.objects.filter(pk=lock.pk).update(applied=scan.applied, hired=scan.hired, completed=scan.completed)
        FunnelStageDay.objects.bulk_create([
            FunnelStageDay(organization_id=organization_id, position_id=position_id, day=day, title=title, reached=v[0],
                           events=v[1], order_sum=v[2]) for title, v in scan.stages.items()])
        CompletionSlot.objects.bulk_create(_slots(organization_id, position_id, day, scan.completions, CompletionSlot))


def _slots(organization_id, position_id, cohort_day, completions, CompletionSlot) -> list:
    per = defaultdict(lambda: [0, 0])
    for done_at, micros in completions:
        slot = per[slot_of(done_at)]
        slot[0] += 1
        slot[1] += micros
    return [CompletionSlot(organization_id=organization_id, position_id=position_id, cohort_day=cohort_day, done_at=at,
                           completions=n, duration_us=us) for at, (n, us) in per.items()]


def funnel_refresh_or_defer(*, keys: Iterable[Key]) -> bool:
    """Recount ``keys`` in a savepoint of the caller's transaction (the domain events' subscriber). If the recount
    fails, only it is undone: the failure is logged and counted, and the buckets are marked stale in the caller's
    transaction, outside the failed savepoint, so the mark commits (or rolls back) with the change whose recount is
    missing. Returns whether the recount was done."""
    keys = set(keys)
    if not keys:
        return True
    try:
        with transaction.atomic():
            funnel_refresh(keys=keys)
    except Exception:
        logger.exception("analytics: the recount of %d bucket(s) failed; marked stale for the periodic recount", len(keys))
        RECOUNTS_FAILED.inc()
        stale_buckets_mark(keys=keys)
        return False
    return True


def stale_buckets_mark(*, keys: Iterable[Key]) -> None:
    """Upsert (``failed_at`` set to now, ``created_at`` kept: the first failure): a row already there is locked by
    this transaction until it commits, so a concurrent repair that read it earlier does not delete it."""
    from django.utils import timezone

    from .models import StaleBucket

    now = timezone.now()
    StaleBucket.objects.bulk_create(
        [StaleBucket(organization_id=o, position_id=p, day=d, failed_at=now) for o, p, d in sorted(set(keys))],
        update_conflicts=True, unique_fields=["organization", "position", "day"], update_fields=["failed_at", "updated_at"])


def stale_buckets_recount(*, limit: int = 500) -> dict:
    """Recount the stale buckets (oldest first, at most ``limit``), one transaction each, and delete their rows: the
    light queue's periodic task. Idempotent. Safe with two workers: the bucket's ``FunnelDay`` lock is taken first (as
    every refresh does, so no lock-order cycle with a writer), both may recount the same bucket (same result), and a
    row is deleted only if no failure was recorded since it was read (``failed_at`` unchanged). A failing recount is
    logged and left for the next run."""
    from .models import StaleBucket

    recounted = failed = 0
    for pk, organization_id, position_id, day, failed_at in list(
            StaleBucket.objects.order_by("created_at", "pk")
            .values_list("pk", "organization_id", "position_id", "day", "failed_at")[:limit]):
        try:
            with transaction.atomic():
                funnel_refresh(keys=[(organization_id, position_id, day)])
                StaleBucket.objects.filter(pk=pk, failed_at=failed_at).delete()
        except Exception:
            logger.exception("analytics: the recount of stale bucket %s/%s/%s failed again", organization_id, position_id, day)
            failed += 1
            continue
        recounted += 1
    return {"recounted": recounted, "failed": failed}


def funnel_refresh_applications(*, applications) -> None:
    """The recount after applications were created, moved, decided or re-filed (instances or a queryset; called by
    ``subscribers.py`` and by the imports): their buckets are recounted in the caller's transaction. The days are read from the database, not
    from the instances, which may be stale."""
    from django.db.models import QuerySet

    Application = _models()[0]
    if not isinstance(applications, QuerySet):
        applications = Application.objects.filter(pk__in=[a.pk for a in applications])
    funnel_refresh(keys=application_keys(applications))


@transaction.atomic
def aggregates_rebuild(*, organization_id: int | None = None, apps=None) -> dict:
    """Recompute every aggregate of one organization (or all) from scratch, set-based (a few grouped queries, not one
    per bucket): the backfill of existing data, the repair after bulk loads, and the reference the consistency test
    compares the incremental refreshes with. Returns the number of rows written per table."""
    from django.db.models.functions import TruncDate

    Application, PipelineEvent, FunnelDay, FunnelStageDay, CompletionSlot = _models(apps)
    scope = {"organization_id": organization_id} if organization_id else {}
    for model in (FunnelDay, FunnelStageDay, CompletionSlot):
        model.objects.filter(**scope).delete()
    days = {}
    for r in (Application.objects.filter(**scope).order_by()
              .values("organization_id", "position_id", day=TruncDate("created_at", tzinfo=UTC))
              .annotate(applied=Count("pk"), hired=Count("pk", filter=Q(status=HIRED)))):
        days[(r["organization_id"], r["position_id"], r["day"])] = FunnelDay(
            organization_id=r["organization_id"], position_id=r["position_id"], day=r["day"], applied=r["applied"],
            hired=r["hired"])
    events = PipelineEvent.objects.filter(**scope).order_by()
    cohort = {"position_id": "progress__application__position_id",
              "day": TruncDate("progress__application__created_at", tzinfo=UTC)}
    for r in (events.filter(action=COMPLETE).values("organization_id", position=_f(cohort["position_id"]), day=cohort["day"])
              .annotate(n=Count("progress", distinct=True))):
        days[(r["organization_id"], r["position"], r["day"])].completed = r["n"]
    FunnelDay.objects.bulk_create(days.values(), batch_size=2000)
    stages = [FunnelStageDay(organization_id=r["organization_id"], position_id=r["position"], day=r["day"],
                             title=r["to_stage__title"], reached=r["n"], events=r["events"], order_sum=r["order_sum"] or 0)
              for r in (events.filter(to_stage__isnull=False)
                        .values("organization_id", "to_stage__title", position=_f(cohort["position_id"]), day=cohort["day"])
                        .annotate(n=Count("progress", distinct=True), events=Count("pk"), order_sum=Sum("to_stage__order")))]
    FunnelStageDay.objects.bulk_create(stages, batch_size=2000)
    per = defaultdict(list)
    for org, position, applied, done in (events.filter(action=COMPLETE).values_list(
            "organization_id", "progress__application__position_id", "progress__application__created_at", "created_at")):
        per[(org, position, day_of(applied))].append((done, duration_us(done - applied)))
    slots = [s for (org, position, day), rows in per.items() for s in _slots(org, position, day, rows, CompletionSlot)]
    CompletionSlot.objects.bulk_create(slots, batch_size=2000)
    return {"funnel_days": len(days), "stage_days": len(stages), "completion_slots": len(slots)}


def _f(name: str):
    from django.db.models import F

    return F(name)


def demo_rebuild(ctx) -> None:
    """``manage.py load_demo``'s last step (registered in ``AnalyticsConfig.ready``): the demo writes rows directly,
    backdated, so both demo organizations' aggregates are counted anew."""
    for organization in (ctx.organization, ctx.other_organization):
        aggregates_rebuild(organization_id=organization.pk)
