"""Erasure for analytics (``hirelens.core.erasure``): the funnel's per-day aggregates hold counts only, but a count
that still included an erased person would keep a trace of them. The days of their applications are recounted
without those applications, in the erasure's transaction, before the rows are deleted."""

from __future__ import annotations

from hirelens.candidates.models import Application

from .services import application_keys, funnel_refresh


def erase(ctx) -> None:
    applications = ctx.ids("candidates.application")
    if applications:
        funnel_refresh(keys=application_keys(Application.objects.filter(pk__in=applications)),
                       exclude_application_ids=applications)
