"""AI video interviews over the open API: list, send (create + invite), resend, revoke, status, the analysis report
and an answer's recording.

The same access rule and services as HR's pages (``interviews/views.py``): sessions of the applications the caller
may see, minus the stages hidden from them (W2, ``access_session`` / ``stage_can_view``); sending, resending and
revoking need ``Perm.CANDIDATES_MANAGE`` (``services.session_send`` / ``session_resend`` / ``session_revoke``). Reads of
personal data are audited exactly as the pages audit them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema

from hirelens.candidates.access import access_application
from hirelens.core.access import require_perm
from hirelens.core.apitools import cursor_page, with_etag
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID
from hirelens.core.ranges import ranged_file_response
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent
from hirelens.workflows.access import hidden_stage_ids

from . import services
from .access import access_answer, access_session, visible_sessions
from .analysis_display import analysis_error_text, present
from .interruptions import interruption_lines
from .models import Answer, InterviewSession

API_PREFIX = "/interviews/"
router = Router(tags=["interviews"], auth=api_auth("interviews"))

STATES = Literal[tuple(InterviewSession.State.values)]
STATUS_FILTER = Query(None, description="Only sessions in this status.")  # a module-level default (B008): the filter's type is a Literal


# --- schemas ------------------------------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    application_id: int
    candidate_id: int
    candidate_name: str = Field(description="The candidate's full name.")
    position_id: int
    position_title: str
    title: str = Field(description="The interview's name as the candidate sees it (the AI-video stage's title).")
    status: str = Field(description="invited, started, answering, submitted, analysed or cancelled.")
    status_label: str = Field(description="The status in the caller's language.")
    ai_analysis: str = Field(description="The candidate's choice: pending, accepted (AI-assisted analysis) or declined "
                                         "(reviewed by people only, no analysis).")
    ai_analysis_label: str = Field(description="That choice in the caller's language.")
    language: str = Field(description="The language of the candidate's pages and messages (zh-hans or en).")
    answer_language: str = Field(description="The language answers are transcribed in: auto, zh or en.")
    invitations_sent: int = Field(description="How many times the invitation went out (first send and resends).")
    opens_at: datetime | None = Field(None, description="The earliest start (advance notice); null when it opens at once.")
    expires_at: datetime = Field(description="The deadline of the link.")
    revoked_at: datetime | None = Field(None, description="When HR withdrew the link; null while it is valid.")
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    created_at: datetime


class SessionListOut(Schema):
    items: list[SessionOut]
    next: str | None = Field(None, description="Cursor of the next page (pass it as `cursor`); null on the last page.")


class InvitationOut(Schema):
    id: int = Field(description="The message's id (messaging).")
    kind: str = Field(description="ai_interview.invite or ai_interview.reminder.")
    kind_label: str = Field(description="The kind in the caller's language.")
    status: str = Field(description="The delivery status: queued, sending, sent, failed or undeliverable.")
    status_label: str = Field(description="The delivery status in the caller's language.")
    channel: str = Field(description="The channel it went out by (wechat, email, sms); empty until sent.")
    channel_label: str = Field(description="That channel in the caller's language.")
    created_at: datetime


class QuestionProgressOut(Schema):
    index: int = Field(description="The question's position, from 0.")
    text: str
    answered: bool = Field(description="A take of this question is complete (uploaded, or a text answer).")
    answer_id: int | None = Field(None, description="The latest take (its recording: /interviews/answers/{answer_id}/recording).")
    kind: str = Field("", description="video, audio or text; empty without a take.")
    kind_label: str = Field("", description="The kind in the caller's language.")
    answer_status: str = Field("", description="recording, complete or failed; empty without a take.")
    answer_status_label: str = Field("", description="The take's status in the caller's language.")
    uploaded: bool = Field(description="The recording is stored whole (a text answer: false).")
    duration_s: float | None = Field(None, description="The recording's length in seconds.")
    analysis_status: str = Field("", description="none, queued, running, done or failed.")
    analysis_status_label: str = Field("", description="The analysis status in the caller's language.")


class SessionProgressOut(Schema):
    questions: int = Field(description="Questions in the interview (the practice question not counted).")
    answered: int = Field(description="Questions with a complete take.")
    uploaded: int = Field(description="Questions whose recording is stored whole.")
    analysed: int = Field(description="Questions whose analysis is done.")


class SessionStatusOut(SessionOut):
    progress: SessionProgressOut
    questions: list[QuestionProgressOut]
    invitations: list[InvitationOut] = Field(description="Invitations and reminders sent, newest first, with delivery.")


class SentOut(Schema):
    session: SessionStatusOut
    invitation: InvitationOut | None = Field(None, description="The invitation message just queued.")


class RowOut(Schema):
    label: str = Field(description="What is measured, in the caller's language.")
    value: str = Field(description="The measurement with its unit, as HR's report page shows it.")


class MetricOut(Schema):
    code: str = Field(description="Stable code of the figure (e.g. speech_rate_syll_per_s), the same in every language.")
    label: str = Field(description="The figure's name in the caller's language.")
    value: float = Field(description="The raw number (ratios 0–1, times in seconds).")


class KeywordOut(Schema):
    keyword: str
    count: int | None = Field(None, description="Times the keyword (or a synonym) was said; null when not applicable.")
    applicable: bool = Field(description="False when the answer is in another language than the keyword.")
    text: str = Field(description="The row as the report page shows it.")


class AnalysisEventOut(Schema):
    code: str = Field(description="The event type: speech, pause, keyword, look_away, smile, frown, gesture...")
    label: str = Field(description="The event type in the caller's language.")
    start_s: float | None = Field(None, description="Where the event starts on the recording, in seconds.")
    end_s: float | None = Field(None, description="Where it ends, in seconds.")
    keyword: str = Field("", description="For a keyword event: the keyword.")


class AnswerReportOut(Schema):
    answer_id: int
    question_index: int
    question: str
    attempt: int = Field(description="Which take this is (1 = first).")
    kind: str = Field(description="video, audio or text.")
    kind_label: str
    text: str = Field(description="A text answer's text (empty for a recording).")
    recording_available: bool = Field(description="Whether /interviews/answers/{answer_id}/recording has a file.")
    duration_s: float | None = None
    analysis_status: str = Field(description="none, queued, running, done or failed.")
    analysis_status_label: str
    analysis_error: str = Field(description="Why the analysis failed or is retried, in the caller's language; empty otherwise.")
    interruptions: list[str] = Field(description="Technical interruptions of the take, one sentence each.")
    metrics: list[MetricOut] = Field(description="The report's figures by code (face figures only where allowed).")
    speech: list[RowOut] = Field(description="Voice and speech rows of the report.")
    face: list[RowOut] | None = Field(None, description="Face and expression rows; null where the position's face switch "
                                                        "is off or the candidate did not consent.")
    posture: list[RowOut] | None = Field(None, description="Posture rows; null as for face.")
    keywords: list[KeywordOut]
    warnings: list[str] = Field(description="What limits the analysis (no sound, damaged data...), in words.")
    events: list[AnalysisEventOut] = Field(description="Timestamped events (at most 300; see events_cut).")
    events_cut: bool
    transcript: str
    models: str = Field(description="The analysis models and their versions.")


class ReportOut(SessionOut):
    facial: bool = Field(description="Whether face, expression and posture are shown (position switch and consent).")
    answers: list[AnswerReportOut] = Field(description="Every kept take of every question (not the practice), in order.")


class QuestionIn(Schema):
    text: str = Field(min_length=1, max_length=500)
    prep_s: int = Field(30, ge=0, le=600, description="Preparation time in seconds.")
    answer_s: int = Field(120, ge=10, le=1800, description="Answer time in seconds.")
    retakes: int = Field(1, ge=0, le=5, description="How many times the candidate may record again.")


class SessionIn(Schema):
    use_stage: bool = Field(False, description="Take the questions, times and title from the application's current "
                                               "AI-video stage (as 'use the process's questions' on the page); "
                                               "`questions` is then ignored.")
    questions: list[QuestionIn] = Field([], max_length=50, description="The questions (without `use_stage`).")
    practice_question: str = Field("", max_length=500, description="Empty: the default practice question.")
    valid_days: int = Field(7, ge=1, le=60, description="Days the link stays valid (from its opening).")
    extra_prep_s: int = Field(0, ge=0, le=600, description="Accommodation: extra preparation time per question.")
    text_answers_allowed: bool = Field(False, description="Accommodation: the candidate may type answers.")
    materials: str | None = Field(None, max_length=2000, description="What to prepare, one item per line; null: the "
                                                                    "stage's materials.")
    language: Literal["zh-hans", "en"] | None = Field(None, description="The candidate's language; null: the company's.")
    answer_language: Literal["auto", "zh", "en"] = Field("auto", description="Transcription language of the answers.")

    model_config = {"json_schema_extra": {"examples": [
        {"questions": [{"text": "请介绍一次你与团队协作解决问题的经历。", "prep_s": 30, "answer_s": 120, "retakes": 1}],
         "valid_days": 7, "language": "zh-hans"},
        {"use_stage": True, "valid_days": 5}]}}


# --- rows ---------------------------------------------------------------------------------------------------------


def _session_out(session: InterviewSession) -> dict:
    application = session.application
    return {"id": session.pk, "application_id": application.pk, "candidate_id": application.candidate_id,
            "candidate_name": application.candidate.full_name, "position_id": application.position_id,
            "position_title": application.position.title, "title": session.title, "status": session.state,
            "status_label": str(session.get_state_display()), "ai_analysis": session.ai_analysis,
            "ai_analysis_label": str(session.get_ai_analysis_display()), "language": session.language,
            "answer_language": session.answer_language, "invitations_sent": session.invitations_sent,
            "opens_at": session.opens_at, "expires_at": session.expires_at, "revoked_at": session.revoked_at,
            "started_at": session.started_at, "submitted_at": session.submitted_at, "created_at": session.created_at}


def _message_out(message) -> dict:
    return {"id": message.pk, "kind": message.kind, "kind_label": str(message.get_kind_display()), "status": message.status,
            "status_label": str(message.get_status_display()), "channel": message.channel or "",
            "channel_label": str(message.channel_label) if message.channel else "", "created_at": message.created_at}


def _kept_answers(session: InterviewSession) -> list[Answer]:
    """The takes HR's page shows: not the practice, not a take recorded again."""
    return list(session.answers.exclude(status=Answer.Status.DISCARDED).filter(question_index__gte=0)
                .order_by("question_index", "attempt"))


