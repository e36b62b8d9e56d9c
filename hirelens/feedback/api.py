"""Feedback within the deadline and satisfaction surveys over the open API: what the feedback page shows (the promise,
the cases, the survey results and suggestions) and what its rules page saves, through the same selectors and
services. Survey results keep the page's anonymity rule: a group under ``MIN_GROUP`` answers shows no figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from hirelens.core.access import get_for_actor, require_perm
from hirelens.core.apitools import MAX_LIMIT, cursor_page, etag_of
from hirelens.core.audit import audit_list_read
from hirelens.core.params import MAX_ID
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent
from hirelens.positions.access import access_position

from . import services
from .models import MIN_GROUP, FeedbackCase, FeedbackRule, SurveyResponse, SurveyRule
from .selectors import feedback_case_list, feedback_promise, survey_suggestions, survey_summary

API_PREFIX = "/feedback/"
router = Router(tags=["feedback"], auth=api_auth("feedback"))

DAYS = Query(30, ge=1, le=3650, description="The period: cases opened (answers given) in the last N days.")
POSITION = Query(None, ge=1, le=MAX_ID, description="Only this position (404 when the caller cannot see it).")
CASE_STATUS = Query(None, description="Only cases in this status.")


class FeedbackCaseOut(Schema):
    id: int
    application_id: int
    candidate_id: int
    candidate_name: str = Field(description="The candidate the promise is made to.")
    position_id: int
    position: str = Field(description="The position's title.")
    stage: str = Field(description="The stage's title (empty: the application as a whole).")
    opened_at: datetime = Field(description="When the clock started (the interview ended or was submitted).")
    due_at: datetime = Field(description="The promised deadline for a result.")
    status: str = Field(description="pending | updated (told 'still under review') | sent (result sent).")
    status_label: str = Field(description="The status in the caller's language.")
    kept: bool | None = Field(description="Result sent by the deadline (true), after it (false), no result yet (null).")
    overdue: bool = Field(description="No result yet and the deadline has passed.")
    update_sent_at: datetime | None
    result_sent_at: datetime | None
    decision_id: int | None = Field(description="The decision whose result was sent, if any.")


class FeedbackCaseList(Schema):
    items: list[FeedbackCaseOut]
    next: str | None = Field(description="Cursor of the next page (pass as ?cursor=); null on the last page.")


class PromiseOut(Schema):
    total: int = Field(description="Cases opened in the period.")
    kept: int = Field(description="Result sent by the deadline.")
    late: int = Field(description="Result sent after the deadline.")
    open_overdue: int = Field(description="No result yet, deadline passed.")
    pending: int = Field(description="No result yet, deadline still ahead.")
    kept_pct: float | None = Field(description="kept / (kept + late + open_overdue) in percent; null when none is decided.")


class Bucket(Schema):
    value: str = Field(description="The answer's code.")
    label: str = Field(description="The answer in the caller's language.")
    count: int


class SurveyResultsOut(Schema):
    total: int = Field(description="Answers in the period (months overlapping it: answers keep only their month).")
    too_few: bool = Field(description="Fewer than min_group answers: no figures are shown (they could point at a person).")
    min_group: int = Field(description="The smallest group whose figures are shown.")
    process_length: list[Bucket] = Field(description="How long the process felt; empty when too_few.")
    stability: list[Bucket] = Field(description="How stable the system felt; empty when too_few.")
    professionalism_mean: float | None = Field(description="Mean interviewer professionalism (1-5); null when too_few.")
    nps: float | None = Field(description="Net promoter score (-100..100); null when too_few.")


class SuggestionOut(Schema):
    rule_id: int
    metric: str
    metric_label: str = Field(description="What the rule measures, in the caller's language.")
    threshold_pct: int
    share_pct: float = Field(description="The share of answers that say so (over the threshold).")
    responses: int = Field(description="Answers in the group (at least the rule's minimum and min_group).")
    position_id: int | None = Field(description="The position of a per-position rule; null for the whole organization.")
    position: str
    suggestion: str = Field(description="What to do, in HR's words or the caller's language.")


class FeedbackRuleOut(Schema):
    id: int
    position_id: int | None = Field(description="Null: every position.")
    position: str
    stage_key: str = Field(description="The stage key (stable across process versions); empty: every stage.")
    deadline_hours: int
    update_before_hours: int = Field(description="Send 'still under review' this many hours before the deadline.")
    share_scores: bool = Field(description="Tell the candidate the shareable scores with the result.")
    next_steps_advance: str
    next_steps_hold: str
    next_steps_reject: str
    send_survey: bool


class SurveyRuleOut(Schema):
    id: int
    metric: str
    metric_label: str
    threshold_pct: int
    min_responses: int
    per_position: bool
    suggestion: str
    is_active: bool


class RulesOut(Schema):
    feedback_rules: list[FeedbackRuleOut]
    survey_rules: list[SurveyRuleOut]


class FeedbackRuleIn(Schema):
    position_id: int | None = Field(None, ge=1, le=MAX_ID, description="Null: the organization's rule for every position.")
    stage_key: str = Field("", max_length=32, description="Empty: every stage.")
    deadline_hours: int = Field(24, ge=0, le=100000, description="1 hour to 14 days (the service refuses others: 422).")
    update_before_hours: int = Field(2, ge=0, le=100000, description="Less than deadline_hours.")
    share_scores: bool = True
    next_steps_advance: str = Field("", max_length=2000)
    next_steps_hold: str = Field("", max_length=2000)
    next_steps_reject: str = Field("", max_length=2000)
    send_survey: bool = True

    model_config = {"json_schema_extra": {"examples": [{
        "position_id": None, "stage_key": "", "deadline_hours": 24, "update_before_hours": 2, "share_scores": True,
        "next_steps_advance": "HR 会在两个工作日内联系您安排下一轮。", "next_steps_hold": "", "next_steps_reject": "",
        "send_survey": True}]}}


class SurveyRuleIn(Schema):
    metric: str = Field(description="too_long | unstable | low_professionalism | detractors")
    threshold_pct: int = Field(ge=0, le=1000, description="1..100: suggest when the share is strictly over it.")
    min_responses: int = Field(5, ge=0, le=10000, description="At least 1; groups under min_group never count.")
    per_position: bool = True
    suggestion: str = Field(max_length=300, description="What HR should do, shown when the rule fires.")

    model_config = {"json_schema_extra": {"examples": [{
        "metric": "detractors", "threshold_pct": 40, "min_responses": 10, "per_position": True,
        "suggestion": "检查该职位的面试安排和面试官培训。"}]}}


def _case_out(case: FeedbackCase, now: datetime) -> dict:
    candidate = case.application.candidate
    return {"id": case.pk, "application_id": case.application_id, "candidate_id": candidate.pk, "candidate_name": candidate.full_name,
            "position_id": case.position_id, "position": case.position.title, "stage": case.stage.title if case.stage else "",
            "opened_at": case.opened_at, "due_at": case.due_at, "status": case.status, "status_label": str(case.get_status_display()),
            "kept": case.kept, "overdue": case.result_sent_at is None and case.due_at < now,
            "update_sent_at": case.update_sent_at, "result_sent_at": case.result_sent_at, "decision_id": case.decision_id}


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _position_id(request, position: int | None) -> int | None:
    if position is not None:
        access_position(actor=request.user, position_id=position)
    return position


@router.get("/cases", response=FeedbackCaseList, summary="List feedback cases")
def case_list(request, days: int = DAYS, position: int | None = POSITION,
              status: FeedbackCase.Status | None = CASE_STATUS,
              late: bool = Query(False, description="Only cases whose result came late or is overdue (the page's list)."),
              cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=MAX_LIMIT)):
    """The promises "you hear from us within N hours" opened in the period, newest first, with the candidate's name,
    the deadline and whether it was kept (a "still under review" update does not keep it). Needs the messaging view
    right, like the feedback page; the names shown are audited as a list read."""
    require_perm(request.user, Perm.MESSAGING_VIEW)
    qs = feedback_case_list(actor=request.user, since=_since(days), position_id=_position_id(request, position))
    now = timezone.now()
    if status:
        qs = qs.filter(status=status)
    if late:
        from django.db.models import F, Q

        qs = qs.filter(Q(result_sent_at__gt=F("due_at")) | Q(result_sent_at__isnull=True, due_at__lt=now))
    page = cursor_page(qs, cursor=cursor, limit=limit, order="-opened_at", salt="feedback.cases")
    audit_list_read(request=request, candidates=[c.application.candidate for c in page.items])
    return {"items": [_case_out(c, now) for c in page.items], "next": page.next}


@router.get("/cases/{id:case_id}", response=FeedbackCaseOut, summary="Get one feedback case")
def case_get(request, case_id: int, response: HttpResponse):
    """One promise with its deadline and what was sent. The answer carries an ``ETag``. A case the caller may not see
    (another organization, a position they cannot see, or no right to the feedback page) is the same 404."""
    case = get_for_actor(feedback_case_list(actor=request.user), actor=request.user, pk=case_id)
    audit_list_read(request=request, candidates=[case.application.candidate])
    response["ETag"] = etag_of(case)
    return _case_out(case, timezone.now())


@router.get("/promise", response=PromiseOut, summary="The feedback promise figures")
def promise(request, days: int = DAYS, position: int | None = POSITION):
    """The feedback page's promise tile: how many results went out by the deadline, late, or are overdue."""
    require_perm(request.user, Perm.MESSAGING_VIEW)
    figures, _late = feedback_promise(actor=request.user, since=_since(days), position_id=_position_id(request, position))
    return {"total": figures.total, "kept": figures.kept, "late": figures.late, "open_overdue": figures.open_overdue,
            "pending": figures.pending, "kept_pct": figures.kept_pct}


