"""Live interviews and slots over the open API: the same selectors, access rule and services as the scheduling pages.

Reading follows ``visible_interviews`` / ``visible_slots`` (HR: the organization's; the panel: their positions').
Scheduling, rescheduling, cancelling and offering slots need ``Perm.POSITIONS_MANAGE`` (checked by the services in
``scheduling/services.py``, which also check conflicts, availability and the past). Times: ISO 8601; a time without
an offset is the wall-clock time in ``time_zone`` (the position's zone when omitted), read by the pages' own
``scheduling.forms.WindowForm`` (a malformed time, an unknown zone or a skipped local time: 422 naming the field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hirelens.candidates.access import access_application
from hirelens.core.access import require_perm, tenant_queryset
from hirelens.core.apitools import check_if_match, cursor_page, with_etag
from hirelens.core.audit import audit_list_read
from hirelens.core.forms import form_errors
from hirelens.core.params import MAX_ID
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent
from hirelens.positions.access import access_position

from . import selectors, services
from .access import access_interview, access_slot
from .forms import WindowForm
from .models import Interview, InterviewSlot

API_PREFIX = "/scheduling/"
router = Router(tags=["scheduling"], auth=api_auth("scheduling"))


class SchedulePersonOut(Schema):
    id: int
    name: str


class InterviewOut(Schema):
    id: int
    application_id: int
    candidate_id: int
    candidate_name: str
    position_id: int
    position_title: str
    stage_id: int | None
    stage_title: str | None = Field(None, description="The process stage the interview is for, if any.")
    title: str = Field(description="The interview's title in the caller's language.")
    start_at: datetime
    end_at: datetime
    time_zone: str = Field(description="The IANA zone it was planned in (the position's, unless chosen).")
    status: str = Field(description="scheduled, cancelled or completed.")
    status_label: str = Field(description="The status in the caller's language.")
    sequence: int = Field(description="iCalendar SEQUENCE: +1 on every change sent to calendars.")
    cancel_reason: str
    interviewers: list[SchedulePersonOut]
    interviewer_ids: list[int]


class InterviewListOut(Schema):
    items: list[InterviewOut]
    next: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last page.")


class SlotOut(Schema):
    id: int
    position_id: int
    stage_id: int | None
    application_id: int | None = Field(None, description="Offered to this application only; null: to any candidate of "
                                                         "the position.")
    candidate_name: str | None = Field(None, description="The candidate it is offered to, when offered to one.")
    start_at: datetime
    end_at: datetime
    time_zone: str
    status: str = Field(description="open, booked or cancelled.")
    status_label: str
    interviewers: list[SchedulePersonOut]


class SlotListOut(Schema):
    items: list[SlotOut]
    next: str | None = None


WHEN = {"start": "2026-12-10T14:00", "end": "2026-12-10T15:00", "time_zone": "Asia/Shanghai"}


class InterviewIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"application_id": 42, **WHEN, "interviewer_ids": [7, 9],
                                                        "stage_id": 15, "title": "技术复试"}]}}

    application_id: int = Field(ge=1, le=MAX_ID)
    start: str = Field(max_length=40, description="ISO 8601; without an offset, wall-clock time in `time_zone`.")
    end: str = Field(max_length=40)
    time_zone: str = Field("", max_length=64, description="IANA name; omit for the position's zone.")
    interviewer_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(max_length=20, description="Active members of the organization.")
    stage_id: int | None = Field(None, ge=1, le=MAX_ID, description="A stage of the position's active process.")
    title: str = Field("", max_length=200, description="Omit for 面试 · <position>.")


class RescheduleIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{**WHEN, "reason": "面试官出差，改到下午"}]}}

    start: str = Field(max_length=40)
    end: str = Field(max_length=40)
    time_zone: str = Field("", max_length=64, description="Omit to keep the interview's zone.")
    reason: str = Field("", max_length=2000, description="Told to the attendees with the new time.")


class CancelIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"reason": "候选人已接受其他工作机会"}]}}

    reason: str = Field(max_length=2000, description="Required.")


class SlotIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"position_id": 12, **WHEN, "interviewer_ids": [7]}]}}

    position_id: int = Field(ge=1, le=MAX_ID)
    start: str = Field(max_length=40)
    end: str = Field(max_length=40)
    time_zone: str = Field("", max_length=64)
    interviewer_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(max_length=20)
    stage_id: int | None = Field(None, ge=1, le=MAX_ID)
    application_id: int | None = Field(None, ge=1, le=MAX_ID, description="Offer it to this application only.")


def _people(users) -> list[dict]:
    return [{"id": u.pk, "name": u.full_name} for u in users]


def _out(i: Interview) -> dict:
    people = sorted(i.interviewers.all(), key=lambda u: u.pk)
    return {"id": i.pk, "application_id": i.application_id, "candidate_id": i.application.candidate_id,
            "candidate_name": i.application.candidate.full_name, "position_id": i.application.position_id,
            "position_title": i.application.position.title, "stage_id": i.stage_id,
            "stage_title": i.stage.title if i.stage_id else None, "title": i.display_title, "start_at": i.start_at,
            "end_at": i.end_at, "time_zone": i.time_zone, "status": i.status, "status_label": str(i.get_status_display()),
            "sequence": i.sequence, "cancel_reason": i.cancel_reason, "interviewers": _people(people),
            "interviewer_ids": [u.pk for u in people]}


def _slot_out(s: InterviewSlot) -> dict:
    return {"id": s.pk, "position_id": s.position_id, "stage_id": s.stage_id, "application_id": s.application_id,
            "candidate_name": s.application.candidate.full_name if s.application_id else None, "start_at": s.start_at,
            "end_at": s.end_at, "time_zone": s.time_zone, "status": s.status, "status_label": str(s.get_status_display()),
            "interviewers": _people(sorted(s.interviewers.all(), key=lambda u: u.pk))}


def _members(actor, ids: list[int]) -> list:
    """The chosen interviewers among the organization's active members (as the page's picker offers them)."""
    found = list(tenant_queryset(get_user_model().objects.filter(is_active=True), actor=actor).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({"interviewer_ids": [_("面试官必须是本组织在职的成员。")]})
    return found


def _stage(actor, stage_id: int | None, position_id: int):
    """A stage of the position's process, through the stage access rule (as the page's stage picker)."""
    if stage_id is None:
        return None
    from hirelens.workflows.access import access_stage

    stage = access_stage(actor=actor, stage_id=stage_id)
    if stage.version.process.position_id != position_id:
        raise Http404
    return stage


def _window(request, payload, default_zone: str) -> dict:
    """The payload's times as aware datetimes through the pages' ``WindowForm`` (one rule for both): a malformed
    time, an unknown zone, a skipped local time, the past... are a 422 naming the field."""
    require_perm(request.user, Perm.POSITIONS_MANAGE)  # a refusal before any input is read (the service checks again)
    form = WindowForm({"start": payload.start, "end": payload.end, "time_zone": payload.time_zone}, default_zone=default_zone)
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


def _interview(request, interview_id: int) -> Interview:
    return access_interview(actor=request.user, interview_id=interview_id)


@router.get("/interviews", response=InterviewListOut, summary="List live interviews")
def interviews(request, position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's"),
               upcoming: bool = Query(False, description="Only those not yet over"),
               mine: bool = Query(False, description="Only those the caller interviews in"),
               status: str = Query("", max_length=16, description="scheduled, cancelled or completed"),
               cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=100)):
    """Scheduled (live) interviews the caller may see, by start time, with the candidate's and the interviewers'
    names. One audit entry per page naming the candidates, as the scheduling page writes."""
    position_obj = access_position(actor=request.user, position_id=position) if position is not None else None
    qs = selectors.interview_list(actor=request.user, position=position_obj, upcoming=upcoming, mine=mine)
    if status:
        qs = qs.filter(status=status)
    page = cursor_page(qs, cursor=cursor, limit=limit, order="start_at", salt="interviews")
    audit_list_read(request=request, candidates=[i.application.candidate for i in page.items])
    return {"items": [_out(i) for i in page.items], "next": page.next}


@router.get("/interviews/{id:interview_id}", response=InterviewOut, summary="Get a live interview")
def interview(request, interview_id: int, response: HttpResponse):
    """One interview. The `ETag` changes when it is rescheduled or cancelled: send it as `If-Match` to refuse (412)
    a change on top of someone else's."""
    i = _interview(request, interview_id)
    audit_list_read(request=request, candidates=[i.application.candidate])  # as the interview page: it names the candidate
    with_etag(response, i)
    return _out(i)


