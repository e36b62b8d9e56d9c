"""Scorecards and decisions over the open API: the same access rules and services as the evaluation pages.

* Scorecards of an application are those ``access.visible_scorecards`` lets the caller read (their own, and the
  others' submitted cards once the blind rule allows); one card by ``access.access_scorecard``.
* Writing a card: ``access_stage_for_evaluation`` + ``stage_can_score`` (W2) as the scorecard page, then
  ``services.scorecard_submit`` (or ``scorecard_save_draft``), which enforce the scale, the reasons and the lock.
* Decisions: everyone who may see the application reads them (as on its evaluation page); recording one is
  ``services.decision_record`` — the one road to rejected and hired, with its rules on reasons and human evaluation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from hirelens.candidates.access import visible_applications
from hirelens.core.access import get_for_actor
from hirelens.core.apitools import cursor_page, with_etag
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent
from hirelens.workflows.access import stage_can_score

from . import services
from .access import access_application_for_evaluation, access_scorecard, access_stage_for_evaluation, visible_scorecards
from .models import Decision, Scorecard

API_PREFIX = "/evaluations/"
router = Router(tags=["evaluations"], auth=api_auth("evaluations"))

OUTCOMES = Literal[tuple(Decision.Outcome.values)]
OUTCOME_FILTER = Query(None, description="Only this outcome.")  # a module-level default (B008): the filter's type is a Literal
RECOMMENDATIONS = Literal[("", *Scorecard.Recommendation.values)]


class PersonOut(Schema):
    id: int
    name: str = Field(description="The person's full name (or e-mail when no name is set).")


class RatingOut(Schema):
    dimension: str = Field(description="The dimension (the position's scorecard dimensions).")
    score: int
    reason: str = Field(description="The interviewer's reason for the score.")


class AmendmentOut(Schema):
    dimension: str
    old_score: int
    new_score: int
    old_reason: str
    new_reason: str
    why: str = Field(description="Why the submitted card was changed.")
    by: str = Field(description="Who changed it, by name.")
    created_at: datetime


class ScorecardOut(Schema):
    id: int
    application_id: int
    candidate_id: int
    candidate_name: str = Field(description="The candidate's full name.")
    position_id: int
    position_title: str
    stage_id: int
    stage_title: str = Field(description="The process stage the card scores.")
    interviewer: PersonOut = Field(description="The card's author.")
    status: str = Field(description="draft (private to its author) or submitted (locked).")
    status_label: str = Field(description="The status in the caller's language.")
    recommendation: str = Field(description="strong_yes, yes, no, strong_no, or empty.")
    recommendation_label: str = Field(description="The recommendation in the caller's language; empty without one.")
    summary: str = Field(description="The overall comment.")
    scale_min: int = Field(description="The lowest score of the card's scale.")
    scale_max: int = Field(description="The highest score of the card's scale.")
    ratings: list[RatingOut]
    amendments: list[AmendmentOut] = Field(description="Changes made after submitting, oldest first.")
    submitted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ScorecardListOut(Schema):
    items: list[ScorecardOut]
    next: str | None = Field(None, description="Cursor of the next page (pass it as `cursor`); null on the last page.")


class RatingIn(Schema):
    dimension: str = Field(max_length=50, description="One of the position's scorecard dimensions.")
    score: int | None = Field(None, ge=0, le=100, description="A whole number on the card's scale (null: not scored, "
                                                              "drafts only).")
    reason: str = Field("", max_length=4000, description="Why this score (needed to submit).")


class ScorecardIn(Schema):
    ratings: list[RatingIn] = Field([], max_length=50, description="One entry per dimension.")
    recommendation: RECOMMENDATIONS = Field("", description="The overall recommendation (may be empty).")
    summary: str = Field("", max_length=4000, description="The overall comment.")
    draft: bool = Field(False, description="Keep as a private draft (reasons may be missing) instead of submitting; a "
                                           "submitted card is locked.")

    model_config = {"json_schema_extra": {"examples": [
        {"ratings": [{"dimension": "沟通能力", "score": 8, "reason": "表达清楚，举了具体的项目例子"},
                     {"dimension": "专业技能", "score": 7, "reason": "数据库索引的问题回答完整"}],
         "recommendation": "yes", "summary": "整体表现良好"}]}}


class DecisionOut(Schema):
    id: int
    application_id: int
    candidate_id: int
    candidate_name: str = Field(description="The candidate's full name.")
    position_id: int
    position_title: str
    stage_id: int | None = Field(None, description="The stage the application was at when decided.")
    stage_title: str = Field(description="That stage's title; empty without one.")
    outcome: str = Field(description="advance, hold, reject or hire.")
    outcome_label: str = Field(description="The outcome in the caller's language.")
    rationale: str = Field(description="The reason a person gave.")
    next_steps: str = Field(description="What the candidate is told comes next.")
    decided_by: PersonOut = Field(description="Who decided (always a person).")
    scorecards_considered: int = Field(description="Submitted scorecards when the decision was made.")
    without_evaluation: bool = Field(description="A final decision taken without any human evaluation (flagged in reports).")
    without_evaluation_reason: str
    created_at: datetime


class DecisionListOut(Schema):
    items: list[DecisionOut]
    next: str | None = Field(None, description="Cursor of the next page (pass it as `cursor`); null on the last page.")


class DecisionIn(Schema):
    outcome: OUTCOMES = Field(description="advance (next stage), hold, reject or hire.")
    rationale: str = Field("", max_length=4000, description="The reason; a final decision (reject, hire) needs one of "
                                                            "substance, and never AI signals alone.")
    next_steps: str = Field("", max_length=2000, description="What to tell the candidate comes next.")
    without_evaluation: bool = Field(False, description="Decide a final outcome although no person evaluated the "
                                                        "candidate yet (needs its own reason).")
    without_evaluation_reason: str = Field("", max_length=2000)

    model_config = {"json_schema_extra": {"examples": [
        {"outcome": "reject", "rationale": "两位面试官都认为其数据库设计经验不足以胜任该岗位", "next_steps": "感谢参与，我们会保留简历"},
        {"outcome": "advance", "rationale": "技术面试通过"}]}}


def _person(user) -> dict:
    return {"id": user.pk, "name": user.full_name or user.email}


def _card_out(card: Scorecard) -> dict:
    application = card.application
    return {"id": card.pk, "application_id": application.pk, "candidate_id": application.candidate_id,
            "candidate_name": application.candidate.full_name, "position_id": application.position_id,
            "position_title": application.position.title, "stage_id": card.stage_id, "stage_title": card.stage.title,
            "interviewer": _person(card.interviewer), "status": card.status, "status_label": str(card.get_status_display()),
            "recommendation": card.recommendation,
            "recommendation_label": str(card.get_recommendation_display()) if card.recommendation else "",
            "summary": card.summary, "scale_min": card.scale_min, "scale_max": card.scale_max,
            "ratings": [{"dimension": r.dimension, "score": r.score, "reason": r.reason} for r in card.ratings.all()],
            "amendments": [{"dimension": a.dimension, "old_score": a.old_score, "new_score": a.new_score,
                            "old_reason": a.old_reason, "new_reason": a.new_reason, "why": a.why, "by": _person(a.actor)["name"],
                            "created_at": a.created_at} for a in card.amendments.all()],
            "submitted_at": card.submitted_at, "created_at": card.created_at, "updated_at": card.updated_at}


def _decision_out(decision: Decision) -> dict:
    application = decision.application
    return {"id": decision.pk, "application_id": application.pk, "candidate_id": application.candidate_id,
            "candidate_name": application.candidate.full_name, "position_id": application.position_id,
            "position_title": application.position.title, "stage_id": decision.stage_id,
            "stage_title": decision.stage.title if decision.stage_id else "", "outcome": decision.outcome,
            "outcome_label": str(decision.get_outcome_display()), "rationale": decision.rationale,
            "next_steps": decision.next_steps, "decided_by": _person(decision.decided_by),
            "scorecards_considered": decision.scorecards_considered, "without_evaluation": decision.without_evaluation,
            "without_evaluation_reason": decision.without_evaluation_reason, "created_at": decision.created_at}


def _cards(qs):
    return qs.select_related("application__candidate", "application__position", "stage", "interviewer") \
        .prefetch_related("ratings", "amendments__actor")


def _visible_decisions(actor):
    """Decisions of the applications the caller may see: the evaluation page shows them to whoever opens it."""
    return (Decision.objects.filter(application__in=visible_applications(actor=actor).values("pk"))
            .select_related("application__candidate", "application__position", "stage", "decided_by"))


def _read(request, application) -> None:
    """The audit entry of the evaluation page (``views.application_detail``): a read naming the candidate."""
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=application.candidate, fields=["full_name"], request=request)


@router.get("/applications/{id:application_id}/scorecards", response=ScorecardListOut, summary="List an application's scorecards")
def scorecard_index(request, application_id: int,
                    stage: int | None = Query(None, ge=1, le=MAX_ID, description="Only this stage's cards."),
                    status: Literal["draft", "submitted"] | None = Query(None, description="Only cards in this status."),
                    interviewer: int | None = Query(None, ge=1, le=MAX_ID, description="Only this interviewer's cards (user id)."),
                    cursor: str = Query("", max_length=2000, description="`next` of the previous page."),
                    limit: int = Query(20, ge=1, le=100)):
    """The scorecards of one application the caller may read, newest first: their own (draft or submitted) and the
    other interviewers' submitted cards of the stages where the blind rule lets them (a panel member sees the others'
    cards of a stage only after submitting their own). Audited like the evaluation page."""
    application = access_application_for_evaluation(actor=request.user, application_id=application_id)
    qs = visible_scorecards(actor=request.user, application=application)
    if stage:
        qs = qs.filter(stage_id=stage)
    if status:
        qs = qs.filter(status=status)
    if interviewer:
        qs = qs.filter(interviewer_id=interviewer)
    page = cursor_page(_cards(qs), cursor=cursor, limit=limit, salt="evaluations.scorecards")
    _read(request, application)
    return {"items": [_card_out(card) for card in page.items], "next": page.next}


@router.get("/scorecards/{id:scorecard_id}", response=ScorecardOut, summary="Get a scorecard")
def scorecard_get(request, scorecard_id: int, response: HttpResponse):
    """One scorecard with its ratings, reasons and amendments, if the caller may read it (their own, or another's
    submitted card once the blind rule allows; otherwise 404, as for a missing one). Audited like the evaluation page."""
    card = access_scorecard(actor=request.user, scorecard_id=scorecard_id)
    card = _cards(Scorecard.objects.filter(pk=card.pk)).get()
    _read(request, card.application)
    with_etag(response, card)
    return _card_out(card)


@router.post("/applications/{id:application_id}/stages/{id:stage_id}/scorecard", response={200: ScorecardOut, 201: ScorecardOut},
             summary="Submit a scorecard")
def scorecard_submit(request, application_id: int, stage_id: int, payload: ScorecardIn, response: HttpResponse):
    """Submit the caller's scorecard for one stage of the application (201), or keep it as a draft with `draft: true`
    (200), as the scorecard page does: only people who may score the stage (W2: 403 otherwise); every dimension
    scored on the position's scale with a reason (422 otherwise); a submitted card is locked (422 on a second submit).
    With an `Idempotency-Key` header a retry answers the first answer."""
    application = access_application_for_evaluation(actor=request.user, application_id=application_id)
    stage = access_stage_for_evaluation(actor=request.user, application=application, stage_id=stage_id)
    if not stage_can_score(actor=request.user, stage=stage):
        raise PermissionDenied
    ratings = {r.dimension: {"score": r.score, "reason": r.reason} for r in payload.ratings}
    kwargs = {"actor": request.user, "application": application, "stage": stage, "ratings": ratings,
              "recommendation": payload.recommendation, "summary": payload.summary}

    def write():
        if payload.draft:
            card = services.scorecard_save_draft(**kwargs)
            return 200, _card_out(_cards(Scorecard.objects.filter(pk=card.pk)).get())
        card = services.scorecard_submit(**kwargs, request=request)
        return 201, _card_out(_cards(Scorecard.objects.filter(pk=card.pk)).get())

    status, body = idempotent(request, write)
    response["Location"] = f"{request.path.split('/applications/')[0]}/scorecards/{body['id']}"
    return status, body


@router.get("/decisions", response=DecisionListOut, summary="List decisions")
def decision_index(request, application: int | None = Query(None, ge=1, le=MAX_ID, description="Only this application's."),
                   position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's."),
                   candidate: int | None = Query(None, ge=1, le=MAX_ID, description="Only this candidate's."),
                   outcome: OUTCOMES | None = OUTCOME_FILTER,
                   without_evaluation: bool | None = Query(None, description="Only decisions taken without (true) or "
                                                                             "with (false) a human evaluation."),
                   cursor: str = Query("", max_length=2000, description="`next` of the previous page."),
                   limit: int = Query(20, ge=1, le=100)):
    """The decisions on applications the caller may see, newest first, with the candidate's name, the outcome and who
    decided. Audited like a list page (one entry naming the candidates shown)."""
    qs = _visible_decisions(request.user)
    if application:
        qs = qs.filter(application_id=application)
    if position:
        qs = qs.filter(application__position_id=position)
    if candidate:
        qs = qs.filter(application__candidate_id=candidate)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if without_evaluation is not None:
        qs = qs.filter(without_evaluation=without_evaluation)
    page = cursor_page(qs, cursor=cursor, limit=limit, salt="evaluations.decisions")
    audit_list_read(request=request, candidates=[d.application.candidate for d in page.items])
    return {"items": [_decision_out(d) for d in page.items], "next": page.next}


@router.get("/decisions/{id:decision_id}", response=DecisionOut, summary="Get a decision")
def decision_get(request, decision_id: int, response: HttpResponse):
    """One decision (404 when its application is not visible to the caller). Audited like the evaluation page."""
    decision = get_for_actor(_visible_decisions(request.user), actor=request.user, pk=decision_id)
    _read(request, decision.application)
    with_etag(response, decision)
    return _decision_out(decision)


@router.post("/applications/{id:application_id}/decisions", response={201: DecisionOut}, summary="Record a decision")
def decision_create(request, application_id: int, payload: DecisionIn, response: HttpResponse):
    """Record a person's decision on the application, as the evaluation page's 记录决定 does
    (`services.decision_record`, people with the decision right: 403 otherwise). The pipeline moves with it and the
    candidate's feedback is planned. A final decision (reject, hire) needs a reason of substance and a human evaluation
    (a submitted scorecard or an interview note), or `without_evaluation` with its own reason; a reason citing only AI
    signals is refused (422). With an `Idempotency-Key` header a retry answers the first answer."""
    application = access_application_for_evaluation(actor=request.user, application_id=application_id)

    def create():
        decision = services.decision_record(actor=request.user, application=application, outcome=payload.outcome,
                                            rationale=payload.rationale, next_steps=payload.next_steps,
                                            without_evaluation=payload.without_evaluation,
                                            without_evaluation_reason=payload.without_evaluation_reason, request=request)
        return 201, _decision_out(_visible_decisions(request.user).get(pk=decision.pk))

    status, body = idempotent(request, create)
    response["Location"] = f"{request.path.split('/applications/')[0]}/decisions/{body['id']}"
    return status, body