@router.get("/surveys/results", response=SurveyResultsOut, summary="Satisfaction survey results")
def survey_results(request, days: int = Query(90, ge=1, le=3650, description="Answers of the months overlapping the last N days."),
                   position: int | None = POSITION):
    """The survey figures the feedback page shows. Anonymous: answers keep only their month and position, and a group
    of fewer than ``min_group`` answers shows no figures at all (``too_few``), for a position filter too."""
    require_perm(request.user, Perm.MESSAGING_VIEW)
    data = survey_summary(actor=request.user, since=_since(days), position_id=_position_id(request, position))

    def buckets(rows, choices):
        return [{"value": value, "label": str(label), "count": count} for (value, _l), (label, count) in zip(choices, rows)]
    return {"total": data["total"], "too_few": data["too_few"], "min_group": MIN_GROUP,
            "process_length": buckets(data["length"], SurveyResponse.Length.choices),
            "stability": buckets(data["stability"], SurveyResponse.Stability.choices),
            "professionalism_mean": data["professionalism_mean"], "nps": data["nps"]}


@router.get("/surveys/suggestions", response=list[SuggestionOut], summary="Suggestions from the survey rules")
def suggestions(request):
    """Every active survey rule whose share is over its threshold in the last 90 days, with enough answers (never
    a group under ``min_group``), as on the feedback page."""
    require_perm(request.user, Perm.MESSAGING_VIEW)
    return [{"rule_id": s.rule.pk, "metric": s.rule.metric, "metric_label": str(s.rule.get_metric_display()),
             "threshold_pct": s.rule.threshold_pct, "share_pct": s.share_pct, "responses": s.responses,
             "position_id": s.position.pk if s.position else None, "position": s.position.title if s.position else "",
             "suggestion": s.rule.suggestion_text} for s in survey_suggestions(actor=request.user)]