@router.post("/interviews", response={201: InterviewOut}, summary="Schedule a live interview")
def interview_create(request, payload: InterviewIn, response: HttpResponse):
    """Schedule an interview for an application (HR admins and recruiters), as the position's scheduling page does:
    refused (422, `fields`) in the past, over 12 hours, with an unknown zone or a time skipped by daylight saving,
    when an interviewer is not available or the candidate or an interviewer has another interview then. The
    attendees get calendar invitations. Idempotent with `Idempotency-Key`."""
    application = access_application(actor=request.user, application_id=payload.application_id)

    def create():
        window = _window(request, payload, application.position.time_zone)
        i = services.interview_schedule(actor=request.user, application=application, start=window["start_at"],
                                        end=window["end_at"], time_zone=window["zone"],
                                        interviewers=_members(request.user, payload.interviewer_ids),
                                        stage=_stage(request.user, payload.stage_id, application.position_id),
                                        title=payload.title.strip(), request=request)
        return 201, _out(_interview(request, i.pk))

    status, body = idempotent(request, create)
    response["Location"] = f"{request.path}/{body['id']}"
    return status, body


@router.post("/interviews/{id:interview_id}/reschedule", response=InterviewOut, summary="Reschedule a live interview")
def interview_reschedule(request, interview_id: int, payload: RescheduleIn, response: HttpResponse):
    """Move the interview (HR admins and recruiters) with the same checks as scheduling; calendars get an update
    of the same event, links follow the new time. `If-Match` refuses a stale change (412)."""
    i = _interview(request, interview_id)
    check_if_match(request, i)
    window = _window(request, payload, i.time_zone)
    services.interview_reschedule(actor=request.user, interview=i, start=window["start_at"], end=window["end_at"],
                                  time_zone=window["zone"], reason=payload.reason, request=request)
    i = _interview(request, interview_id)
    with_etag(response, i)
    return _out(i)


