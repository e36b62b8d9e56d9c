"""Interview sessions, consent, and the resumable upload protocol.

Upload protocol (per answer): ``answer_begin`` → ``chunk_put`` × n (index, offset, SHA-256; idempotent,
in order) → ``answer_finish`` (total size + SHA-256): the chunks are streamed, in order, into one
encrypted file, the digest is checked, PyAV reads the media facts, the answer is complete and its
analysis is enqueued after commit. A chunk that was stored is never replaced by different bytes, so a
retried or duplicated request cannot damage an answer. An empty piece is refused (it would take an index
for nothing). A whole upload that holds no usable answer (not media, no decodable audio, under a second)
is refused at finish with ``UnusableRecording``: the attempt goes back to "recording" with no pieces, so
the candidate records it again at once without using up a retake.
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.candidates.timeline import timeline_add
from hirelens.core import events, tokens
from hirelens.core.access import require_perm
from hirelens.core.actors import LinkActor
from hirelens.core.audit import audit_record
from hirelens.core.jobs import enqueue_on_commit
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.realtime import organization_group, publish_on_commit
from hirelens.core.roles import Perm
from hirelens.workflows.modules import module_spec

from .media import JoinError, NotMediaError, join_parts, probe
from .models import SESSION_LINK, Answer, ConsentNotice, InterviewSession, UploadChunk, answer_upload_to

MAX_CHUNK_BYTES = 8 * 1024 * 1024
# Generous ceiling on recording bit rate (browsers record about 0.25–2.5 Mbit/s) to refuse absurd uploads.
MAX_BYTES_PER_SECOND = 1_000_000
DURATION_GRACE_S = 3.0
MIN_ANSWER_S = 1.0  # less decodable audio than this is no answer (a cut or silent-failed recording)
OPEN_STATES = (InterviewSession.State.INVITED, InterviewSession.State.STARTED, InterviewSession.State.ANSWERING)
PRACTICE_PREP_S, PRACTICE_ANSWER_S = 30, 60
# The default practice question in each interview language. A session in English whose practice text is one of the
# Chinese defaults (the HR form's and the process template's, before they followed the language) asks the English one.
PRACTICE_DEFAULTS = {"zh-hans": "请用三个词介绍你自己。", "en": "Please describe yourself in three words."}
PRACTICE_DEFAULTS_ZH = {"请用三个词介绍你自己。", "练习题：用三个词描述你自己。"}
MAX_INTERRUPTIONS = 50  # per answer: a page that reloads in a loop cannot grow the row without bound
MIN_CONTINUE_S = 3  # a take is continued only when at least this much answer time is left


class UploadConflict(ValidationError):
    """The request contradicts what is already stored (HTTP 409)."""


class UnusableRecording(ValidationError):
    """The uploaded answer is whole but cannot be used (HTTP 422, ``code`` says why): record it again."""


def unusable_message(code: str) -> str:
    return {
        "not_media": _("上传的文件不是可识别的音视频，请重新录制这道题（不占重录次数）。"),
        "no_audio": _("录制内容中没有可识别的声音，请检查麦克风后重新录制这道题（不占重录次数）。"),
        "too_short": _("录制内容不足 1 秒，请重新录制这道题（不占重录次数）。"),
        "parts_differ": _("中断前后录制的格式不一致（例如换了摄像头或浏览器），无法合成一段回答，请重新录制这道题（不占重录次数）。"),
    }[code]


_hash = tokens.token_hash  # the stored form of a link's token (tests and benches build sessions with it)


def _publish(session: InterviewSession, answer: Answer | None = None) -> None:
    payload = {"session": session.pk, "state": session.state, "application": session.application_id}
    if answer is not None:
        payload.update(answer=answer.pk, question=answer.question_index, status=answer.status, analysis=answer.analysis_status)
    publish_on_commit(organization_group(session.organization_id), "interview.updated", payload,
                      audience={"session": session.pk})  # position scope and stage permissions (access_session)


# --- Sessions and links -----------------------------------------------------------------------

def practice_default(language: str) -> str:
    return PRACTICE_DEFAULTS["en" if (language or "").startswith("en") else "zh-hans"]


def practice_text(session: InterviewSession) -> str:
    """The practice question as the candidate reads it: a Chinese default in an English interview reads in English."""
    text = session.practice_question
    if text.strip() in PRACTICE_DEFAULTS_ZH and (session.language or "").startswith("en"):
        return PRACTICE_DEFAULTS["en"]
    return text


def plan_from_stage(stage) -> dict:
    """The question plan of an AI-video stage (workflows' settings format) in this app's snapshot format."""
    if stage is None or not module_spec(stage.module).has_ai_plan:
        raise ValidationError(_("当前环节不是AI视频面试。"))
    settings_ = stage.settings or {}
    questions = [{"text": q.get("text", ""), "prep_s": q.get("prep_seconds") or 0, "answer_s": q.get("answer_seconds") or 120,
                  "retakes": q.get("retakes", 0)} for q in settings_.get("questions", [])]
    practice = (settings_.get("practice") or {}).get("text", "")
    return {"questions": questions, "practice_question": practice, "title": stage.title, "stage": stage}


def application_ai_stage(application):
    """The application's current stage when it is an AI-video stage, else None."""
    progress = getattr(application, "progress", None)
    stage = getattr(progress, "stage", None) if progress is not None else None
    return stage if stage is not None and module_spec(stage.module).has_ai_plan else None


@transaction.atomic
def session_create(*, actor, application, questions: list[dict], practice_question: str = "", title: str = "",
                   valid_days: int = 7, extra_prep_s: int = 0, text_answers_allowed: bool = False,
                   language: str = "zh-hans", stage=None, materials: str = "",
                   answer_language: str = InterviewSession.AnswerLanguage.AUTO) -> tuple[InterviewSession, str]:
    """Create a session and return it with its link token (only the token's hash is stored)."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if application.organization_id != actor.organization_id:
        raise ValidationError(_("候选人和职位必须属于本组织。"))
    if not questions:
        raise ValidationError(_("至少需要一道题目。"))
    plan = []
    for q in questions:
        text = str(q.get("text", "")).strip()
        if not text:
            raise ValidationError(_("题目内容不能为空。"))
        plan.append({"text": text, "prep_s": int(q.get("prep_s", 30)), "answer_s": int(q.get("answer_s", 120)),
                     "retakes": int(q.get("retakes", 1))})
    if practice_question.strip() in PRACTICE_DEFAULTS_ZH and (language or "").startswith("en"):
        practice_question = PRACTICE_DEFAULTS["en"]
    opens_at = session_opens_at(application.position, timezone.now())
    session = InterviewSession(
        organization_id=actor.organization_id, application=application, stage=stage, title=title or _("AI视频面试"), questions=plan,
        practice_question=practice_question, opens_at=opens_at,
        expires_at=(opens_at or timezone.now()) + timedelta(days=valid_days),
        extra_prep_s=extra_prep_s, text_answers_allowed=text_answers_allowed, language=language,
        answer_language=answer_language,
        materials="\n".join(line.strip() for line in (materials or "").splitlines() if line.strip())[:2000],
    )
    token = session.link_token = tokens.mint(SESSION_LINK, session, save=False)
    session.full_clean()
    session.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=session, fields=["questions"])
    timeline_add(candidate=application.candidate, kind="interview.ai_sent", actor=actor,
                 params={"title": session.title, "position": application.position.title, "position_id": application.position_id})
    return session, token


def session_opens_at(position, now):
    """When an interview sent now may be started: the position's advance notice in business days (NYC roles: 10),
    counted in the position's zone; None when no notice is required."""
    from zoneinfo import ZoneInfo

    from hirelens.positions.models import add_business_days

    days = position.advance_notice
    if not days:
        return None
    try:
        zone = ZoneInfo(position.time_zone or "Asia/Shanghai")
    except Exception:  # noqa: BLE001 - an unknown zone name: the platform's default
        zone = ZoneInfo("Asia/Shanghai")
    return add_business_days(now.astimezone(zone), days)


def session_link(token: str) -> str:
    return absolute_url(reverse("interviews:candidate", args=[token]))


def session_by_token(token: str) -> InterviewSession | None:
    """The session a candidate's link opens, or None when unknown, expired, revoked or cancelled (core/tokens.py)."""
    try:
        return tokens.resolve(SESSION_LINK, token)
    except tokens.LinkDead:
        return None


def require_session_link(actor, session: InterviewSession) -> None:
    """The candidate's own writes (consent, choices, requests) take the ``LinkActor`` of this session's link, verified
    by ``access.access_session_actor``: the audit log then names the candidate and the link; no other actor acts here."""
    if not (isinstance(actor, LinkActor) and actor.opened(SESSION_LINK.name, session)):
        raise PermissionDenied("only the candidate, through this interview's own link, does this")


@transaction.atomic
def session_revoke(*, actor, session: InterviewSession) -> None:
    """Withdraw the link: the candidate's page then says so, and no reminder goes out afterwards."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if session.organization_id != actor.organization_id:
        raise ValidationError(_("面试不属于本组织。"))
    tokens.revoke(SESSION_LINK, session)
    _reminders_cancel(session)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=session, fields=["revoked_at"])
    timeline_add(candidate=session.application.candidate, kind="interview.ai_revoked", actor=actor,
                 params={"title": session.title, "position": session.application.position.title,
                         "position_id": session.application.position_id})


# --- Invitations: by the candidate's channels, with reminders before the deadline (issue 16 §4) --------

SUBJECT_TYPE = "interviews.interviewsession"  # how messages and reminders name a session (the audit object kind)
REMINDER_OFFSETS = (48 * 60, 6 * 60)  # minutes before the deadline, while the interview is not submitted


def session_time_zone(session: InterviewSession) -> str:
    """The candidate's zone for the deadline: the position's (where the candidate applied; the record holds no
    zone of its own), else the organization's."""
    return session.application.position.time_zone or session.organization.time_zone or "Asia/Shanghai"


def invitation_deadline_at(session: InterviewSession, moment, language: str) -> str:
    from .notices import deadline_text

    return deadline_text(moment, session_time_zone(session), "en" if (language or "").startswith("en") else "zh-hans")


def invitation_deadline(session: InterviewSession, language: str) -> str:
    from .notices import deadline_text

    return deadline_text(session.expires_at, session_time_zone(session), "en" if language.startswith("en") else "zh-hans")


def invitation_variables(session: InterviewSession, link: str) -> dict:
    """The variables of the invitation and its reminders, in the session's (the candidate's) language."""
    from .notices import deadline_text, notice_text

    language = "en" if session.language.startswith("en") else "zh-hans"
    return {
        "position": session.application.position.title,
        "link": link,
        "deadline": deadline_text(session.expires_at, session_time_zone(session), language),
        "materials": [line for line in session.materials.splitlines() if line.strip()],
        "notice": notice_text(current_notices(session.organization_id),
                              facial_enabled=session.application.position.facial_enabled, language=language,
                              choice_link=choice_url(session)) + _opens_words(session, language),
    }


def _opens_words(session: InterviewSession, language: str) -> str:
    from .notices import deadline_text

    if session.opens_at is None:
        return ""
    when = deadline_text(session.opens_at, session_time_zone(session), language)
    return f" The interview opens on {when}." if language == "en" else f" 面试将于{when}开放作答。"


def choice_url(session: InterviewSession) -> str:
    from .choice import choice_url as url

    return url(session)


def _invite(session: InterviewSession, token: str):
    """Queue the invitation (after commit, by the organization's channel order for this kind: WeChat, e-mail, SMS,
    whichever reaches the candidate) and (re-)plan the reminders before the deadline."""
    from hirelens.messaging.models import Kind
    from hirelens.messaging.services import message_send, reminders_plan

    variables = invitation_variables(session, session_link(token))
    session.invitations_sent += 1
    # which invitation notice the candidate was sent (issue 20): its version, whose it is, when
    notice = current_notices(session.organization_id).get(ConsentNotice.Kind.INVITATION_AI)
    if notice is not None:
        session.invitation_notice = {"kind": notice.kind, "version": notice.version, "organization": notice.organization_id is not None,
                                     "at": timezone.now().isoformat()}
    session.save(update_fields=["invitations_sent", "invitation_notice", "updated_at"])
    message = message_send(organization_id=session.organization_id, kind=Kind.AI_INTERVIEW_INVITE,
                           candidate=session.application.candidate, variables=variables, language=session.language,
                           subject_type=SUBJECT_TYPE, subject_id=session.pk,
                           idempotency_key=f"ai_interview:{session.pk}:invite:{session.invitations_sent}")
    # Re-planning supersedes the planned ones; one already sent for this deadline and offset is not sent again.
    reminders_plan(organization_id=session.organization_id, subject_type=SUBJECT_TYPE, subject_id=session.pk,
                   starts_at=session.expires_at, offsets=REMINDER_OFFSETS, candidate_id=session.application.candidate_id,
                   variables={**variables, "message_kind": Kind.AI_INTERVIEW_REMINDER})
    return message


def _reminders_cancel(session: InterviewSession) -> None:
    from hirelens.messaging.services import reminders_cancel

    reminders_cancel(organization_id=session.organization_id, subject_type=SUBJECT_TYPE, subject_id=session.pk)


@transaction.atomic
def session_send(*, actor, application, **options) -> tuple[InterviewSession, str, object]:
    """Create the session and send the invitation in one transaction: both exist, or neither. Returns the session,
    its link token (shown once to HR as a fallback) and the queued message."""
    session, token = session_create(actor=actor, application=application, **options)
    message = _invite(session, token)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=session, fields=["invitations_sent"])
    return session, token, message


