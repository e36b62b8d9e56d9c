"""Writing scorecards and decisions (V1, S1).

Rules enforced here, whatever page or API calls them:

* a score is an integer on the card's scale and every dimension has a reason;
* one card per interviewer, application and stage; submitting locks it; a locked card changes only
  through ``scorecard_amend`` (author only, with a reason, old and new values kept, audited);
* only people who may score the stage (W2) write cards; AI analysis never fills in a score;
* a decision is recorded by a person with ``Perm.DECISIONS_RECORD``; a final decision (reject / hire) needs a
  reason of substance and a human evaluation, or an explicit "decided without evaluation" with its own reason.
  There is no service that takes an AI figure and rejects: ``decision_record`` has no such input, and a reason
  that cites only AI signals is refused.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.candidates.models import Application
from hirelens.candidates.timeline import timeline_add
from hirelens.core import events
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.positions.models import Position
from hirelens.workflows.access import stage_can_score
from hirelens.workflows.models import ApplicationProgress, Stage

from .access import application_stages, require_decision_right
from .models import Decision, Scorecard, ScorecardAmendment, ScorecardRating, ScorecardSettings


def scorecard_settings_for(position: Position) -> ScorecardSettings:
    settings_row = ScorecardSettings.objects.filter(position=position).first()
    if settings_row is None:
        settings_row, _created = ScorecardSettings.objects.get_or_create(
            position=position, defaults={"organization_id": position.organization_id})
    return settings_row


@transaction.atomic
def scorecard_settings_update(*, actor: User, position: Position, scale_min: int, scale_max: int,
                              shareable_dimensions: list[str], request=None) -> ScorecardSettings:
    from hirelens.core.access import require_perm
    from hirelens.core.roles import Perm

    require_perm(actor, Perm.POSITIONS_MANAGE)
    if position.organization_id != actor.organization_id:
        raise PermissionDenied
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (scale_min, scale_max)):
        raise TypeError("scale_min and scale_max are whole numbers (the page's ScorecardSettingsForm reads them)")
    if not (0 <= scale_min < scale_max <= 100):
        raise ValidationError(_("评分范围无效。"))
    row = scorecard_settings_for(position)
    if Scorecard.objects.filter(position=position).exists() and (row.scale_min, row.scale_max) != (scale_min, scale_max):
        raise ValidationError(_("已有评分卡，不能再修改评分范围。"))
    row.scale_min, row.scale_max = scale_min, scale_max
    row.shareable_dimensions = [d for d in shareable_dimensions if d in (position.scorecard_dimensions or [])]
    row.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=row, fields=["scale", "shareable_dimensions"], request=request)
    return row


def _check_scorer(actor: User, application: Application, stage: Stage) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or application.organization_id != actor.organization_id:
        raise PermissionDenied
    if stage.pk not in {s.pk for s in application_stages(application)}:
        raise ValidationError(_("该环节不属于此申请的面试流程。"))
    if not stage_can_score(actor=actor, stage=stage):
        raise PermissionDenied


def _clean_ratings(*, ratings: dict, dimensions: list[str], scale_min: int, scale_max: int, complete: bool) -> dict[str, tuple[int, str]]:
    """``ratings``: {dimension: {"score": int | None, "reason": str}} (``None``: not scored; the pages' forms and the
    API's Schema read whole numbers). Returns {dimension: (score, reason)}."""
    errors, cleaned = {}, {}
    for name in dimensions:
        entry = ratings.get(name) or {}
        raw, reason = entry.get("score"), (entry.get("reason") or "").strip()
        if raw is None:
            if complete:
                errors[name] = _("请为“%(d)s”打分。") % {"d": name}
            continue
        if isinstance(raw, bool) or not isinstance(raw, int):
            errors[name] = _("“%(d)s”的分数必须是整数。") % {"d": name}
            continue
        score = raw
        if not scale_min <= score <= scale_max:
            errors[name] = _("“%(d)s”的分数必须在 %(lo)d 到 %(hi)d 之间。") % {"d": name, "lo": scale_min, "hi": scale_max}
            continue
        if complete and not reason:
            errors[name] = _("请填写“%(d)s”的评分理由。") % {"d": name}
            continue
        cleaned[name] = (score, reason[:4000])
    unknown = set(ratings) - set(dimensions)
    if unknown:
        errors["__all__"] = _("未知的评分维度：%(d)s") % {"d": "、".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)
    return cleaned


def item_stats_refresh(*, application_id: int, stage_id: int) -> None:
    """Copy the panel's count, sum, min and max per dimension onto every submitted rating of the stage."""
    from django.db.models import Count, Max, Min, Sum

    submitted = ScorecardRating.objects.filter(scorecard__application_id=application_id, scorecard__stage_id=stage_id,
                                               scorecard__status=Scorecard.Status.SUBMITTED)
    for row in submitted.values("dimension").annotate(n=Count("id"), s=Sum("score"), lo=Min("score"), hi=Max("score")).order_by():
        submitted.filter(dimension=row["dimension"]).update(item_n=row["n"], item_sum=row["s"], item_min=row["lo"], item_max=row["hi"])


def rating_month(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m") if when is not None else ""


def _card_for(*, actor: User, application: Application, stage: Stage) -> Scorecard:
    card = Scorecard.objects.select_for_update().filter(application=application, stage=stage, interviewer=actor).first()
    if card is None:
        scale = scorecard_settings_for(application.position)
        card = Scorecard.objects.create(organization_id=application.organization_id, application=application, stage=stage,
                                        position_id=application.position_id, interviewer=actor,
                                        scale_min=scale.scale_min, scale_max=scale.scale_max)
    return card


def _write(card: Scorecard, cleaned: dict[str, tuple[int, str]], *, submitted_at=None) -> None:
    department = card.application.position.department
    for name, (score, reason) in cleaned.items():
        ScorecardRating.objects.update_or_create(
            scorecard=card, dimension=name,
            defaults={"organization_id": card.organization_id, "score": score, "reason": reason, "position_id": card.position_id,
                      "department": department, "interviewer_id": card.interviewer_id, "submitted_at": submitted_at,
                      "month": rating_month(submitted_at), "application_id": card.application_id, "stage_id": card.stage_id,
                      "scale_max": card.scale_max})


@transaction.atomic
def scorecard_save_draft(*, actor: User, application: Application, stage: Stage, ratings: dict, recommendation: str = "",
                         summary: str = "") -> Scorecard:
    """Keep a partial card (reasons may still be missing). Refused once the card is submitted."""
    _check_scorer(actor, application, stage)
    card = _card_for(actor=actor, application=application, stage=stage)
    if card.is_locked:
        raise ValidationError(_("评分卡已提交并锁定；如需修改请使用“修订”。"))
    dimensions = list(application.position.scorecard_dimensions or [])
    cleaned = _clean_ratings(ratings=ratings, dimensions=dimensions, scale_min=card.scale_min, scale_max=card.scale_max, complete=False)
    _write(card, cleaned)
    card.recommendation = recommendation if recommendation in Scorecard.Recommendation.values else ""
    card.summary = (summary or "")[:4000]
    card.save(update_fields=["recommendation", "summary", "updated_at"])
    return card


@transaction.atomic
def scorecard_submit(*, actor: User, application: Application, stage: Stage, ratings: dict, recommendation: str = "",
                     summary: str = "", now: datetime | None = None, request=None) -> Scorecard:
    """Submit the card: every dimension scored on the scale with a reason; then it is locked."""
    now = now or timezone.now()
    _check_scorer(actor, application, stage)
    card = _card_for(actor=actor, application=application, stage=stage)
    if card.is_locked:
        raise ValidationError(_("评分卡已经提交过了，不能重复提交。"))
    dimensions = list(application.position.scorecard_dimensions or [])
    if not dimensions:
        raise ValidationError(_("该职位没有评分维度。"))
    cleaned = _clean_ratings(ratings=ratings, dimensions=dimensions, scale_min=card.scale_min, scale_max=card.scale_max, complete=True)
    _write(card, cleaned, submitted_at=now)
    card.ratings.exclude(dimension__in=dimensions).delete()
    card.recommendation = recommendation if recommendation in Scorecard.Recommendation.values else ""
    card.summary = (summary or "")[:4000]
    card.status, card.submitted_at = Scorecard.Status.SUBMITTED, now
    card.save(update_fields=["recommendation", "summary", "status", "submitted_at", "updated_at"])
    item_stats_refresh(application_id=application.pk, stage_id=stage.pk)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=card, fields=["ratings", "status"], request=request)
    timeline_add(candidate=application.candidate, kind="evaluation.scorecard_submitted", actor=actor,
                 params={"stage": stage.title, "position": application.position.title, "position_id": application.position_id})
    # feedback opens its case from this event (feedback/subscribers.py), in this transaction
    events.emit(events.ScorecardSubmitted(organization_id=application.organization_id, scorecard_id=card.pk,
                                          application_id=application.pk, stage_id=stage.pk, recommendation=card.recommendation))
    return card


@transaction.atomic
def scorecard_amend(*, actor: User, scorecard: Scorecard, dimension: str, score: int | None, reason: str, why: str,
                    request=None) -> ScorecardAmendment:
    """Change one dimension of a submitted card. Only its author, only with a reason; both values kept."""
    card = Scorecard.objects.select_for_update().select_related("application__position").get(pk=scorecard.pk)
    if actor is None or card.interviewer_id != actor.pk or card.organization_id != actor.organization_id:
        raise PermissionDenied
    if not card.is_locked:
        raise ValidationError(_("草稿可以直接修改，不需要修订。"))
    why = (why or "").strip()
    if not why:
        raise ValidationError({"why": _("请说明修订原因。")})
    cleaned = _clean_ratings(ratings={dimension: {"score": score, "reason": reason}}, dimensions=[dimension] if dimension in
                             {r.dimension for r in card.ratings.all()} else [], scale_min=card.scale_min,
                             scale_max=card.scale_max, complete=True)
    new_score, new_reason = cleaned[dimension]
    rating = card.ratings.get(dimension=dimension)
    if (rating.score, rating.reason) == (new_score, new_reason):
        raise ValidationError(_("没有任何修改。"))
    amendment = ScorecardAmendment.objects.create(organization_id=card.organization_id, scorecard=card, dimension=dimension,
                                                  old_score=rating.score, new_score=new_score, old_reason=rating.reason,
                                                  new_reason=new_reason, why=why[:2000], actor=actor)
    rating.score, rating.reason = new_score, new_reason
    rating.save(update_fields=["score", "reason", "updated_at"])
    item_stats_refresh(application_id=card.application_id, stage_id=card.stage_id)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=card, fields=[f"rating:{dimension}"], request=request)
    return amendment


