"""Feedback within the deadline (V2) and satisfaction surveys with their rules (V3).

Time is always passed in (``now=``), so deadlines and expiry are tested with a clock the test controls;
the periodic task passes ``timezone.now()``. Messages go through ``hirelens.messaging.services.message_send``
with idempotency keys, so a retried tick never sends twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hirelens.core import tokens
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.forms import model_update
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from .models import SURVEY_LINK, FeedbackCase, FeedbackRule, Survey, SurveyResponse, SurveyRule

SURVEY_VALID_DAYS = 7


def rule_for(*, application, stage_key: str) -> FeedbackRule:
    """The most specific rule: position + stage, position, stage, organization; else the built-in default."""
    rules = FeedbackRule.objects.filter(organization_id=application.organization_id)
    for position_id, key in ((application.position_id, stage_key), (application.position_id, ""), (None, stage_key), (None, "")):
        rule = rules.filter(position_id=position_id, stage_key=key).first()
        if rule is not None:
            return rule
    return FeedbackRule(organization_id=application.organization_id, deadline_hours=24, update_before_hours=2)


@transaction.atomic
def feedback_rule_save(*, actor, position=None, stage_key: str = "", deadline_hours: int = 24, update_before_hours: int = 2,
                       share_scores: bool = True, next_steps_advance: str = "", next_steps_hold: str = "",
                       next_steps_reject: str = "", send_survey: bool = True, request=None) -> FeedbackRule:
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    if position is not None and position.organization_id != actor.organization_id:
        raise PermissionDenied
    if not 1 <= deadline_hours <= 24 * 14 or not 0 <= update_before_hours < deadline_hours:
        raise ValidationError(_("反馈时限须在 1 小时到 14 天之间，且提前发送时间小于时限。"))
    values = {"deadline_hours": deadline_hours, "update_before_hours": update_before_hours, "share_scores": share_scores,
              "next_steps_advance": next_steps_advance.strip(), "next_steps_hold": next_steps_hold.strip(),
              "next_steps_reject": next_steps_reject.strip(), "send_survey": send_survey}
    rule = (FeedbackRule.objects.select_for_update()
            .filter(organization_id=actor.organization_id, position=position, stage_key=stage_key or "").first())
    if rule is None:
        rule = FeedbackRule(organization_id=actor.organization_id, position=position, stage_key=stage_key or "", **values)
        rule.full_clean()
        rule.save()
    else:  # one rule per position and stage: saving again changes what differs
        model_update(instance=rule, fields=list(values), data=values)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=rule, fields=["feedback_rule"], request=request)
    return rule


@transaction.atomic
def feedback_case_open(*, application, stage=None, opened_at: datetime) -> FeedbackCase:
    """Start the clock for one application and stage (idempotent: the first opening counts)."""
    stage_key = stage.key if stage is not None else ""
    case = FeedbackCase.objects.filter(application=application, stage_key=stage_key).first()
    if case is not None:
        return case
    rule = rule_for(application=application, stage_key=stage_key)
    case = FeedbackCase.objects.create(organization_id=application.organization_id, application=application, stage=stage,
                                       stage_key=stage_key, position_id=application.position_id, opened_at=opened_at,
                                       due_at=opened_at + timedelta(hours=rule.deadline_hours))
    if rule.send_survey:
        survey_send(application=application, stage_key=stage_key, now=opened_at)
    return case


def _shareable_scores(application) -> str:
    from hirelens.evaluations.models import ScorecardRating
    from hirelens.evaluations.services import scorecard_settings_for

    shareable = scorecard_settings_for(application.position).shareable_dimensions
    if not shareable:
        return ""
    rows = {}
    for rating in ScorecardRating.objects.filter(scorecard__application=application, scorecard__status="submitted",
                                                 dimension__in=shareable):
        rows.setdefault(rating.dimension, []).append((rating.score, rating.scale_max))
    parts = [f"{dim} {sum(s for s, _m in vals) / len(vals):.1f}/{vals[0][1]}" for dim, vals in rows.items()]
    return "；".join(parts)


def _send(case: FeedbackCase, *, key: str, result: str, next_steps: str) -> int:
    from hirelens.messaging.services import message_send

    application = case.application
    message = message_send(organization_id=case.organization_id, kind="result", candidate=application.candidate,
                           variables={"position": application.position.title, "result": result, "next_steps": next_steps},
                           subject_type="feedback.case", subject_id=case.pk, idempotency_key=f"feedback:{case.pk}:{key}")
    return message.pk


@transaction.atomic
def feedback_on_decision(*, decision, now: datetime) -> FeedbackCase:
    """Send the result of a person's decision (with the shareable scores and next steps) at once."""
    from hirelens.evaluations.models import Decision

    application = decision.application
    case = feedback_case_open(application=application, stage=decision.stage, opened_at=now)
    case = FeedbackCase.objects.select_for_update().get(pk=case.pk)
    if case.result_sent_at is not None and case.decision_id == decision.pk:
        return case
    if decision.outcome == Decision.Outcome.HOLD and case.result_sent_at is not None:
        return case  # never "still under review" after the candidate has had a result
    rule = rule_for(application=application, stage_key=case.stage_key)
    language = application.organization.default_language
    with override(language):
        result = {
            Decision.Outcome.ADVANCE: _("恭喜，您已通过本轮面试，将进入下一轮。"),
            Decision.Outcome.HOLD: _("您的面试结果仍在评估中，我们会尽快告知。"),
            Decision.Outcome.REJECT: _("感谢您的参与，很遗憾您本次未能通过。"),
            Decision.Outcome.HIRE: _("恭喜，您已被录用，我们会尽快与您联系入职事宜。"),
        }[decision.outcome]
        scores = _shareable_scores(application) if rule.share_scores and decision.outcome != Decision.Outcome.HOLD else ""
        if scores:
            result += " " + _("您的评分：%(scores)s") % {"scores": scores}
        if decision.outcome != Decision.Outcome.HOLD:  # how to ask for a person to look again (issue 20, GDPR Art. 22)
            from hirelens.interviews.choice import review_link

            result += " " + _("如对本决定有疑问，可申请人工复核：%(link)s") % {"link": review_link(application)}
    next_steps = decision.next_steps or {
        Decision.Outcome.ADVANCE: rule.next_steps_advance, Decision.Outcome.HOLD: rule.next_steps_hold,
        Decision.Outcome.REJECT: rule.next_steps_reject, Decision.Outcome.HIRE: ""}[decision.outcome]
    message_id = _send(case, key=f"decision:{decision.pk}", result=result, next_steps=next_steps)
    case.decision = decision
    if decision.outcome == Decision.Outcome.HOLD:  # an update, not the kept promise
        case.update_sent_at = case.update_sent_at or now
        case.status = FeedbackCase.Status.UPDATED
    else:
        case.result_sent_at, case.status = now, FeedbackCase.Status.SENT
    case.first_sent_at = case.first_sent_at or now
    case.message_ids = [*case.message_ids, message_id]
    case.save()
    return case