RESEND_EXTENSION_DAYS = 3  # a candidate who asked for a new link after the deadline gets this long from now


@transaction.atomic
def session_resend(*, actor, session: InterviewSession, extend_days: int | None = None):
    """Send the invitation again with the same link (its token is stored encrypted). A session from before links
    were stored gets a new token, which also closes its old link. Refused once the interview is submitted or
    withdrawn; past its deadline it is refused unless ``extend_days`` moves the deadline to that many days from now
    (HR answering a candidate's request for a new link: the same link opens again, its answers kept)."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    session = (InterviewSession.objects.select_for_update().select_related("application__position", "application__candidate",
                                                                           "organization")
               .get(pk=session.pk, organization_id=actor.organization_id))
    if session.revoked_at is not None or session.state not in OPEN_STATES:
        raise ValidationError(_("面试已撤销或已提交，不能再次发送。"))
    fields = ["invitations_sent"]
    if session.expires_at <= timezone.now():
        if not extend_days:
            raise ValidationError(_("面试已过截止时间，请重新发送一场新的面试。"))
        session.expires_at = timezone.now() + timedelta(days=extend_days)
        session.save(update_fields=["expires_at", "updated_at"])
        fields.append("expires_at")
    token = session.link_token
    if not token:
        token = session.link_token = tokens.mint(SESSION_LINK, session, save=False)
        session.save(update_fields=["token_hash", "link_token", "updated_at"])
    message = _invite(session, token)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=session, fields=fields)
    return message


def session_deliveries(sessions) -> dict[int, list]:
    """The invitation and reminder messages of these sessions with their delivery log (one query each for the
    messages and their attempts, whatever the number of sessions): {session id: [Message, ...]} newest first."""
    from hirelens.messaging.models import Message

    ids = [s.pk for s in sessions]
    if not ids:
        return {}
    organization_id = sessions[0].organization_id
    rows = (Message.objects.filter(organization_id=organization_id, subject_type=SUBJECT_TYPE,
                                   subject_id__in=[str(pk) for pk in ids])
            .prefetch_related("attempts").order_by("-created_at", "-pk"))
    result: dict[int, list] = {pk: [] for pk in ids}
    for message in rows:
        result.setdefault(int(message.subject_id), []).append(message)
    return result


def current_notices(organization_id: int) -> dict[str, ConsentNotice]:
    notices = {}
    for notice in ConsentNotice.objects.filter(Q(organization_id=organization_id) | Q(organization__isnull=True)).order_by(
        "kind", "organization_id", "-version"
    ):
        best = notices.get(notice.kind)
        # an organization's own notice wins over the platform's; within one owner the newest version wins
        if best is None or (best.organization_id is None and notice.organization_id is not None):
            notices[notice.kind] = notice
    return notices


@transaction.atomic
def consent_record(*, actor: LinkActor, session: InterviewSession, accepted: dict[str, bool], request=None) -> InterviewSession:
    """Store which notice versions the candidate accepted (``actor``: their link, ``require_session_link``). Recording
    and AI analysis are required; biometric (facial) analysis is separate and may be declined — then only voice and
    transcript are analysed."""
    require_session_link(actor, session)
    session = (InterviewSession.objects.select_for_update().select_related("organization", "application__position__organization")
               .get(pk=session.pk))
    if session.state not in OPEN_STATES:
        raise ValidationError(_("面试已提交，不能再修改。"))
    from .notices import CONSENT_KINDS

    notices = {k: n for k, n in current_notices(session.organization_id).items() if k in CONSENT_KINDS}
    missing = [k for k in (ConsentNotice.Kind.RECORDING, ConsentNotice.Kind.AI_ANALYSIS) if k not in notices]
    if missing:
        raise ValidationError(_("授权说明尚未配置，请联系招聘方。"))
    # Only the recording is needed for an interview: AI analysis may be declined (issue 20) — then interviewers
    # review the recordings themselves and nothing is analysed; biometric analysis needs AI analysis.
    if not accepted.get(ConsentNotice.Kind.RECORDING):
        raise ValidationError(_("需要您同意录音录像才能继续面试；如不便录像，请申请其他面试形式。"))
    ai = bool(accepted.get(ConsentNotice.Kind.AI_ANALYSIS))
    now = timezone.now().isoformat()
    session.consents = {
        kind: {"version": notice.version, "accepted": bool(accepted.get(kind)) and (ai or kind == ConsentNotice.Kind.RECORDING), "at": now}
        for kind, notice in notices.items()
    }
    session.ai_analysis = InterviewSession.AiAnalysis.ACCEPTED if ai else InterviewSession.AiAnalysis.DECLINED
    session.biometric_allowed = (ai and bool(accepted.get(ConsentNotice.Kind.BIOMETRIC))
                                 and session.application.position.facial_enabled)
    session.save(update_fields=["consents", "ai_analysis", "biometric_allowed", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, organization_id=session.organization_id, obj=session,
                 fields=[f"consent:{k}" for k in session.consents], request=request)
    return session


@transaction.atomic
def session_start(*, session: InterviewSession, audio_only: bool) -> InterviewSession:
    session = InterviewSession.objects.select_for_update().get(pk=session.pk)
    if not session.consents:
        raise ValidationError(_("请先阅读并同意授权说明。"))
    if session.state not in OPEN_STATES:
        raise ValidationError(_("面试已提交，不能再修改。"))
    if session.opens_at is not None and session.opens_at > timezone.now():
        raise ValidationError(_("面试尚未开放，请在开放时间之后再开始。"), code="not_open")
    session.audio_only = audio_only
    if session.state == InterviewSession.State.INVITED:
        session.state, session.started_at = InterviewSession.State.STARTED, timezone.now()
        events.emit(events.AiInterviewStarted(organization_id=session.organization_id, session_id=session.pk,
                                              application_id=session.application_id))
    session.save(update_fields=["audio_only", "state", "started_at", "updated_at"])
    _publish(session)
    return session


# --- Answers and chunks -----------------------------------------------------------------------

def _question(session: InterviewSession, index: int) -> dict:
    if index == -1:
        if not session.practice_question:
            raise ValidationError(_("没有练习题。"))
        return {"text": practice_text(session), "prep_s": PRACTICE_PREP_S, "answer_s": PRACTICE_ANSWER_S, "retakes": 99}
    if not 0 <= index < len(session.questions):
        raise ValidationError(_("题目不存在。"))
    question = session.questions[index]
    if session.extra_answer_s:  # extra time granted to this candidate (an accommodation)
        question = {**question, "answer_s": int(question["answer_s"]) + session.extra_answer_s}
    return question


def retakes_left(session: InterviewSession, index: int) -> int:
    question = _question(session, index)
    used = session.answers.filter(question_index=index, technical_retake=False).exclude(status=Answer.Status.RECORDING).count()
    return max(0, question["retakes"] + 1 - used)


@transaction.atomic
def answer_begin(*, session: InterviewSession, question_index: int, kind: str, mime_type: str = "",
                 technical_retake: bool = False) -> Answer:
    session = InterviewSession.objects.select_for_update().get(pk=session.pk)
    if session.state not in (InterviewSession.State.STARTED, InterviewSession.State.ANSWERING):
        raise ValidationError(_("面试尚未开始或已提交。"))
    _question(session, question_index)
    if kind not in Answer.Kind.values or (kind == Answer.Kind.TEXT and not session.text_answers_allowed):
        raise ValidationError(_("不支持这种作答方式。"))
    if kind == Answer.Kind.VIDEO and session.audio_only:
        kind = Answer.Kind.AUDIO
    unfinished = session.answers.filter(question_index=question_index, status=Answer.Status.RECORDING)
    carried: list = []
    if technical_retake:
        # Only an attempt that broke (never completed) earns a free retake. Its interruptions stay visible to HR on
        # the new take, each one that awaited the candidate's choice marked "recorded again".
        if not unfinished.exists():
            raise ValidationError(_("没有需要重新录制的中断作答。"))
        for broken in unfinished.order_by("attempt"):
            carried += [{**item, "choice": item.get("choice") or "again"} if item.get("kind") == "page" else item
                        for item in broken.interruptions]
        unfinished.update(status=Answer.Status.FAILED, failure="technical retake")
    else:
        if unfinished.exists():
            return unfinished.latest("attempt")  # resume the attempt in progress (reload, network drop)
        if retakes_left(session, question_index) <= 0:
            raise ValidationError(_("这道题的重录次数已用完。"))
    attempt = (session.answers.filter(question_index=question_index).order_by("-attempt").values_list("attempt", flat=True).first() or 0) + 1
    answer = Answer.objects.create(
        organization_id=session.organization_id, session=session, question_index=question_index, attempt=attempt,
        technical_retake=technical_retake, kind=kind, mime_type=mime_type[:100], interruptions=carried[-MAX_INTERRUPTIONS:],
    )
    return answer


@transaction.atomic
def answer_interrupted(*, answer: Answer, kind: str, recorded_s: float = 0.0, offline_s: float = 0.0) -> Answer:
    """Note a technical interruption of a take for HR: ``page`` (the page that was recording went away: a reload, a
    language switch, a closed tab, a crash — reported by the page that finds the take open again) or ``offline``
    (the network dropped while recording; the recording itself went on). It never costs the candidate anything."""
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if kind not in ("page", "offline"):
        raise ValidationError(_("未知的中断类型。"))
    if answer.status not in (Answer.Status.RECORDING, Answer.Status.COMPLETE):
        raise UploadConflict(_("该作答已不能记录中断。"))
    if kind == "page" and answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    item = {"kind": kind, "at": timezone.now().isoformat(), "recorded_s": round(max(0.0, min(float(recorded_s), 36000.0)), 1)}
    if kind == "offline":
        item["offline_s"] = round(max(0.0, min(float(offline_s), 36000.0)), 1)
    answer.interruptions = [*answer.interruptions, item][-MAX_INTERRUPTIONS:]
    answer.save(update_fields=["interruptions", "updated_at"])
    return answer


@transaction.atomic
def answer_interruption_keep(*, answer: Answer) -> Answer:
    """The candidate keeps what an interrupted take recorded as the answer (the page then finishes the upload)."""
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    _interruptions_chosen(answer, "keep")
    answer.save(update_fields=["interruptions", "updated_at"])
    return answer


def _parts(answer: Answer, received: int | None = None) -> list[int]:
    """Where each continued part of a take starts (byte offsets into the upload, ascending); empty for one part.
    With ``received``: only parts that hold something (a part noted but cut off before its first piece holds nothing)."""
    offsets = [int(o) for o in (answer.media or {}).get("parts", [])]
    return offsets if received is None else [o for o in offsets if o < received]


def _part_files(chunks, offsets: list[int]) -> list:
    """The upload's pieces grouped into the parts that start at ``offsets`` (every part starts on a piece boundary:
    ``answer_continue`` took the offset when the server held exactly the earlier pieces), each a temporary file."""
    import tempfile

    bounds = [0, *offsets]
    files = [tempfile.TemporaryFile() for _ in bounds]
    for chunk in chunks:
        part = max(i for i, start in enumerate(bounds) if chunk.offset >= start)
        with chunk.data.storage.open(chunk.data.name, "rb") as handle:  # by name: the field's file may be closed
            files[part].write(handle.read())
    for handle in files:
        handle.seek(0)
    return files


def _recorded_s(answer: Answer, chunks) -> float:
    """Seconds recorded so far by a take's parts (each probed on its own: each is a whole recording)."""
    total = 0.0
    for handle in _part_files(chunks, _parts(answer)):
        with handle:
            try:
                total += probe(handle)["duration_s"]
            except NotMediaError:
                continue  # a part cut off before anything usable: it adds no time
    return total