def _rule_out(rule: FeedbackRule) -> dict:
    return {"id": rule.pk, "position_id": rule.position_id, "position": rule.position.title if rule.position_id else "",
            "stage_key": rule.stage_key, "deadline_hours": rule.deadline_hours, "update_before_hours": rule.update_before_hours,
            "share_scores": rule.share_scores, "next_steps_advance": rule.next_steps_advance,
            "next_steps_hold": rule.next_steps_hold, "next_steps_reject": rule.next_steps_reject, "send_survey": rule.send_survey}


def _survey_rule_out(rule: SurveyRule) -> dict:
    return {"id": rule.pk, "metric": rule.metric, "metric_label": str(rule.get_metric_display()), "threshold_pct": rule.threshold_pct,
            "min_responses": rule.min_responses, "per_position": rule.per_position, "suggestion": rule.suggestion_text,
            "is_active": rule.is_active}


@router.get("/rules", response=RulesOut, summary="Feedback and survey rules")
def rules(request):
    """The rules page: deadlines and next steps per position and stage, and the survey rules (HR admins, the
    messaging configuration right)."""
    require_perm(request.user, Perm.MESSAGING_CONFIGURE)
    services.survey_rules_ensure(organization_id=request.user.organization_id)
    org_id = request.user.organization_id
    return {"feedback_rules": [_rule_out(r) for r in FeedbackRule.objects.filter(organization_id=org_id).select_related("position")],
            "survey_rules": [_survey_rule_out(r) for r in SurveyRule.objects.filter(organization_id=org_id)]}


@router.post("/rules", response={200: FeedbackRuleOut, 201: FeedbackRuleOut}, summary="Save a feedback rule")
def rule_save(request, payload: FeedbackRuleIn):
    """Set the deadline, next steps and survey switch for a position and stage (or the organization's default). There
    is one rule per position and stage: saving again replaces it. ``Idempotency-Key`` is honoured."""
    position = access_position(actor=request.user, position_id=payload.position_id) if payload.position_id else None

    def save():
        existed = FeedbackRule.objects.filter(organization_id=request.user.organization_id, position=position,
                                              stage_key=payload.stage_key).exists()
        rule = services.feedback_rule_save(actor=request.user, position=position, stage_key=payload.stage_key,
                                           deadline_hours=payload.deadline_hours, update_before_hours=payload.update_before_hours,
                                           share_scores=payload.share_scores, next_steps_advance=payload.next_steps_advance,
                                           next_steps_hold=payload.next_steps_hold, next_steps_reject=payload.next_steps_reject,
                                           send_survey=payload.send_survey, request=request)
        return (200 if existed else 201), _rule_out(rule)
    return idempotent(request, save)


@router.post("/survey-rules", response={201: SurveyRuleOut}, summary="Add a survey rule")
def survey_rule_create(request, payload: SurveyRuleIn):
    """Add a rule "over X % of answers say Y → suggest Z" (HR admins). ``Idempotency-Key`` is honoured."""
    return idempotent(request, lambda: (201, _survey_rule_out(services.survey_rule_save(
        actor=request.user, metric=payload.metric, threshold_pct=payload.threshold_pct, suggestion=payload.suggestion,
        min_responses=payload.min_responses, per_position=payload.per_position, request=request))))
