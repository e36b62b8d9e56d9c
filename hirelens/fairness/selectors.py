"""The fairness report: who was assessed at a stage, who moved forward, by self-identified category.

Counts per application come from SQL in one query (reached the stage, where the application stands now, its score
at the stage); the self-identifications come in a second one. They are encrypted (no SQL can group by them), so
they are decrypted here and only counted: a report costs a fixed number of queries whatever the number of
candidates, and no per-person row ever leaves this module.

"Selected" at a stage (or over the AI-assisted stages) = the application reached the stage and moved forward past
it: advanced to the next stage, completed the process there, or was hired; an application that was rejected or
withdrew while on it was not. Applications still waiting on the stage (active or on hold) are not decided yet:
they are counted as pending and left out of the rates. Withdrawals at the stage are left out too (the candidate
chose, not the process). The period is the date of application.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Avg, Exists, F, FloatField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.access import require_perm, tenant_queryset
from hirelens.core.roles import Perm

from . import stats
from .models import RACE_CATEGORIES, SEX_CATEGORIES, UNKNOWN, FairnessAudit, PIAVersion, Race, SelfIdentification, Sex

AI_STAGES = "ai"  # the report over every AI-assisted stage


def _ai_modules() -> list[str]:
    """The AI-assisted modules (their spec's ``ai_assisted``: the AI video interview, the live one with its AI panel)."""
    from hirelens.workflows.modules import modules_where

    return modules_where(lambda spec: spec.ai_assisted)


@dataclass(frozen=True)
class StageOption:
    value: str
    label: str


def stage_options(*, actor, position) -> list[StageOption]:
    """The position's stages (by key, across process versions; the newest title) and the AI-assisted group."""
    from hirelens.workflows.models import Stage

    require_perm(actor, Perm.COMPLIANCE_VIEW)
    rows = (tenant_queryset(Stage.objects.all(), actor=actor).filter(version__process__position=position)
            .order_by("key", "-version__number", "-pk").values_list("key", "title", "module", "order"))
    seen: dict[str, tuple[str, str, int]] = {}
    for key, title, module, order in rows:
        seen.setdefault(key, (title, module, order))
    ai_modules = _ai_modules()
    options = [StageOption(AI_STAGES, _("全部AI辅助环节"))] if any(m in ai_modules for _t, m, _o in seen.values()) else []
    options += [StageOption(k, t) for k, (t, _m, _o) in sorted(seen.items(), key=lambda kv: (kv[1][2], kv[1][0]))]
    return options


def _stage_keys(*, actor, position, stage: str) -> list[str]:
    from hirelens.workflows.models import Stage

    qs = tenant_queryset(Stage.objects.all(), actor=actor).filter(version__process__position=position)
    if stage == AI_STAGES:
        qs = qs.filter(module__in=_ai_modules())
    else:
        qs = qs.filter(key=stage)
    return sorted(set(qs.values_list("key", flat=True)))


def _bounds(start: date | None, end: date | None):
    zone = timezone.get_current_timezone()
    low = timezone.make_aware(datetime.combine(start, time.min), zone) if start else None
    high = timezone.make_aware(datetime.combine(end, time.max), zone) if end else None
    return low, high


def _application_facts(*, actor, position, keys: list[str], start, end):
    """One row per application that reached one of ``keys``: (candidate id, state now, stage key now, score)."""
    from hirelens.candidates.models import Application
    from hirelens.evaluations.models import Scorecard, ScorecardRating
    from hirelens.workflows.models import PipelineEvent, StageResult

    entered = (PipelineEvent.Action.START, PipelineEvent.Action.ADVANCE, PipelineEvent.Action.MOVE)
    reached = PipelineEvent.objects.filter(progress__application=OuterRef("pk"), action__in=entered, to_stage__key__in=keys)
    ratings = (ScorecardRating.objects.filter(application=OuterRef("pk"), stage__key__in=keys,
                                              scorecard__status=Scorecard.Status.SUBMITTED)
               .values("application").annotate(m=Avg(Cast(F("score"), FloatField()) / Cast(F("scale_max"), FloatField())))
               .values("m"))
    results = (StageResult.objects.filter(progress__application=OuterRef("pk"), stage__key__in=keys)
               .values("progress").annotate(m=Avg(Cast(F("score"), FloatField()) / Cast(F("max_score"), FloatField())))
               .values("m"))
    qs = tenant_queryset(Application.objects.all(), actor=actor).filter(position=position)
    low, high = _bounds(start, end)
    if low:
        qs = qs.filter(created_at__gte=low)
    if high:
        qs = qs.filter(created_at__lte=high)
    return (qs.filter(Exists(reached))
            .annotate(score=Coalesce(Subquery(results[:1]), Subquery(ratings[:1])))
            .values_list("candidate_id", "progress__state", "progress__stage__key", "score"))


def _answers_by_candidate(*, actor, candidate_ids) -> dict[int, dict]:
    rows = tenant_queryset(SelfIdentification.objects.all(), actor=actor).filter(candidate_id__in=candidate_ids)
    out = {}
    for candidate_id, answers in rows.values_list("candidate_id", "answers"):
        try:
            out[candidate_id] = json.loads(answers)
        except (TypeError, ValueError):
            continue
    return out


def categories_of(answers: dict | None) -> tuple[str, str]:
    """(sex, race) keys, UNKNOWN where not given or declined."""
    answers = answers or {}
    sex = answers.get("sex") if answers.get("sex") in SEX_CATEGORIES else UNKNOWN
    race = answers.get("race") if answers.get("race") in RACE_CATEGORIES else UNKNOWN
    return sex, race


def _intersection_keys() -> list[str]:
    return [f"{s}|{r}" for s in SEX_CATEGORIES for r in RACE_CATEGORIES]


def _tables(people: list[tuple[str, str, bool]], *, exclude_small: bool) -> dict:
    """people: (sex, race, selected-or-above-median). Three tables with the unknown counted beside each."""
    out = {}
    for name, keys, key_of in (
        ("sex", SEX_CATEGORIES, lambda s, r: s),
        ("race", RACE_CATEGORIES, lambda s, r: r),
        ("intersection", _intersection_keys(), lambda s, r: UNKNOWN if UNKNOWN in (s, r) else f"{s}|{r}"),
    ):
        counts = {k: [0, 0] for k in keys}
        unknown = [0, 0]
        for sex, race, hit in people:
            cell = counts.get(key_of(sex, race), unknown)
            cell[0] += 1
            cell[1] += int(hit)
        table = stats.impact_table({k: tuple(v) for k, v in counts.items()}, exclude_small=exclude_small)
        out[name] = {
            "rows": [row_dict(r) for r in table.rows if name != "intersection" or r.n],
            "total": table.total, "excluded": table.excluded,
            "unknown": {"n": unknown[0], "selected": unknown[1], "rate": stats.rate(unknown[1], unknown[0])},
        }
    return out


def row_dict(row: stats.Row) -> dict:
    return {"key": row.key, "n": row.n, "selected": row.selected, "share": row.share, "rate": row.rate,
            "impact_ratio": row.impact_ratio, "excluded": row.excluded, "flagged": row.flagged,
            "small_sample": row.small_sample, "fisher_p": row.fisher_p, "reference": row.reference}


def fairness_report(*, actor, position, stage: str, start: date | None = None, end: date | None = None,
                    exclude_small: bool = False) -> dict:
    """The report as plain data (it is frozen as JSON into an audit): aggregates only."""
    from hirelens.workflows.models import ApplicationProgress

    require_perm(actor, Perm.COMPLIANCE_VIEW)
    keys = _stage_keys(actor=actor, position=position, stage=stage)
    facts = list(_application_facts(actor=actor, position=position, keys=keys, start=start, end=end)) if keys else []
    answers = _answers_by_candidate(actor=actor, candidate_ids=[f[0] for f in facts])
    selection, scored, pending, withdrawn = [], [], 0, 0
    for candidate_id, state, stage_key, score in facts:
        sex, race = categories_of(answers.get(candidate_id))
        if score is not None:
            scored.append((sex, race, float(score)))
        here = stage_key in keys
        if here and state in (ApplicationProgress.State.ACTIVE, ApplicationProgress.State.ON_HOLD):
            pending += 1
            continue
        if here and state == ApplicationProgress.State.WITHDRAWN:
            withdrawn += 1
            continue
        failed = here and state == ApplicationProgress.State.REJECTED
        selection.append((sex, race, not failed))
    mid = stats.median(s for _sx, _r, s in scored)
    scoring = None
    if scored:
        scoring = _tables([(sx, r, s > mid) for sx, r, s in scored], exclude_small=exclude_small)
        scoring["median"] = mid
        scoring["n"] = len(scored)
    report = {
        "position": position.title, "position_id": position.pk, "stage": stage,
        "start": start.isoformat() if start else "", "end": end.isoformat() if end else "",
        "exclude_small": exclude_small, "assessed": len(selection), "pending": pending, "withdrawn": withdrawn,
        "self_identified": sum(1 for cid, *_rest in facts if cid in answers),
        "selection": _tables(selection, exclude_small=exclude_small), "scoring": scoring,
    }
    report["flags"] = sum(1 for part in ("selection", "scoring") if report[part]
                          for name in ("sex", "race", "intersection") for r in report[part][name]["rows"] if r["flagged"])
    return report


# --- labels (rendered in the reader's language; frozen audits keep keys) ---------------------------------------

def category_label(key: str) -> str:
    if key == UNKNOWN:
        return _("未知（未填写或不愿回答）")
    if "|" in key:
        sex, race = key.split("|", 1)
        return f"{Sex(sex).label} · {Race(race).label}"
    if key in Sex.values:
        return str(Sex(key).label)
    return str(Race(key).label)


def excluded_count(report: dict) -> int:
    """How many categories (in all of the report's tables) the 2 % rule left out of the impact ratios."""
    return sum(len(report[part][name]["excluded"]) for part in ("selection", "scoring") if report.get(part)
               for name in ("sex", "race", "intersection"))


def labelled(report: dict) -> dict:
    """A copy of ``report`` whose rows carry their category's label; each excluded category is named with its
    people and its share of the table (the reason it was left out, NYC DCWP rules § 5-301(d))."""
    out = json.loads(json.dumps(report))
    for part in ("selection", "scoring"):
        if not out.get(part):
            continue
        for name in ("sex", "race", "intersection"):
            rows = {row["key"]: row for row in out[part][name]["rows"]}
            for row in rows.values():
                row["label"] = category_label(row["key"])
            out[part][name]["excluded_labels"] = [
                _("%(label)s（%(n)d 人，占 %(share)s）") % {"label": category_label(k), "n": rows[k]["n"],
                                                         "share": f"{rows[k]['share'] * 100:.1f}%"}
                for k in out[part][name]["excluded"] if k in rows]
    out["excluded_count"] = excluded_count(out)
    return out


def audit_list(*, actor):
    require_perm(actor, Perm.COMPLIANCE_VIEW)
    return tenant_queryset(FairnessAudit.objects.select_related("created_by"), actor=actor)


def pia_version_list(*, actor):
    require_perm(actor, Perm.COMPLIANCE_VIEW)
    return tenant_queryset(PIAVersion.objects.select_related("created_by"), actor=actor)


def self_identification_count(*, actor) -> int:
    require_perm(actor, Perm.COMPLIANCE_VIEW)
    return tenant_queryset(SelfIdentification.objects.all(), actor=actor).count()