@router.post("/interviews/{id:interview_id}/cancel", response=InterviewOut, summary="Cancel a live interview")
def interview_cancel(request, interview_id: int, payload: CancelIn, response: HttpResponse):
    """Cancel with a reason (HR admins and recruiters): every link stops working, calendars get the cancellation,
    a booked slot is offered again. `If-Match` refuses a stale change (412)."""
    i = _interview(request, interview_id)
    check_if_match(request, i)
    services.interview_cancel(actor=request.user, interview=i, reason=payload.reason, request=request)
    i = _interview(request, interview_id)
    with_etag(response, i)
    return _out(i)


@router.get("/slots", response=SlotListOut, summary="List interview slots")
def slots(request, position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's"),
          open: bool = Query(False, description="Only future slots still open for booking"),
          cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=100)):
    """Times offered to candidates of the positions the caller may see, by start time. A slot offered to one
    candidate names them (one audit entry per page)."""
    position_obj = access_position(actor=request.user, position_id=position) if position is not None else None
    qs = selectors.slot_list(actor=request.user, position=position_obj, open_only=open).select_related("application__candidate")
    page = cursor_page(qs, cursor=cursor, limit=limit, order="start_at", salt="slots")
    audit_list_read(request=request, candidates=[s.application.candidate for s in page.items if s.application_id])
    return {"items": [_slot_out(s) for s in page.items], "next": page.next}


@router.post("/slots", response={201: SlotOut}, summary="Offer an interview slot")
def slot_create(request, payload: SlotIn):
    """Offer a time to the position's candidates (or to one application) for them to book from their link (HR admins
    and recruiters): refused (422) in the past, overlapping an interviewer's open slot or interview, or outside their
    availability. Idempotent with `Idempotency-Key`."""
    position = access_position(actor=request.user, position_id=payload.position_id)
    application = None
    if payload.application_id is not None:
        application = access_application(actor=request.user, application_id=payload.application_id)
        if application.position_id != position.pk:
            raise ValidationError({"application_id": [_("该申请不属于这个职位。")]})

    def create():
        window = _window(request, payload, position.time_zone)
        s = services.slot_create(actor=request.user, position=position, start=window["start_at"], end=window["end_at"],
                                 time_zone=window["zone"], interviewers=_members(request.user, payload.interviewer_ids),
                                 stage=_stage(request.user, payload.stage_id, position.pk), application=application)
        return 201, _slot_out(access_slot(actor=request.user, slot_id=s.pk))

    return idempotent(request, create)


@router.post("/slots/{id:slot_id}/cancel", response=SlotOut, summary="Withdraw an open slot")
def slot_cancel(request, slot_id: int):
    """Stop offering an open slot (HR admins and recruiters); a booked or cancelled slot stays as it is."""
    slot = access_slot(actor=request.user, slot_id=slot_id)
    services.slot_cancel(actor=request.user, slot=slot)
    return _slot_out(access_slot(actor=request.user, slot_id=slot.pk))