@transaction.atomic
def answer_continue(*, answer: Answer, offset: int, mime_type: str = "") -> tuple[Answer, float]:
    """The candidate continues an interrupted take where it stopped: a new part (a whole recording from a new
    MediaRecorder) whose pieces follow the earlier ones. ``offset`` is where the page's new part starts; it must be
    exactly what the server holds (the page uploads the earlier part's pieces first), so the parts can be cut apart
    and joined at finish. Repeating the same request is accepted. Returns the answer and the answer time left."""
    answer = Answer.objects.select_for_update().select_related("session").get(pk=answer.pk)
    if answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    if "mp4" in (mime_type or answer.mime_type):
        raise UploadConflict(_("此浏览器录制的格式不能接着录制，请保留已录制的内容或重新录制本题（不占重录次数）。"),
                             code="cannot_continue")
    if answer.mime_type and mime_type and mime_type.split(";")[0] != answer.mime_type.split(";")[0]:
        raise UploadConflict(_("此浏览器的录制格式与中断前不同，不能接着录制，请保留已录制的内容或重新录制本题（不占重录次数）。"),
                             code="cannot_continue")
    chunks = list(answer.chunks.order_by("index"))
    received = sum(c.size for c in chunks)
    parts = _parts(answer)
    if offset != received:
        raise UploadConflict(_("中断前的内容还没有全部上传（服务器已收到 %(got)s 字节，页面为 %(offset)s 字节），请稍候再试。")
                             % {"got": received, "offset": offset}, code="offset")
    question = _question(answer.session, answer.question_index)
    recorded = _recorded_s(answer, chunks)
    left = question["answer_s"] - recorded
    if parts and parts[-1] == offset:  # the same request again (or again after the new part was cut before its first piece)
        _interruptions_chosen(answer, "continued")
        answer.save(update_fields=["interruptions", "updated_at"])
        return answer, max(0.0, left)
    if not chunks:
        raise UploadConflict(_("这次作答还没有上传任何内容，请重新录制（不占重录次数）。"), code="nothing_recorded")
    if left < MIN_CONTINUE_S:
        raise UploadConflict(_("这道题的作答时间已基本用完，请保留已录制的内容或重新录制本题（不占重录次数）。"), code="no_time_left")
    answer.media = {**(answer.media or {}), "parts": [*parts, offset]}
    _interruptions_chosen(answer, "continued")
    answer.save(update_fields=["media", "interruptions", "updated_at"])
    return answer, left