def _status_out(session: InterviewSession) -> dict:
    answers = _kept_answers(session)
    latest = {answer.question_index: answer for answer in answers}  # ordered by attempt: the last take wins
    rows = []
    for index, question in enumerate(session.questions or []):
        answer = latest.get(index)
        complete = answer is not None and answer.status == Answer.Status.COMPLETE
        rows.append({"index": index, "text": question.get("text", ""), "answered": complete,
                     "answer_id": answer.pk if answer else None, "kind": answer.kind if answer else "",
                     "kind_label": str(answer.get_kind_display()) if answer else "",
                     "answer_status": answer.status if answer else "",
                     "answer_status_label": str(answer.get_status_display()) if answer else "",
                     "uploaded": bool(complete and answer.recording), "duration_s": answer.duration_s if answer else None,
                     "analysis_status": answer.analysis_status if answer else "",
                     "analysis_status_label": str(answer.get_analysis_status_display()) if answer else ""})
    progress = {"questions": len(rows), "answered": sum(r["answered"] for r in rows), "uploaded": sum(r["uploaded"] for r in rows),
                "analysed": sum(r["analysis_status"] == Answer.Analysis.DONE for r in rows)}
    deliveries = services.session_deliveries([session]).get(session.pk, [])
    return {**_session_out(session), "progress": progress, "questions": rows,
            "invitations": [_message_out(m) for m in deliveries]}


