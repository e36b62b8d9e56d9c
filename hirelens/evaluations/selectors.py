"""Reading evaluations: the candidate profile synthesised from submitted cards, and the AI evidence.

The profile uses only cards the actor may read (``visible_scorecards``: the blind rule applies here too),
and only *human* scores. AI analysis is returned separately as evidence with timestamps; nothing here
turns an AI figure into a score, a level or a fit.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hirelens.candidates.models import Application
from hirelens.candidates.selectors import candidate_applications
from hirelens.core.pagination import KeysetPage
from hirelens.interviews.analysis_display import EVIDENCE_FIELDS, FACIAL_FIELDS, FIGURES
from hirelens.workflows.access import stage_can_view

from .access import visible_scorecards
from .models import Decision, FitRule, Scorecard

INDEX_PER_PAGE = 50
INDEX_COUNT_CAP = 1000  # beyond this the page says "1,000+": counting 90k rows costs more than the page itself
INDEX_CURSOR_SALT = "hirelens.evaluations.index-cursor"

STRONG_SHARE = 0.8  # mean ≥ 80 % of the scale → strong
MEDIUM_SHARE = 0.6  # ≥ 60 % → medium, else weak


@dataclass
class DimensionSummary:
    name: str
    mean: float
    low: int
    high: int
    spread: float  # population standard deviation across interviewers
    count: int
    level: str  # strong / medium / weak
    level_label: str
    quotes: list[dict] = field(default_factory=list)  # {"interviewer", "score", "reason"}


@dataclass
class Profile:
    dimensions: list[DimensionSummary]
    cards: int
    interviewers: int
    scale_max: int
    strengths: list[dict]
    concerns: list[dict]
    fit: str
    statement: str
    decisions: list

    @property
    def empty(self) -> bool:
        return not self.cards


def _level(mean: float, scale_max: int) -> str:
    # "8 of 10" is strong, "7 of 10" medium, as HR reads them: the share of the scale's maximum.
    share = mean / scale_max if scale_max else 0
    if share >= STRONG_SHARE:
        return "strong"
    if share >= MEDIUM_SHARE:
        return "medium"
    return "weak"


def level_label(level: str) -> str:
    return {"strong": _("强"), "medium": _("中等"), "weak": _("较弱")}[level]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def profile_build(*, actor, application: Application, stage_ids: list[int] | None = None) -> Profile:
    cards = (visible_scorecards(actor=actor, application=application).filter(status=Scorecard.Status.SUBMITTED)
             .select_related("interviewer", "stage").prefetch_related("ratings"))
    if stage_ids:
        cards = cards.filter(stage_id__in=stage_ids)
    cards = list(cards)
    order = list(application.position.scorecard_dimensions or [])
    per_dim: dict[str, list] = {}
    scale_max = max((c.scale_max for c in cards), default=10)
    for card in cards:
        for rating in card.ratings.all():
            per_dim.setdefault(rating.dimension, []).append((rating.score, rating.reason, card.interviewer.full_name or card.interviewer.email))
    names = [n for n in order if n in per_dim] + sorted(n for n in per_dim if n not in order)
    dims = []
    for name in names:
        rows = per_dim[name]
        scores = [r[0] for r in rows]
        mean = sum(scores) / len(scores)
        level = _level(mean, scale_max)
        quotes = [{"interviewer": who, "score": score, "reason": reason} for score, reason, who in sorted(rows, key=lambda r: -r[0])]
        dims.append(DimensionSummary(name=name, mean=round(mean, 2), low=min(scores), high=max(scores),
                                     spread=round(statistics.pstdev(scores), 2) if len(scores) > 1 else 0.0,
                                     count=len(scores), level=level, level_label=level_label(level), quotes=quotes))
    strengths = [{"dimension": d.name, "mean": d.mean, **d.quotes[0]} for d in dims if d.level == "strong"]
    concerns = [{"dimension": d.name, "mean": d.mean, **d.quotes[-1]} for d in dims if d.level == "weak"]
    means = {d.name: d.mean for d in dims}
    fit = ""
    for rule in FitRule.objects.filter(organization_id=application.organization_id):
        if rule.conditions and all(means.get(dim, -1) >= float(minimum) for dim, minimum in rule.conditions.items()):
            fit = rule.label
            break
    parts = [_("%(dim)s%(level)s (%(score)s)") % {"dim": d.name, "level": level_label(d.level), "score": _fmt(d.mean)} for d in dims]
    statement = _("，").join(parts)  # the reader's punctuation: "，" and "：" in Chinese, ", " and ": " in English
    if statement:
        statement += _("：") + (_("适合%(fit)s") % {"fit": fit} if fit else _("暂未匹配到适合方向"))
    decisions = list(Decision.objects.filter(application=application).select_related("decided_by", "stage"))
    return Profile(dimensions=dims, cards=len(cards), interviewers=len({c.interviewer_id for c in cards}), scale_max=scale_max,
                   strengths=strengths, concerns=concerns, fit=fit, statement=statement, decisions=decisions)


# --- AI evidence (shown beside the card, never used to score) ------------------------------------



def _figure(key: str, value) -> tuple[str, str]:
    """A summary figure as the reader sees it: its label and its value with the unit (never the stored key)."""
    label, unit, digits = FIGURES[key]
    number = float(value) * 100 if unit == "%" else float(value)
    return str(label), f"{number:.{digits}f}{unit}"


FACIAL_EVENT_TYPES = {"smile", "frown", "look_away", "face_lost", "gesture", "posture"}


def ai_evidence(*, actor, application: Application) -> list[dict]:
    """Per analysed answer: the summary figures and the timestamped events (facial ones only when the
    organization allows facial analysis and the candidate consented to it)."""
    from hirelens.interviews.access import session_list
    from hirelens.interviews.analysis_display import EVENT_LABELS, keyword_rows, rate_source_text, transcript_language
    from hirelens.interviews.interruptions import interruption_lines
    from hirelens.interviews.models import Answer

    rows = []
    for session in session_list(actor=actor, application=application):  # stage permissions (W2) included
        facial = bool(session.application.position.facial_enabled and session.biometric_allowed)
        answers = session.answers.filter(status=Answer.Status.COMPLETE, analysis_status=Answer.Analysis.DONE,
                                         question_index__gte=0).order_by("question_index")  # never the practice
        for answer in answers:
            analysis = answer.analysis or {}
            summary = analysis.get("summary") or {}
            figures = [(k, summary[k]) for k in EVIDENCE_FIELDS if summary.get(k) is not None]
            if facial:
                figures += [(k, summary[k]) for k in FACIAL_FIELDS if summary.get(k) is not None]
            events = [{**e, "label": str(EVENT_LABELS.get(e.get("type"), e.get("type", "")))}
                      for e in (analysis.get("events") or []) if facial or e.get("type") not in FACIAL_EVENT_TYPES]
            question = (session.questions[answer.question_index]["text"]
                        if 0 <= answer.question_index < len(session.questions) else session.practice_question)
            shown = [_figure(k, v) for k, v in figures]  # (label, value with unit): for people
            source, language = rate_source_text(summary), transcript_language(analysis)
            if source:  # absent in reports made before the method was recorded
                keys = [key for key, _value in figures]
                after = keys.index("speech_rate_syll_per_s") + 1 if "speech_rate_syll_per_s" in keys else len(shown)
                shown.insert(after, (_("语速计算方法"), source))
            if language:
                shown.append((_("转写语言"), language))
            rows.append({"answer": answer, "session": session, "question": question, "figures": figures, "shown": shown,
                         "interruptions": interruption_lines(answer),
                         "keywords": keyword_rows(summary), "events": events[:40], "facial": facial})
    return rows


# --- the evaluations index: one keyset page of applications in a pipeline, newest change first ---------------------

class IndexCursorError(ValueError):
    """A page link this list did not issue (edited, truncated)."""


def _index_cursor(row: tuple, *, direction: str, start: int) -> str:
    updated_at, pk = row
    return signing.dumps({"k": [updated_at.isoformat(), pk], "d": direction, "o": start}, salt=INDEX_CURSOR_SALT, compress=True)


def _index_cursor_load(cursor: str) -> tuple:
    try:
        data = signing.loads(cursor, salt=INDEX_CURSOR_SALT)
        moment, pk = data["k"]
        direction, start = data["d"], data["o"]
    except (signing.BadSignature, ValueError, TypeError, KeyError) as exc:
        raise IndexCursorError from exc
    moment = parse_datetime(moment) if isinstance(moment, str) else None
    if moment is None or not isinstance(pk, int) or direction not in ("n", "p") or not isinstance(start, int) or start < 1:
        raise IndexCursorError
    return moment, pk, direction, start


def evaluation_index_page(*, actor, q: str = "", cursor: str = "", per_page: int | None = None) -> KeysetPage:
    """The applications in a pipeline that the actor may see (``visible_applications``), newest change first, one
    keyset page at a time: the keys are paged on the ``application_org_updated`` index (a scan that stops after one
    page, however deep), then only that page's rows are fetched, with the candidate's name and never the encrypted
    resume. ``q`` searches people by name (name, pinyin, initials, Latin prefix) through the candidates' search
    tokens. Raises ``IndexCursorError`` for a page link this list did not issue."""
    from hirelens.candidates.access import visible_applications
    from hirelens.candidates.selectors import application_ids_matching

    per_page = per_page or INDEX_PER_PAGE
    base = visible_applications(actor=actor).filter(progress__isnull=False)
    if (q or "").strip():
        base = base.filter(pk__in=application_ids_matching(actor.organization_id, q))
    forward, start = True, 1
    keys = base
    if cursor:
        moment, pk, direction, start = _index_cursor_load(cursor)
        forward = direction == "n"
        if forward:
            keys = keys.filter(Q(updated_at__lt=moment) | Q(updated_at=moment, pk__lt=pk))
        else:
            keys = keys.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    order = ("-updated_at", "-pk") if forward else ("updated_at", "pk")
    found = list(keys.order_by(*order).values_list("updated_at", "pk")[:per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    if not forward:
        found.reverse()
        start = max(1, start - len(found))
    by_pk = {a.pk: a for a in (
        Application.objects.filter(pk__in=[pk for _u, pk in found])
        .select_related("candidate", "position", "progress__stage")
        .only("id", "organization_id", "updated_at", "candidate_id", "position_id", "candidate__full_name",
              "candidate__organization_id", "position__title", "progress__id", "progress__stage__title"))}
    rows = [by_pk[pk] for _u, pk in found if pk in by_pk]
    count = base.order_by().values("pk")[:INDEX_COUNT_CAP + 1].count()
    has_next = more if forward else bool(cursor)
    has_previous = (start > 1) if forward else more
    return KeysetPage(
        rows=rows, count=min(count, INDEX_COUNT_CAP), count_capped=count > INDEX_COUNT_CAP, start=start,
        next_cursor=_index_cursor(found[-1], direction="n", start=start + len(found)) if found and has_next else None,
        previous_cursor=_index_cursor(found[0], direction="p", start=start) if found and has_previous else None)


def hub_evaluations(*, actor, candidate) -> dict:
    """The candidate hub's 评估 tab: {"scorecards": [Scorecard] (submitted, readable by the actor), "decisions":
    [Decision] (of the applications and stages the actor may see)}, newest first."""
    applications = list(candidate_applications(actor=actor, candidate=candidate))
    cards = []
    for application in applications:  # the blind rule is per application and stage
        cards += list(visible_scorecards(actor=actor, application=application).filter(status=Scorecard.Status.SUBMITTED)
                      .select_related("interviewer", "stage", "position").prefetch_related("ratings"))
    for card in cards:
        scores = [r.score for r in card.ratings.all()]
        card.mean_score = f"{sum(scores) / len(scores):.1f}" if scores else ""
    cards.sort(key=lambda c: c.submitted_at, reverse=True)
    decisions = list(Decision.objects.filter(organization_id=candidate.organization_id,
                                             application_id__in=[a.pk for a in applications])
                     .select_related("decided_by", "stage__version__process", "application__position")
                     .prefetch_related("stage__view_users"))
    visible = {}

    def stage_visible(stage) -> bool:
        if stage is None:
            return True
        if stage.pk not in visible:
            visible[stage.pk] = stage_can_view(actor=actor, stage=stage)
        return visible[stage.pk]

    return {"scorecards": cards, "decisions": [d for d in decisions if stage_visible(d.stage)]}