def _interruptions_chosen(answer: Answer, choice: str) -> None:
    answer.interruptions = [{**item, "choice": choice} if item.get("kind") == "page" and not item.get("choice") else item
                            for item in answer.interruptions]


def _size_limit(answer: Answer) -> int:
    question = _question(answer.session, answer.question_index)
    return int((question["answer_s"] + DURATION_GRACE_S) * MAX_BYTES_PER_SECOND)


def chunk_put(*, answer: Answer, index: int, offset: int, sha256: str, data: bytes) -> UploadChunk:
    """Store one piece. Every recording candidate sends one every two seconds, so this is the hot path of a busy
    interview day (docs/scale.md, "Uploads"): the (slow) encrypted file write happens before the short transaction
    that records it, and that transaction is three small statements — lock the answer (status), read the piece and
    the one before it, insert — so the database write lock (SQLite's only one) is held briefly. ``answer`` comes
    from ``access_candidate_upload`` (one query, with its session); its status is only a hint here, the locked
    read decides."""
    sha256 = sha256.lower()
    if not data:
        raise ValidationError(_("分片为空（0 字节），未保存，请重新上传该分片。"), code="empty_chunk")
    if len(data) > MAX_CHUNK_BYTES:
        raise ValidationError(_("分片过大（上限 %(mb)s MB）。") % {"mb": MAX_CHUNK_BYTES // (1024 * 1024)})
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValidationError(_("分片校验和不一致，请重新上传该分片。"))
    if answer.status != Answer.Status.RECORDING or offset + len(data) > _size_limit(answer):
        # a retry after the answer was finished, or a piece to refuse: decided without writing a file
        with transaction.atomic():
            existing = _chunk_check(answer, index=index, offset=offset, sha256=sha256, size=len(data))
        if existing is not None:
            return existing
    from django.core.files.storage import default_storage

    name = default_storage.save(f"chunks/a{answer.pk}-{index}.part", ContentFile(data))
    try:
        with transaction.atomic():
            existing = _chunk_check(answer, index=index, offset=offset, sha256=sha256, size=len(data))
            if existing is not None:  # a retried request: the piece is stored already
                default_storage.delete(name)
                return existing
            chunk = UploadChunk(organization_id=answer.organization_id, answer_id=answer.pk, index=index, offset=offset,
                                size=len(data), sha256=sha256)
            chunk.data.name = name
            chunk.save(force_insert=True)
    except BaseException:
        default_storage.delete(name)
        raise
    return chunk


def _chunk_check(answer: Answer, *, index: int, offset: int, sha256: str, size: int) -> UploadChunk | None:
    """Inside the piece's transaction: returns the stored twin of a repeated piece, raises for a piece that
    contradicts what is stored (or comes after the answer was finished), None for a new piece to insert. Locks the
    answer's row (PostgreSQL; SQLite's BEGIN IMMEDIATE locks the database) so ``answer_finish`` and a racing twin
    wait. Two queries, neither builds a model unless the piece is a repeat."""
    status = Answer.objects.select_for_update().filter(pk=answer.pk).values_list("status", flat=True).get()
    stored = {row[0]: row[1:] for row in UploadChunk.objects.filter(answer_id=answer.pk, index__in=(index - 1, index))
              .values_list("index", "offset", "size", "sha256")}
    if index in stored:
        stored_offset, _size, stored_sha256 = stored[index]
        if stored_sha256 == sha256 and stored_offset == offset:
            return UploadChunk.objects.get(answer_id=answer.pk, index=index)  # a retried request: nothing to do
        raise UploadConflict(_("该分片已以不同内容上传，已保留原内容。"))
    if status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    previous = stored.get(index - 1) if index > 0 else None
    expected = 0 if index == 0 else (previous[0] + previous[1] if previous else None)
    if expected is None:
        raise UploadConflict(_("请先上传第 %(n)s 个分片。") % {"n": index})
    if offset != expected:
        raise UploadConflict(_("分片偏移量不正确（应为 %(offset)s）。") % {"offset": expected})
    if offset + size > _size_limit(answer):
        raise ValidationError(_("作答超过了时长上限。"))
    return None


class _ChunkStream(io.RawIOBase):
    """The chunks of an answer, decrypted and concatenated in order, hashed as they pass."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._current = None
        self.digest = hashlib.sha256()
        self.total = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        while True:
            if self._current is None:
                chunk = next(self._chunks, None)
                if chunk is None:
                    return 0
                self._current = chunk.data.open("rb")
            data = self._current.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                self.digest.update(data)
                self.total += len(data)
                return len(data)
            self._current.close()
            self._current = None


def _fail(answer: Answer, reason: str) -> None:
    Answer.objects.filter(pk=answer.pk).update(status=Answer.Status.FAILED, failure=reason[:300])


def _refuse(answer: Answer, *, name: str, code: str) -> NoReturn:
    """An unusable upload: its file and pieces are deleted and the attempt is open again (status "recording", so it
    uses no retake and ``answer_begin`` resumes it empty); ``failure`` keeps why, which also answers a repeated finish."""
    answer.recording.storage.delete(name)
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        if locked.status == Answer.Status.RECORDING:
            pieces = [c.data.name for c in locked.chunks.all()]
            UploadChunk.objects.filter(answer=locked).delete()
            locked.failure = f"refused: {code}"
            locked.media = {}  # a continued take's parts went with its pieces
            locked.save(update_fields=["failure", "media", "updated_at"])
            storage = answer.recording.storage
            transaction.on_commit(lambda: [storage.delete(n) for n in pieces])
    raise UnusableRecording(unusable_message(code), code=code)


def _join_stored(answer: Answer, chunks, name: str) -> tuple[str, int, str]:
    """A continued take: its parts joined into one recording (packets copied, timestamps following on), stored in
    place of the assembled upload. Returns the joined file's name, size and SHA-256 (what HR's player is served)."""
    import tempfile

    files = _part_files(chunks, _parts(answer, sum(c.size for c in chunks)))
    try:
        with tempfile.TemporaryFile() as joined:
            try:
                join_parts(files, joined, format="mp4" if answer.extension == "mp4" else "webm")
            except JoinError as exc:
                _refuse(answer, name=name, code="parts_differ" if exc.code == "parts_differ" else "not_media")
            joined.seek(0)
            digest, size = hashlib.sha256(), 0
            for block in iter(lambda: joined.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
            joined.seek(0)
            storage = answer.recording.storage
            storage.delete(name)
            return storage.save(answer_upload_to(answer, ""), File(joined, name="answer")), size, digest.hexdigest()
    finally:
        for handle in files:
            handle.close()


def answer_finish(*, answer: Answer, total_size: int | None, sha256: str | None) -> Answer:
    """Assemble, verify and store the answer. Runs its own transaction after the (slow) assembly.

    ``total_size`` and ``sha256`` None: finish with the pieces the server holds (an interrupted take kept as it is by a
    page that no longer has the recording itself, e.g. another browser). The practice answer is checked like any
    answer (a silent microphone is caught there) and then discarded: only the fact that the practice was done stays."""
    answer = Answer.objects.select_related("session").get(pk=answer.pk)
    if total_size is None or sha256 is None:
        if answer.status == Answer.Status.COMPLETE:
            return answer
        stored = list(answer.chunks.order_by("index"))
        if not stored:
            raise UploadConflict(_("这次作答还没有上传任何内容，请重新录制（不占重录次数）。"))
        digest = hashlib.sha256()
        for piece in stored:
            with piece.data.open("rb") as handle:
                digest.update(handle.read())
        total_size, sha256 = sum(c.size for c in stored), digest.hexdigest()
    if answer.status == Answer.Status.COMPLETE:
        upload = (answer.media or {}).get("upload") or {"size": answer.size, "sha256": answer.sha256}
        if upload["sha256"] == sha256.lower() and upload["size"] == total_size:
            return answer  # idempotent
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    if answer.status != Answer.Status.RECORDING:
        raise UploadConflict(_("该作答已完成，不能再上传。"))
    chunks = list(answer.chunks.order_by("index"))
    received = sum(c.size for c in chunks)
    refused = answer.failure.removeprefix("refused: ") if answer.failure.startswith("refused: ") else ""
    if refused and not chunks and total_size > 0:
        raise UnusableRecording(unusable_message(refused), code=refused)  # the same finish again (its answer was lost)
    if received != total_size:
        raise UploadConflict(_("还有分片没有上传（已收到 %(got)s / %(total)s 字节）。") % {"got": received, "total": total_size})
    stream = _ChunkStream(chunks)
    name = answer.recording.storage.save(answer_upload_to(answer, ""), File(stream, name="answer"))
    if stream.digest.hexdigest() != sha256.lower():
        answer.recording.storage.delete(name)
        raise ValidationError(_("整段作答的校验和不一致，请重新上传。"))
    upload = {"size": total_size, "sha256": sha256.lower()}
    parts = len(_parts(answer, received)) + 1
    if parts > 1:
        name, total_size, sha256 = _join_stored(answer, chunks, name)
    try:
        with answer.recording.storage.open(name) as handle:
            facts = probe(handle)
    except NotMediaError:
        _refuse(answer, name=name, code="not_media")
    if not facts["audio_s"]:
        _refuse(answer, name=name, code="no_audio")
    if min(facts["audio_s"], facts["duration_s"]) < MIN_ANSWER_S:
        _refuse(answer, name=name, code="too_short")
    question = _question(answer.session, answer.question_index)
    if facts["duration_s"] > question["answer_s"] + DURATION_GRACE_S:
        answer.recording.storage.delete(name)
        _fail(answer, "too long")
        raise ValidationError(_("作答超过了时长上限。"))
    practice = answer.question_index < 0
    with transaction.atomic():
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        session = InterviewSession.objects.select_for_update().get(pk=answer.session_id)
        answer.recording.name = "" if practice else name  # the practice is never kept (the candidate was told so)
        answer.size, answer.sha256, answer.media = total_size, sha256.lower(), facts
        if parts > 1:  # a continued take: the stored file is the parts joined; the upload's own facts answer a repeat
            answer.media = {**facts, "parts": parts, "upload": upload}
        answer.duration_s = facts["duration_s"]
        answer.status, answer.completed_at, answer.failure = Answer.Status.COMPLETE, timezone.now(), ""
        if not facts["has_video"]:
            answer.kind = Answer.Kind.AUDIO
        # no AI analysis for a candidate who declined it (issue 20): the recording is for people to review only
        analyse = answer.question_index >= 0 and session.ai_analysis != InterviewSession.AiAnalysis.DECLINED
        if analyse:
            answer.analysis_status = Answer.Analysis.QUEUED
        answer.save()
        _supersede(answer)
        if session.state == InterviewSession.State.STARTED and answer.question_index >= 0:
            session.state = InterviewSession.State.ANSWERING
            session.save(update_fields=["state", "updated_at"])
        chunk_files = [c.data.name for c in chunks] + ([name] if practice else [])
        UploadChunk.objects.filter(answer=answer).delete()
        storage = answer.recording.storage
        transaction.on_commit(lambda: [storage.delete(n) for n in chunk_files])
        if analyse:
            from .tasks import answer_analyse_task

            enqueue_on_commit(answer_analyse_task, answer.pk)
        _publish(session, answer)
    return answer


def _supersede(answer: Answer) -> None:
    """A completed retake replaces the earlier completed attempt of the same question."""
    Answer.objects.filter(session_id=answer.session_id, question_index=answer.question_index, status=Answer.Status.COMPLETE).exclude(
        pk=answer.pk).update(status=Answer.Status.DISCARDED)


@transaction.atomic
def answer_text(*, session: InterviewSession, question_index: int, text: str) -> Answer:
    answer = answer_begin(session=session, question_index=question_index, kind=Answer.Kind.TEXT)
    text = text.strip()
    if not text:
        raise ValidationError(_("请填写作答内容。"))
    answer.text, answer.status, answer.completed_at = text[:20000], Answer.Status.COMPLETE, timezone.now()
    answer.save()
    _supersede(answer)
    session.refresh_from_db()
    if session.state == InterviewSession.State.STARTED:
        session.state = InterviewSession.State.ANSWERING
        session.save(update_fields=["state", "updated_at"])
    _publish(session, answer)
    return answer


@transaction.atomic
def session_submit(*, session: InterviewSession) -> InterviewSession:
    session = InterviewSession.objects.select_for_update().get(pk=session.pk)
    if session.state in (InterviewSession.State.SUBMITTED, InterviewSession.State.ANALYSED):
        return session
    done = set(session.answers.filter(status=Answer.Status.COMPLETE, question_index__gte=0).values_list("question_index", flat=True))
    missing = [i + 1 for i in range(len(session.questions)) if i not in done]
    if missing:
        raise ValidationError(_("还有题目未作答：%(list)s") % {"list": ", ".join(map(str, missing))})
    session.state, session.submitted_at = InterviewSession.State.SUBMITTED, timezone.now()
    session.save(update_fields=["state", "submitted_at", "updated_at"])
    timeline_add(candidate=session.application.candidate, kind="interview.ai_submitted", by_candidate=True,
                 params={"title": session.title, "position": session.application.position.title,
                         "position_id": session.application.position_id})
    _reminders_cancel(session)  # nothing reminds a candidate who has finished
    events.emit(events.AiInterviewSubmitted(organization_id=session.organization_id, session_id=session.pk,
                                            application_id=session.application_id))
    _publish(session)
    return session


def session_mark_analysed_if_done(*, session_id: int) -> None:
    with transaction.atomic():
        session = InterviewSession.objects.select_for_update().get(pk=session_id)
        if session.state != InterviewSession.State.SUBMITTED:
            return
        pending = session.answers.filter(status=Answer.Status.COMPLETE, question_index__gte=0).exclude(
            kind=Answer.Kind.TEXT).exclude(analysis_status__in=[Answer.Analysis.DONE, Answer.Analysis.FAILED])
        if not pending.exists():
            session.state = InterviewSession.State.ANALYSED
            session.save(update_fields=["state", "updated_at"])
            events.emit(events.AiInterviewAnalysed(organization_id=session.organization_id, session_id=session.pk,
                                                   application_id=session.application_id))
            _publish(session)