def _metrics(summary: dict, facial: bool) -> list[dict]:
    from .analysis_display import EVIDENCE_FIELDS, FACIAL_FIELDS, FIGURES

    keys = list(EVIDENCE_FIELDS) + (list(FACIAL_FIELDS) if facial else [])
    return [{"code": key, "label": str(FIGURES[key][0]), "value": float(summary[key])} for key in keys
            if isinstance(summary.get(key), (int, float))]


def _rows(pairs) -> list[dict] | None:
    return None if pairs is None else [{"label": str(label), "value": str(value)} for label, value in pairs]


def _answer_report(session: InterviewSession, answer: Answer, facial: bool) -> dict:
    report = present(answer.analysis, facial=facial) or {}
    question = (session.questions[answer.question_index]["text"] if 0 <= answer.question_index < len(session.questions)
                else session.practice_question)
    summary = (answer.analysis or {}).get("summary") or {}
    return {"answer_id": answer.pk, "question_index": answer.question_index, "question": question, "attempt": answer.attempt,
            "kind": answer.kind, "kind_label": str(answer.get_kind_display()), "text": answer.text,
            "recording_available": bool(answer.recording), "duration_s": answer.duration_s,
            "analysis_status": answer.analysis_status, "analysis_status_label": str(answer.get_analysis_status_display()),
            "analysis_error": analysis_error_text(answer), "interruptions": interruption_lines(answer),
            "metrics": _metrics(summary, facial) if report else [],
            "speech": _rows(report.get("speech")) or [], "face": _rows(report.get("face")), "posture": _rows(report.get("posture")),
            "keywords": report.get("keywords") or [], "warnings": [str(w) for w in report.get("warnings") or []],
            "events": [{"code": str(e.get("type", "")), "label": e["label"], "start_s": e.get("start_s"), "end_s": e.get("end_s"),
                        "keyword": e.get("keyword") or ""} for e in report.get("events") or []],
            "events_cut": bool(report.get("events_cut")), "transcript": report.get("transcript") or "",
            "models": report.get("models") or ""}