# A reason "of substance": at least this many letters/digits, or this many Chinese characters, and not one
# character repeated. "x", "不合适" or "……" are not reasons.
MIN_REASON_CHARS = 10
MIN_REASON_CJK = 5

# Words that name what the AI analysis measures (not what a person observed). Without a human evaluation, a
# final decision whose reason cites any of them is refused: the AI is an aid, never the ground (S1).
# Matched case-insensitively; "AI" only as a word of its own, so "MAIL" or "Kaiser" do not count.
AI_SIGNAL_TERMS_ZH = ("微笑", "笑容", "皱眉", "表情", "语速", "视线", "眼神", "目光", "停顿", "口头禅", "情绪", "分数", "评分")
AI_SIGNAL_TERMS_EN = ("smile", "smiling", "frown", "speech rate", "speaking rate", "eye contact", "gaze", "look away",
                      "looking away", "facial expression", "filler word", "pause", "emotion", "score")
_AI_WORD = re.compile(r"(?<![a-z])ai(?![a-z])", re.IGNORECASE)

FINAL_OUTCOMES = {Decision.Outcome.REJECT, Decision.Outcome.HIRE}


def reason_is_substantive(text: str) -> bool:
    meaningful = [c for c in (text or "") if c.isalnum()]
    cjk = sum(1 for c in meaningful if "\u3400" <= c <= "\u9fff")
    if len(set(meaningful)) < 3:
        return False
    return len(meaningful) >= MIN_REASON_CHARS or cjk >= MIN_REASON_CJK