def feedback_tick(*, now: datetime | None = None) -> dict:
    """The clock's part: open cases for scheduled interviews whose end has passed, and send "still under review"
    before a deadline is missed. Scorecards, decisions and submitted AI interviews open their cases through events
    (subscribers.py)."""
    now = now or timezone.now()
    opened = _discover_ended_interviews(now=now)
    updated = 0
    due_cases = FeedbackCase.objects.filter(status=FeedbackCase.Status.PENDING, first_sent_at__isnull=True,
                                            result_sent_at__isnull=True, due_at__lte=now + timedelta(hours=48)).select_related("application__position")
    for case in due_cases.iterator():
        rule = rule_for(application=case.application, stage_key=case.stage_key)
        if now < case.due_at - timedelta(hours=rule.update_before_hours):
            continue
        with transaction.atomic():
            locked = FeedbackCase.objects.select_for_update().get(pk=case.pk)
            if locked.first_sent_at is not None or locked.result_sent_at is not None:
                continue
            with override(case.application.organization.default_language):
                text = _("您的面试结果仍在评估中，我们会尽快告知。")
                steps = rule.next_steps_hold
            message_id = _send(locked, key="update", result=text, next_steps=steps)
            locked.status, locked.update_sent_at, locked.first_sent_at = FeedbackCase.Status.UPDATED, now, now
            locked.message_ids = [*locked.message_ids, message_id]
            locked.save()
            updated += 1
    return {"opened": opened, "updated": updated}


def _discover_ended_interviews(*, now: datetime) -> int:
    """Scheduled interviews whose end time passed open their case (once): an end time is the clock's, no event's."""
    from hirelens.scheduling.models import Interview

    count = 0
    since = now - timedelta(days=3)
    interviews = (Interview.objects.filter(end_at__gte=since, end_at__lte=now).exclude(status=Interview.Status.CANCELLED)
                  .select_related("application__position", "application__organization", "stage"))
    for interview in interviews.iterator():
        key = interview.stage.key if interview.stage else ""
        if not FeedbackCase.objects.filter(application=interview.application, stage_key=key).exists():
            feedback_case_open(application=interview.application, stage=interview.stage, opened_at=interview.end_at)
            count += 1
    return count


# --- Surveys ----------------------------------------------------------------------------------------

_hash = tokens.token_hash  # the stored form of a survey link's token (the demo builds answered surveys with it)


def survey_url(token: str) -> str:
    return absolute_url(reverse("feedback:survey", args=[token]))