def _session(actor, session_id: int) -> InterviewSession:
    session = access_session(actor=actor, session_id=session_id)
    return (InterviewSession.objects.select_related("application__candidate", "application__position", "organization")
            .get(pk=session.pk))


def _listed(actor) -> QuerySet[InterviewSession]:
    qs = visible_sessions(actor=actor)
    hidden = hidden_stage_ids(actor=actor, stage_ids=qs.exclude(stage__isnull=True).values("stage_id"))
    return qs.exclude(stage_id__in=hidden) if hidden else qs


# --- operations ---------------------------------------------------------------------------------------------------


@router.get("/sessions", response=SessionListOut, summary="List AI interviews")
def session_index(request, status: STATES | None = STATUS_FILTER,
                  position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's sessions."),
                  candidate: int | None = Query(None, ge=1, le=MAX_ID, description="Only this candidate's sessions."),
                  application: int | None = Query(None, ge=1, le=MAX_ID, description="Only this application's sessions."),
                  cursor: str = Query("", max_length=2000, description="`next` of the previous page."),
                  limit: int = Query(20, ge=1, le=100)):
    """The AI interviews the caller may see (the panel: positions they are assigned to, stages they may see), newest
    first, with the candidate's name, the position and the status. Audited like the list page (one entry naming the
    candidates shown)."""
    qs = _listed(request.user).select_related("application__candidate", "application__position")
    if status:
        qs = qs.filter(state=status)
    if position:
        qs = qs.filter(application__position_id=position)
    if candidate:
        qs = qs.filter(application__candidate_id=candidate)
    if application:
        qs = qs.filter(application_id=application)
    page = cursor_page(qs, cursor=cursor, limit=limit, salt="interviews.sessions")
    audit_list_read(request=request, candidates=[s.application.candidate for s in page.items])
    return {"items": [_session_out(s) for s in page.items], "next": page.next}


@router.post("/applications/{id:application_id}/sessions", response={201: SentOut}, summary="Send an AI interview")
def session_create(request, application_id: int, payload: SessionIn, response: HttpResponse):
    """Create an AI interview for the application and send the invitation by the candidate's channels (WeChat, e-mail,
    SMS), as the page 发送AI面试 does (`services.session_send`: both happen or neither). HR admins and recruiters only.
    With `use_stage` the application's current AI-video stage gives the questions (422 when it is not at one).
    With an `Idempotency-Key` header a retry answers the first answer instead of sending a second interview. The link
    itself is not returned: it reaches the candidate through the invitation."""
    application = access_application(actor=request.user, application_id=application_id)
    require_perm(request.user, Perm.CANDIDATES_MANAGE)  # the panel may see the application, not send interviews
    language = payload.language or application.organization.default_language or "zh-hans"
    if payload.use_stage:  # 422 when the application is not at an AI-video stage
        options = services.send_options_from_stage(services.application_ai_stage(application), language=language,
                                                   valid_days=payload.valid_days, answer_language=payload.answer_language,
                                                   materials=payload.materials, default_practice_follows_language=True)
    else:
        options = {"questions": [q.dict() for q in payload.questions],
                   "practice_question": payload.practice_question.strip() or services.practice_default(language),
                   "valid_days": payload.valid_days, "extra_prep_s": payload.extra_prep_s,
                   "text_answers_allowed": payload.text_answers_allowed, "materials": payload.materials or "",
                   "language": language, "answer_language": payload.answer_language}

    def create():
        session, _token, message = services.session_send(actor=request.user, application=application, **options)
        return 201, {"session": _status_out(_session(request.user, session.pk)), "invitation": _message_out(message)}

    status, body = idempotent(request, create)
    response["Location"] = f"{request.path.split('/applications/')[0]}/sessions/{body['session']['id']}"
    return status, body


