"""Interview sessions: create, link, revoke, consent, start, submit; the practice question; what is published."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
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
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.realtime import organization_group, publish_on_commit
from hirelens.core.roles import Perm

from ..models import SESSION_LINK, Answer, ConsentNotice, InterviewSession

OPEN_STATES = InterviewSession.OPEN_STATES  # the model's (``InterviewSession.is_open`` adds the link's withdrawal)
PRACTICE_PREP_S, PRACTICE_ANSWER_S = 30, 60
# The default practice question in each interview language. A session in English whose practice text is one of the
# Chinese defaults (the HR form's and the process template's, before they followed the language) asks the English one.
PRACTICE_DEFAULTS = {"zh-hans": "请用三个词介绍你自己。", "en": "Please describe yourself in three words."}
PRACTICE_DEFAULTS_ZH = {"请用三个词介绍你自己。", "练习题：用三个词描述你自己。"}
SUBJECT_TYPE = "interviews.interviewsession"  # how messages and reminders name a session (the audit object kind)

_hash = tokens.token_hash  # the stored form of a link's token (tests and benches build sessions with it)


def _publish(session: InterviewSession, answer: Answer | None = None) -> None:
    payload = {"session": session.pk, "state": session.state, "application": session.application_id}
    if answer is not None:
        payload.update(answer=answer.pk, question=answer.question_index, status=answer.status, analysis=answer.analysis_status)
    publish_on_commit(organization_group(session.organization_id), "interview.updated", payload,
                      audience={"session": session.pk})  # position scope and stage permissions (access_session)


def practice_default(language: str) -> str:
    return PRACTICE_DEFAULTS["en" if (language or "").startswith("en") else "zh-hans"]


def practice_text(session: InterviewSession) -> str:
    """The practice question as the candidate reads it: a Chinese default in an English interview reads in English."""
    text = session.practice_question
    if text.strip() in PRACTICE_DEFAULTS_ZH and (session.language or "").startswith("en"):
        return PRACTICE_DEFAULTS["en"]
    return text


@transaction.atomic
def session_create(*, actor, application, questions: list[dict], practice_question: str = "", title: str = "",
                   valid_days: int = 7, extra_prep_s: int = 0, text_answers_allowed: bool = False,
                   language: str = "zh-hans", stage=None, materials: str = "",
                   answer_language: str = InterviewSession.AnswerLanguage.AUTO) -> tuple[InterviewSession, str]:
    """Create a session and return it with its link token (only the token's hash is stored)."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if application.organization_id != actor.organization_id:
        raise ValidationError(_("候选人和职位必须属于本组织。"))
    if not application.is_open:  # the pages offer an AI interview by the same property (issue 23 §7)
        raise ValidationError(_("这份申请的状态是“%(status)s”，招聘已结束，不能再发送AI面试。")
                              % {"status": application.get_status_display()}, code="application_closed")
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


def _reminders_cancel(session: InterviewSession) -> None:
    from hirelens.messaging.services import reminders_cancel

    reminders_cancel(organization_id=session.organization_id, subject_type=SUBJECT_TYPE, subject_id=session.pk)



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
    from ..notices import CONSENT_KINDS

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