@transaction.atomic
def survey_send(*, application, stage_key: str = "", now: datetime) -> tuple[Survey, str]:
    """Create the one-time link and send it (WeChat or e-mail through messaging). Idempotent per stage."""
    existing = Survey.objects.filter(application=application, stage_key=stage_key).first()
    if existing is not None:
        return existing, ""
    survey = Survey(organization_id=application.organization_id, application=application, stage_key=stage_key,
                    position_id=application.position_id, expires_at=now + timedelta(days=SURVEY_VALID_DAYS), sent_at=now)
    token = tokens.mint(SURVEY_LINK, survey)
    from hirelens.messaging.services import message_send

    message_send(organization_id=application.organization_id, kind="survey", candidate=application.candidate,
                 variables={"position": application.position.title, "survey_link": survey_url(token)},
                 subject_type="feedback.survey", subject_id=survey.pk, idempotency_key=f"survey:{survey.pk}")
    return survey, token


class SurveyClosed(Exception):
    """The link was already used or has expired (shown as such; nothing is stored)."""

    def __init__(self, reason: str, survey: Survey | None = None):
        super().__init__(reason)
        self.reason = reason  # "answered" | "expired" | "unknown"
        self.survey = survey  # the survey an answered link was for (its page still offers the help desk), else None


def survey_by_token(token: str, *, now: datetime | None = None) -> Survey:
    try:
        return tokens.resolve(SURVEY_LINK, token, now=now)
    except tokens.LinkDead as dead:
        reason = {tokens.USED: "answered", tokens.EXPIRED: "expired"}.get(dead.status, "unknown")
        raise SurveyClosed(reason, dead.target if reason == "answered" else None) from None


@transaction.atomic
def survey_submit(*, token: str, process_length: str, stability: str, professionalism: int, nps: int, comment: str = "",
                  now: datetime | None = None) -> SurveyResponse:
    """Typed answers (``forms.SurveyAnswerForm`` on the page), checked again here: a direct call stays safe."""
    now = now or timezone.now()
    survey = survey_by_token(token, now=now)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.answered:
        raise SurveyClosed("answered", survey)
    errors = {}
    if process_length not in SurveyResponse.Length.values:
        errors["process_length"] = _("请选择流程时长的感受。")
    if stability not in SurveyResponse.Stability.values:
        errors["stability"] = _("请选择系统稳定性的感受。")
    if not (isinstance(professionalism, int) and 1 <= professionalism <= 5):
        errors["professionalism"] = _("面试官专业程度请选 1 到 5 分。")
    if not (isinstance(nps, int) and 0 <= nps <= 10):
        errors["nps"] = _("推荐意愿请选 0 到 10 分。")
    if errors:
        raise ValidationError(errors)
    # Anonymous in fact (issue 20): the answer keeps no link to the survey or the application, and no time finer than
    # its month (its own row times are set to the month's start, so they cannot be matched with the survey's).
    period = now.date().replace(day=1)
    response = SurveyResponse.objects.create(organization_id=survey.organization_id, position_id=survey.position_id,
                                             stage_key=survey.stage_key, period=period, process_length=process_length,
                                             stability=stability, professionalism=professionalism, nps=nps,
                                             comment=(comment or "").strip()[:2000])
    month_start = datetime.combine(period, datetime.min.time(), tzinfo=UTC)
    SurveyResponse.objects.filter(pk=response.pk).update(created_at=month_start, updated_at=month_start)
    # the flag only (an UPDATE that leaves the survey's own times alone): no reminder goes out again
    Survey.objects.filter(pk=survey.pk).update(answered=True)
    return response


DEFAULT_SURVEY_RULES = [
    # (metric, threshold %, per position, suggestion code: SurveyRule.SUGGESTIONS writes it in the reader's language)
    (SurveyRule.Metric.TOO_LONG, 50, True, "shorten_ai_rounds"),
    (SurveyRule.Metric.UNSTABLE, 30, False, "check_system"),
]


def survey_rules_ensure(*, organization_id: int) -> None:
    if SurveyRule.objects.filter(organization_id=organization_id).exists():
        return
    for metric, threshold, per_position, code in DEFAULT_SURVEY_RULES:
        SurveyRule.objects.create(organization_id=organization_id, metric=metric, threshold_pct=threshold,
                                  per_position=per_position, suggestion_code=code)


@transaction.atomic
def survey_rule_save(*, actor, metric: str, threshold_pct: int, suggestion: str, min_responses: int = 5,
                     per_position: bool = True, request=None) -> SurveyRule:
    """Typed values (``forms.SurveyRuleForm`` on the page, the schema in the API); the ranges are checked here too."""
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    if metric not in SurveyRule.Metric.values:
        raise ValidationError({"metric": _("请选择指标。")})
    if not 1 <= threshold_pct <= 100 or not 1 <= min_responses <= 10000:
        raise ValidationError(_("阈值须在 1% 到 100% 之间，最少答卷数至少为 1。"))
    suggestion = (suggestion or "").strip()
    if not suggestion:
        raise ValidationError({"suggestion": _("请填写建议。")})
    survey_rules_ensure(organization_id=actor.organization_id)
    rule = SurveyRule.objects.create(organization_id=actor.organization_id, metric=metric, threshold_pct=threshold_pct,
                                     min_responses=min_responses, per_position=per_position, suggestion=suggestion[:300])
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=rule, fields=["survey_rule"], request=request)
    return rule