@router.get("/sessions/{id:session_id}", response=SessionStatusOut, summary="Get an AI interview's status")
def session_get(request, session_id: int, response: HttpResponse):
    """One AI interview: its status, each question's take (recorded, uploaded, analysed) with the overall progress,
    and the invitations with their delivery. Audited as a read of the session's answers."""
    session = _session(request.user, session_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=session, fields=["answers"], request=request)
    with_etag(response, session)
    return _status_out(session)


@router.post("/sessions/{id:session_id}/resend", response=SentOut, summary="Resend an AI interview's invitation")
def session_resend(request, session_id: int):
    """Send the invitation again with the same link, as the page's 重新发送 does (`services.session_resend`; HR admins
    and recruiters). Refused (422) once the interview is submitted, revoked or past its deadline. With an
    `Idempotency-Key` header a retry does not send a second message."""
    session = access_session(actor=request.user, session_id=session_id)

    def send():
        message = services.session_resend(actor=request.user, session=session)
        return 200, {"session": _status_out(_session(request.user, session.pk)), "invitation": _message_out(message)}

    return idempotent(request, send)


@router.post("/sessions/{id:session_id}/revoke", response=SessionOut, summary="Revoke an AI interview's link")
def session_revoke(request, session_id: int):
    """Withdraw the candidate's link, as the page's 撤销链接 does (`services.session_revoke`; HR admins and recruiters):
    the candidate's page then says so and no reminder goes out."""
    session = access_session(actor=request.user, session_id=session_id)
    services.session_revoke(actor=request.user, session=session)
    return _session_out(_session(request.user, session.pk))


@router.get("/sessions/{id:session_id}/report", response=ReportOut, summary="Get an AI interview's analysis report")
def session_report(request, session_id: int):
    """The analysis report as HR's session page shows it: per take, the figures (by stable `code` with a label and the
    raw value), the labelled rows, keywords, warnings, timestamped events, transcript and interruptions. Face,
    expression and posture only where the position's face switch is on and the candidate consented. Audited like the
    page (a read of the answers, transcript and analysis)."""
    session = _session(request.user, session_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=session, fields=["answers", "transcript", "analysis"],
                 request=request)
    facial = bool(session.application.position.facial_enabled and session.biometric_allowed)
    return {**_session_out(session), "facial": facial,
            "answers": [_answer_report(session, answer, facial) for answer in _kept_answers(session)]}


RECORDING_TYPES = {"video/webm": {"schema": {"type": "string", "format": "binary"}},
                   "audio/webm": {"schema": {"type": "string", "format": "binary"}},
                   "video/mp4": {"schema": {"type": "string", "format": "binary"}}}


@router.get("/answers/{id:answer_id}/recording", summary="Download an answer's recording",
            openapi_extra={"responses": {
                "200": {"description": "The whole recording, decrypted (WebM or MP4).", "content": RECORDING_TYPES},
                "206": {"description": "The part asked for with a `Range` header.", "content": RECORDING_TYPES}}})
def answer_recording(request, answer_id: int):
    """The recording of one take, decrypted as it streams, with HTTP `Range` support (206) for seeking; the practice
    recording is never served. Audited as a file read, exactly like the page's player."""
    answer = access_answer(actor=request.user, answer_id=answer_id)
    if not answer.recording or answer.question_index < 0:
        raise Http404
    audit_record(action=AuditEvent.Action.READ_FILE, actor=request.user, obj=answer, fields=["recording"], request=request)
    content_type = "video/mp4" if answer.extension == "mp4" else ("audio/webm" if answer.kind == Answer.Kind.AUDIO else "video/webm")
    return ranged_file_response(request, answer.recording, size=answer.size, content_type=content_type)
