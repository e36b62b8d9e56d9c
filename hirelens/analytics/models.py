"""Analytics' own tables: per-day aggregates of the recruiting funnel, kept in step by the services that write
applications and pipeline events (``hirelens.analytics.services``), so the page and the API sum a few hundred rows
instead of scanning every application and event of the period. They hold counts and sums only, keyed by
organization, position, day and stage title: no person, no application id (docs/privacy.md).

The scores, feedback and surveys are read from the other apps' tables (denormalised ``ScorecardRating``,
``FeedbackCase``, ``SurveyResponse``), which are already indexed for the page.
"""

from __future__ import annotations

from django.db import models

from hirelens.core.models import TenantOwnedModel
from hirelens.positions.models import Position


class FunnelDay(TenantOwnedModel):
    """The applications to one position created on one day (UTC): how many, how many were hired, how many completed
    their process. Also the lock row of its bucket: a refresh holds it while it recounts the day."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    applied = models.PositiveIntegerField(default=0)
    hired = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "position", "day"], name="analytics_funnel_day")]
        # the page's sum over a period: an index-only scan on SQLite and PostgreSQL
        indexes = [models.Index(fields=["organization", "day", "position", "applied", "hired", "completed"],
                                name="analytics_funnel_cover")]


class FunnelStageDay(TenantOwnedModel):
    """Of those applications, how many reached a stage of this title (``reached``), and over how many pipeline events
    (``events``) with what sum of stage orders (``order_sum``): the funnel lists stages by their mean order."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    title = models.CharField(max_length=200)
    reached = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    order_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "position", "day", "title"], name="analytics_stage_day")]
        indexes = [models.Index(fields=["organization", "day", "position", "title", "reached", "events", "order_sum"],
                                name="analytics_stage_cover")]


class CompletionSlot(TenantOwnedModel):
    """Process completions of applications to one position created on ``cohort_day``, in one quarter hour (UTC,
    ``done_at`` its start): how many, and the sum of their durations from application to completion in microseconds.
    Every time zone's midnight falls on a quarter hour, so a period and its months are whole slots."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    cohort_day = models.DateField()
    done_at = models.DateTimeField()
    completions = models.PositiveIntegerField(default=0)
    duration_us = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "position", "cohort_day", "done_at"],
                                               name="analytics_completion_slot")]
        indexes = [models.Index(fields=["organization", "done_at", "position", "completions", "duration_us"],
                                name="analytics_completion_cover")]


class StaleBucket(TenantOwnedModel):
    """A bucket whose recount failed in a writer's transaction (``services.funnel_refresh_or_defer``): written in
    that transaction, so it commits with the change whose recount is missing. ``created_at`` is the first failure,
    ``failed_at`` the last. The periodic task (``tasks.stale_buckets_recount_task``) recounts it and deletes the row;
    /healthz and /metrics report what is left (``tasks.stuck``)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    failed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "position", "day"], name="analytics_stale_bucket")]
