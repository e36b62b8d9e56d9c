"""Live interview rooms over the open API: the rooms, one room, its review (live summary, annotations, the timeline
and the recording's analysis) and its recording.

The same access rule as the pages: a room of an interview the caller may see (``access.visible_rooms``, the interview
page's rule) whose stage is not hidden from them (W2, ``review.room_for_review``); the review is built by
``review.application_rooms``, the function the scorecard page's review uses. Reads are audited like the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema

from hirelens.core.apitools import cursor_page, with_etag
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID
from hirelens.core.ranges import ranged_file_response
from hirelens.integrations.auth import api_auth
from hirelens.interviews.api import AnalysisEventOut, RowOut
from hirelens.workflows.access import hidden_stage_ids

from .access import visible_rooms
from .models import LiveRoom
from .review import application_rooms, room_for_review

API_PREFIX = "/live/"
router = Router(tags=["live interviews"], auth=api_auth("interviews"))

STATES = Literal[tuple(LiveRoom.State.values)]
STATUS_FILTER = Query(None, description="Only rooms in this status.")  # a module-level default (B008): the filter's type is a Literal


class RoomPersonOut(Schema):
    id: int
    name: str = Field(description="The person's full name (or e-mail when no name is set).")


class RoomOut(Schema):
    id: int
    interview_id: int = Field(description="The scheduled interview (scheduling) this room belongs to.")
    interview_title: str
    interview_status: str = Field(description="The scheduled interview's status: scheduled, cancelled or completed.")
    interview_status_label: str = Field(description="That status in the caller's language.")
    start_at: datetime = Field(description="The interview's planned start.")
    end_at: datetime = Field(description="The interview's planned end.")
    time_zone: str = Field(description="IANA time zone the interview was planned in.")
    application_id: int
    candidate_id: int
    candidate_name: str = Field(description="The candidate's full name.")
    position_id: int
    position_title: str
    status: str = Field(description="The room: waiting (not yet opened), open or ended.")
    status_label: str = Field(description="The room's status in the caller's language.")
    interviewers: list[RoomPersonOut] = Field(description="The interview's interviewers, by name.")
    voice_only: bool = Field(description="The room switched to voice only (a camera or device problem).")
    candidate_admitted: bool = Field(description="The candidate was let in from the waiting room.")
    opened_at: datetime | None = None
    ended_at: datetime | None = None
    recording_available: bool = Field(description="A recording is stored (GET /live/rooms/{room_id}/recording).")
    recording_duration_s: float | None = None
    analysis_status: str = Field(description="The recording's analysis: none, pending, running, done, failed or skipped.")
    analysis_status_label: str = Field(description="That status in the caller's language.")


class RoomListOut(Schema):
    items: list[RoomOut]
    next: str | None = Field(None, description="Cursor of the next page (pass it as `cursor`); null on the last page.")


class NoteOut(Schema):
    author: str = Field(description="The interviewer who wrote it, by name.")
    text: str
    tags: list[str] = Field(description="Its quick tags in the caller's language.")
    at_s: float | None = Field(None, description="Its moment on the recording, in seconds; null without a recording.")
    clock: str = Field(description="That moment as m:ss (h:mm:ss past an hour); empty without one.")
    created_at: datetime


class TimelineRowOut(Schema):
    kind: str = Field(description="note, question, incident or event.")
    label: str = Field(description="What happened, in the caller's language.")
    who: str = Field(description="Who did it, by name (the candidate's name for their own actions); may be empty.")
    text: str = Field(description="A note's or question's text; empty for events.")
    tags: list[str] = Field([], description="A note's quick tags in the caller's language.")
    answer: str = Field("", description="For a candidate's question: the interviewers' answer.")
    answered_by: str = Field("", description="For a question: who answered it, by name.")
    delivery: str = Field("", description="For an incident: the delivery of the message it sent the candidate, in words.")
    at_s: float | None = Field(None, description="The moment on the recording, in seconds; null when not placed.")
    clock: str = Field(description="That moment as m:ss; empty when not placed.")
    when: datetime = Field(description="When it happened (wall time).")


class SummaryOut(Schema):
    rows: list[RowOut] = Field(description="The live summary's figures as the review shows them.")
    keywords: list[str] = Field(description="Keyword rows (keyword × count, or not applicable).")
    face: list[RowOut] | None = Field(None, description="Face rows; null where the face switch is off or not consented.")
    transcript: str


class AnalysisOut(Schema):
    speech: list[RowOut]
    face: list[RowOut] | None = None
    posture: list[RowOut] | None = None
    warnings: list[str]
    events: list[AnalysisEventOut]
    transcript: str


class ReviewOut(RoomOut):
    no_recording_reason: str = Field(description="Why there is no recording, in words; empty when there is one.")
    facial: bool = Field(description="Whether face rows are shown (the position's face switch and the candidate's consent).")
    summary: SummaryOut | None = Field(None, description="The live analysis summary made when the room ended; null before.")
    analysis: AnalysisOut | None = Field(None, description="The recording's analysis report once done; null otherwise.")
    analysis_note: str = Field(description="The analysis status as the review words it (e.g. not done without consent).")
    notes: list[NoteOut] = Field(description="The interviewers' annotations, in the order of the recording.")
    timeline: list[TimelineRowOut] = Field(description="Everything that happened, in the order of the recording (at most 400).")


def _name(user) -> str:
    return user.full_name or user.email


def _room_out(room: LiveRoom) -> dict:
    interview, application = room.interview, room.application
    return {"id": room.pk, "interview_id": interview.pk, "interview_title": interview.title,
            "interview_status": interview.status, "interview_status_label": str(interview.get_status_display()),
            "start_at": interview.start_at, "end_at": interview.end_at, "time_zone": interview.time_zone,
            "application_id": application.pk, "candidate_id": application.candidate_id,
            "candidate_name": application.candidate.full_name, "position_id": application.position_id,
            "position_title": application.position.title, "status": room.state, "status_label": str(room.get_state_display()),
            "interviewers": [{"id": u.pk, "name": _name(u)} for u in interview.interviewers.all()],
            "voice_only": room.voice_only, "candidate_admitted": room.candidate_admitted, "opened_at": room.opened_at,
            "ended_at": room.ended_at, "recording_available": bool(room.recording),
            "recording_duration_s": room.recording_duration_s, "analysis_status": room.analysis_status,
            "analysis_status_label": str(room.get_analysis_status_display())}


def _rows(pairs) -> list[dict] | None:
    return None if pairs is None else [{"label": str(label), "value": str(value)} for label, value in pairs]


def _rooms(actor):
    qs = visible_rooms(actor=actor)
    hidden = hidden_stage_ids(actor=actor, stage_ids=qs.exclude(interview__stage__isnull=True).values("interview__stage_id"))
    qs = qs.exclude(interview__stage_id__in=hidden) if hidden else qs
    return qs.select_related("interview", "application__candidate", "application__position").prefetch_related("interview__interviewers")


def _room(actor, room_id: int) -> LiveRoom:
    room = room_for_review(actor=actor, room_id=room_id)  # the review's 404s: missing, foreign, invisible, hidden stage
    return _rooms(actor).get(pk=room.pk)


@router.get("/rooms", response=RoomListOut, summary="List live interview rooms")
def room_index(request, status: STATES | None = STATUS_FILTER,
               position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's rooms."),
               candidate: int | None = Query(None, ge=1, le=MAX_ID, description="Only this candidate's rooms."),
               application: int | None = Query(None, ge=1, le=MAX_ID, description="Only this application's rooms."),
               cursor: str = Query("", max_length=2000, description="`next` of the previous page."),
               limit: int = Query(20, ge=1, le=100)):
    """The live interview rooms the caller may see (those of interviews they may see, stages they may see), newest
    first, with the candidate, the interviewers by name, the status and whether a recording is available. Audited
    like a list page (one entry naming the candidates shown)."""
    qs = _rooms(request.user)
    if status:
        qs = qs.filter(state=status)
    if position:
        qs = qs.filter(application__position_id=position)
    if candidate:
        qs = qs.filter(application__candidate_id=candidate)
    if application:
        qs = qs.filter(application_id=application)
    page = cursor_page(qs, cursor=cursor, limit=limit, salt="live.rooms")
    audit_list_read(request=request, candidates=[room.application.candidate for room in page.items])
    return {"items": [_room_out(room) for room in page.items], "next": page.next}


@router.get("/rooms/{id:room_id}", response=RoomOut, summary="Get a live interview room")
def room_get(request, room_id: int, response: HttpResponse):
    """One room: the interview, its status, the interviewers by name and whether a recording is available. Audited
    like entering the room page (naming the candidate)."""
    room = _room(request.user, room_id)
    audit_list_read(request=request, candidates=[room.application.candidate])
    with_etag(response, room)
    return _room_out(room)


@router.get("/rooms/{id:room_id}/review", response=ReviewOut, summary="Get a live interview's review")
def room_review(request, room_id: int):
    """What the review beside the scorecard shows of one room (`review.application_rooms`): the live summary, the
    interviewers' annotations, the timeline of what happened at which moment of the recording, and the recording's
    analysis. Face rows only where the position's face switch is on and the candidate consented. Audited like the
    evaluation page that shows it (a read naming the candidate)."""
    room = room_for_review(actor=request.user, room_id=room_id)
    entry = next((e for e in application_rooms(actor=request.user, application=room.application) if e["room"].pk == room.pk), None)
    if entry is None:
        raise Http404
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=room.application.candidate, fields=["full_name"],
                 request=request)
    summary = entry["summary"]
    report = entry["report"]
    timeline = [{"kind": row["kind"], "label": str(row["label"]), "who": str(row["who"] or ""), "text": row.get("text") or "",
                 "tags": [str(t) for t in row.get("tags") or []], "answer": str(row.get("answer") or ""),
                 "answered_by": str(row.get("answered_by") or ""), "delivery": str(row.get("delivery") or ""),
                 "at_s": row["at"], "clock": row["clock"], "when": row["when"]} for row in entry["timeline"]]
    notes = [{"author": row["who"], "text": row["text"], "tags": row["tags"], "at_s": row["at_s"], "clock": row["clock"],
              "created_at": row["when"]} for row in timeline if row["kind"] == "note"]
    return {**_room_out(entry["room"]), "no_recording_reason": str(entry["no_recording_reason"]), "facial": entry["facial"],
            "summary": None if summary is None else {
                "rows": _rows(summary["rows"]), "keywords": [str(k["text"]) for k in summary["keywords"]],
                "face": _rows(summary["face"]), "transcript": summary["transcript"]},
            "analysis": None if report is None else {
                "speech": _rows(report["speech"]), "face": _rows(report["face"]), "posture": _rows(report["posture"]),
                "warnings": [str(w) for w in report["warnings"]], "transcript": report["transcript"],
                "events": [{"code": str(e.get("type", "")), "label": e["label"], "start_s": e.get("start_s"),
                            "end_s": e.get("end_s"), "keyword": e.get("keyword") or ""} for e in report["events"]]},
            "analysis_note": str(entry["analysis_status"]), "notes": notes, "timeline": timeline}


RECORDING_TYPES = {kind: {"schema": {"type": "string", "format": "binary"}}
                   for kind in ("video/webm", "audio/webm", "video/mp4", "audio/ogg")}


@router.get("/rooms/{id:room_id}/recording", summary="Download a live interview's recording",
            openapi_extra={"responses": {
                "200": {"description": "The whole recording, decrypted.", "content": RECORDING_TYPES},
                "206": {"description": "The part asked for with a `Range` header.", "content": RECORDING_TYPES}}})
def room_recording(request, room_id: int):
    """The room's recording (only with the candidate's recording consent), decrypted as it streams, with HTTP `Range`
    support for seeking. Audited as a file read, exactly like the review's player."""
    from .views_review import _content_type

    room = room_for_review(actor=request.user, room_id=room_id)
    if not room.recording:
        raise Http404
    audit_record(action=AuditEvent.Action.READ_FILE, actor=request.user, obj=room, fields=["recording"], request=request)
    return ranged_file_response(request, room.recording, size=room.recording_size or room.recording.size,
                                content_type=_content_type(room))