def reason_cites_ai_signals(text: str) -> bool:
    lowered = (text or "").lower()
    return bool(_AI_WORD.search(lowered)) or any(term in lowered for term in (*AI_SIGNAL_TERMS_ZH, *AI_SIGNAL_TERMS_EN))


def human_evaluations(application: Application) -> int:
    """Submitted scorecards plus stage results a person recorded with a written note (an interview note)."""
    from hirelens.workflows.models import StageResult

    cards = Scorecard.objects.filter(application=application, status=Scorecard.Status.SUBMITTED).count()
    notes = (StageResult.objects.filter(progress__application=application, recorded_by__isnull=False)
             .exclude(comment="").count())
    return cards + notes


def _substance_error(field: str, label: str) -> ValidationError:
    return ValidationError({field: _("%(what)s须写明具体理由（至少 %(n)d 个字或 %(cjk)d 个汉字，不能只有标点）。")
                            % {"what": label, "n": MIN_REASON_CHARS, "cjk": MIN_REASON_CJK}})


@transaction.atomic
def decision_record(*, actor: User, application: Application, outcome: str, rationale: str = "", next_steps: str = "",
                    stage: Stage | None = None, without_evaluation: bool = False, without_evaluation_reason: str = "",
                    now: datetime | None = None, request=None) -> Decision:
    """A person's decision on an application: the one road to 未通过 / rejected and to hired (S1).

    Every page and API that rejects or hires calls this. A final decision (reject, hire) needs a reason of
    substance and at least one human evaluation (a submitted scorecard or a stage result recorded with a
    note) — or ``without_evaluation`` with its own reason, which is kept on the decision and flagged in
    reports. Without a human evaluation, a reason that cites AI signals is refused.

    The pipeline (workflows) moves with it: advance → next stage, hold → on hold, reject → rejected,
    hire → completed (and the application hired). The ``decision.recorded`` event it emits makes feedback apply the
    stage's rule (result to the candidate within its deadline), so every decision opens exactly one feedback case.
    """
    now = now or timezone.now()
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied  # never a system/AI actor
    require_decision_right(actor)
    if application.organization_id != actor.organization_id:
        raise PermissionDenied
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("请选择决定。")})
    rationale = (rationale or "").strip()
    without_evaluation_reason = (without_evaluation_reason or "").strip() if without_evaluation else ""
    evaluations = human_evaluations(application)
    if outcome in FINAL_OUTCOMES:
        if not reason_is_substantive(rationale):
            raise _substance_error("rationale", _("决定"))
        if evaluations == 0:
            if reason_cites_ai_signals(rationale) or reason_cites_ai_signals(without_evaluation_reason):
                raise ValidationError({"rationale": _(
                    "理由只引用了 AI 分析（如微笑、语速、视线或 AI 分数），而且还没有任何人工评估。AI 只是辅助，"
                    "不能作为决定的依据：请先提交评分卡或记录面试意见，并写明面试官观察到的理由。")})
            if not without_evaluation:
                raise ValidationError({"without_evaluation": _(
                    "该申请还没有人工评估（评分卡或面试记录）。请先评估，或勾选“未经评估决定”并写明原因。")})
            if not reason_is_substantive(without_evaluation_reason):
                raise _substance_error("without_evaluation_reason", _("未经评估决定"))
        else:
            without_evaluation, without_evaluation_reason = False, ""
    else:
        without_evaluation, without_evaluation_reason = False, ""
    progress = ApplicationProgress.objects.filter(application=application).select_related("stage").first()
    if stage is None and progress is not None:
        stage = progress.stage
    if stage is not None and stage.pk not in {s.pk for s in application_stages(application)}:
        raise ValidationError(_("该环节不属于此申请的面试流程。"))
    considered = Scorecard.objects.filter(application=application, status=Scorecard.Status.SUBMITTED).count()
    decision = Decision.objects.create(organization_id=application.organization_id, application=application, stage=stage,
                                       outcome=outcome, rationale=rationale[:4000], next_steps=(next_steps or "").strip()[:2000],
                                       decided_by=actor, scorecards_considered=considered,
                                       without_evaluation=bool(without_evaluation),
                                       without_evaluation_reason=without_evaluation_reason[:2000])
    final_states = {ApplicationProgress.State.REJECTED, ApplicationProgress.State.WITHDRAWN}
    if progress is not None:
        from hirelens.workflows.services import pipeline

        reason = rationale or str(Decision.Outcome(outcome).label)
        if outcome == Decision.Outcome.ADVANCE and progress.state == ApplicationProgress.State.ACTIVE:
            pipeline.pipeline_advance(actor=actor, progress=progress, reason=reason)
        elif outcome == Decision.Outcome.HOLD and progress.state == ApplicationProgress.State.ACTIVE:
            pipeline.pipeline_hold(actor=actor, progress=progress, reason=reason)
        elif outcome == Decision.Outcome.REJECT and progress.state not in final_states:
            pipeline.pipeline_reject(actor=actor, progress=progress, reason=reason)
        elif outcome == Decision.Outcome.HIRE and progress.state not in final_states | {ApplicationProgress.State.COMPLETED}:
            pipeline.pipeline_complete(actor=actor, progress=progress, reason=reason)
    if outcome in FINAL_OUTCOMES:
        status = Application.Status.REJECTED if outcome == Decision.Outcome.REJECT else Application.Status.HIRED
        Application.objects.filter(pk=application.pk).update(status=status)
        application.status = status  # "hired" in the analytics funnel: recounted from decision.recorded below
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=decision,
                 fields=["outcome", "rationale", *(["without_evaluation"] if without_evaluation else [])], request=request)
    timeline_add(candidate=application.candidate, kind="evaluation.decision", actor=actor,
                 params={"outcome": outcome, "position": application.position.title, "position_id": application.position_id})
    # feedback sends the result from this event (feedback/subscribers.py) and analytics recounts the funnel, in this
    # transaction
    events.emit(events.DecisionRecorded(organization_id=application.organization_id, decision_id=decision.pk,
                                        application_id=application.pk, outcome=outcome, stage_id=getattr(stage, "pk", None),
                                        decided_at=now.isoformat()))
    return decision


@transaction.atomic
def fit_rule_save(*, actor: User, label: str, conditions: dict[str, float], order: int = 0):
    from hirelens.core.access import require_perm
    from hirelens.core.roles import Perm

    from .models import FitRule

    require_perm(actor, Perm.POSITIONS_MANAGE)
    label = (label or "").strip()
    if not label or not conditions:
        raise ValidationError(_("请填写适合方向和至少一个条件。"))
    try:
        conditions = {str(k).strip(): float(v) for k, v in conditions.items() if str(k).strip()}
    except (TypeError, ValueError):
        raise ValidationError(_("条件的分数必须是数字。")) from None
    return FitRule.objects.create(organization_id=actor.organization_id, label=label[:100], conditions=conditions, order=order)
