"""Notice and choice (issue 20): editable notices, the candidate's choice about AI analysis, accommodation and
human-review requests (HR answers them, the candidate is told), and what a candidate is shown of the analysis.

Services here follow ``services.py``: keyword-only, one transaction each, audit in the same transaction, messages
queued after commit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hirelens.core.access import require_perm
from hirelens.core.actors import LinkActor
from hirelens.core.audit import audit_record
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from .models import CandidateRequest, ConsentNotice, InterviewSession

EDITABLE_KINDS = (ConsentNotice.Kind.INVITATION_AI, ConsentNotice.Kind.RECORDING, ConsentNotice.Kind.AI_ANALYSIS,
                  ConsentNotice.Kind.BIOMETRIC)
MAX_EXTRA_SECONDS = 1800
ACCOMMODATION_KINDS = [k for k in CandidateRequest.Kind if k != CandidateRequest.Kind.HUMAN_REVIEW]


# --- Notices: editable per organization, every edit a new version -------------------------------

@transaction.atomic
def notice_edit(*, actor, kind: str, text_zh: str, text_en: str) -> ConsentNotice:
    """A new version of the organization's notice of this kind. Old versions are never changed: a candidate's recorded
    version still names the text they read."""
    require_perm(actor, Perm.ORG_SETTINGS)
    if kind not in EDITABLE_KINDS:
        raise ValidationError(_("未知的说明类型。"))
    text_zh, text_en = (text_zh or "").strip(), (text_en or "").strip()
    if not text_zh or not text_en:
        raise ValidationError(_("中文和英文说明都必须填写。"))
    from .services import current_notices

    current = current_notices(actor.organization_id).get(kind)
    if current is not None and current.text_zh == text_zh and current.text_en == text_en:
        return current  # nothing changed: no new version
    # versions count on from the platform's, so "v2" always means the second text candidates could have read
    latest = ConsentNotice.objects.filter(kind=kind, organization_id__in=[actor.organization_id]).aggregate(n=Max("version"))["n"]
    version = max(latest or 0, current.version if current else 0) + 1
    required = current.required if current is not None else kind != ConsentNotice.Kind.BIOMETRIC
    notice = ConsentNotice.objects.create(organization_id=actor.organization_id, kind=kind, version=version, text_zh=text_zh,
                                          text_en=text_en, required=required)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=notice, fields=["text_zh", "text_en"])
    return notice


def notice_list(*, actor) -> list[dict]:
    """Each editable kind with its current notice and every version (the organization's and the platform's)."""
    require_perm(actor, Perm.ORG_SETTINGS)
    from .services import current_notices

    current = current_notices(actor.organization_id)
    rows = []
    for kind in EDITABLE_KINDS:
        versions = list(ConsentNotice.objects.filter(kind=kind, organization_id=actor.organization_id).order_by("-version"))
        versions += list(ConsentNotice.objects.filter(kind=kind, organization__isnull=True).order_by("-version"))
        rows.append({"kind": kind, "label": ConsentNotice.Kind(kind).label, "current": current.get(kind), "versions": versions})
    return rows


# --- The candidate's choice --------------------------------------------------------------------

@transaction.atomic
def ai_analysis_decline(*, actor: LinkActor, session: InterviewSession, request=None) -> InterviewSession:
    """The candidate chooses no AI analysis (from the invitation's link, before the interview): interviewers review the
    recordings themselves. Also taken on the consent step by leaving AI analysis unticked."""
    from .services import OPEN_STATES, require_session_link

    require_session_link(actor, session)
    session = InterviewSession.objects.select_for_update().get(pk=session.pk)

    if session.state not in OPEN_STATES:
        raise ValidationError(_("面试已提交，不能再修改。"))
    session.ai_analysis = InterviewSession.AiAnalysis.DECLINED
    session.biometric_allowed = False
    session.save(update_fields=["ai_analysis", "biometric_allowed", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, organization_id=session.organization_id, obj=session,
                 fields=["ai_analysis"], request=request)
    return session


@transaction.atomic
def request_create(*, actor: LinkActor, session: InterviewSession, kind: str, details: str = "",
                   request=None) -> CandidateRequest:
    """A candidate's request from the interview's pages (``actor``: their link): an accommodation or a human review."""
    from .services import require_session_link

    require_session_link(actor, session)
    if kind not in CandidateRequest.Kind.values:
        raise ValidationError(_("请选择申请的类型。"))
    details = (details or "").strip()[:2000]
    if kind in (CandidateRequest.Kind.OTHER, CandidateRequest.Kind.HUMAN_REVIEW, CandidateRequest.Kind.OTHER_FORMAT) and not details:
        raise ValidationError(_("请简要说明您的需要。"))
    open_same = CandidateRequest.objects.filter(session=session, kind=kind, status=CandidateRequest.Status.OPEN).first()
    if open_same is not None:
        return open_same  # the same request sent twice (a double click, a reload): one case
    item = CandidateRequest.objects.create(organization_id=session.organization_id, session=session, kind=kind, details=details)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, organization_id=session.organization_id, obj=item,
                 fields=["kind", "details"], request=request)
    from hirelens.core.realtime import organization_group, publish_on_commit

    publish_on_commit(organization_group(session.organization_id), "interview.updated",
                      {"session": session.pk, "state": session.state, "application": session.application_id, "request": item.pk},
                      audience={"session": session.pk})
    return item


def request_list(*, actor, status: str = ""):
    """The requests of the sessions the actor may see (``access.session_list``: positions, stage permissions), newest
    first: a query set, so that a page reads its own rows only."""
    from .access import session_list

    qs = (CandidateRequest.objects.filter(organization_id=actor.organization_id, session__in=session_list(actor=actor).values("pk"))
          .select_related("session__application__candidate", "session__application__position", "booking_link"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def access_request(*, actor, request_id) -> CandidateRequest:
    from hirelens.core.access import get_for_actor

    from .access import access_session

    item = get_for_actor(CandidateRequest.objects.all(), actor=actor, pk=request_id)
    item.session = access_session(actor=actor, session_id=item.session_id)  # the same 404 for a session out of scope
    return item


@transaction.atomic
def request_answer(*, actor, item: CandidateRequest, grant: bool, answer: str, extra_seconds: int = 0) -> CandidateRequest:
    """HR answers a request. Granting extra time adds ``extra_seconds`` to every question's answer time of that session;
    granting text answers lets the candidate type answers instead of recording; granting a live interview instead sends
    the candidate a booking link (scheduling's self-booking) and withdraws the AI interview (``_live_instead``). The
    candidate is told by message. One transaction: a refusal (a process with no live stage) leaves nothing done."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    item = CandidateRequest.objects.select_for_update().get(pk=item.pk, organization_id=actor.organization_id)
    if item.status != CandidateRequest.Status.OPEN:
        raise ValidationError(_("这个申请已经答复过了。"))
    answer = (answer or "").strip()[:2000]
    if not answer:
        raise ValidationError(_("请填写给候选人的答复。"))
    session = InterviewSession.objects.select_for_update().get(pk=item.session_id)
    fields = ["status", "answer"]
    if grant and item.kind == CandidateRequest.Kind.EXTRA_TIME:
        if not 1 <= int(extra_seconds or 0) <= MAX_EXTRA_SECONDS:
            raise ValidationError(_("请填写增加的作答时间（1–%(max)s 秒）。") % {"max": MAX_EXTRA_SECONDS})
        item.extra_seconds = int(extra_seconds)
        session.extra_answer_s += item.extra_seconds
        session.save(update_fields=["extra_answer_s", "updated_at"])
        fields.append("extra_seconds")
    if grant and item.kind == CandidateRequest.Kind.TEXT_ANSWERS:
        session.text_answers_allowed = True
        session.save(update_fields=["text_answers_allowed", "updated_at"])
    booking_url = ""
    if grant and item.kind == CandidateRequest.Kind.LIVE_INTERVIEW:
        item.booking_link, booking_url = _live_instead(actor=actor, session=session)
        fields.append("booking_link")
    item.status = CandidateRequest.Status.GRANTED if grant else CandidateRequest.Status.DECLINED
    item.answer, item.answered_by, item.answered_at = answer, actor, timezone.now()
    item.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=item, fields=fields)
    _tell_candidate(item, session, booking_url=booking_url)
    return item


def live_stage(application):
    """The live interview stage of the application's process (the version it runs in, else the position's published
    one), the first by order; None when the process has none."""
    from hirelens.workflows.models import ApplicationProgress, ProcessVersion, Stage
    from hirelens.workflows.modules import modules_where

    progress = ApplicationProgress.objects.filter(application=application).values("version_id").first()
    if progress is not None:
        version_id = progress["version_id"]
    else:
        version_id = (ProcessVersion.objects.filter(process__position_id=application.position_id, process__is_active=True,
                                                    status=ProcessVersion.Status.PUBLISHED)
                      .order_by("-number", "-pk").values_list("pk", flat=True).first())
    if version_id is None:
        return None
    return (Stage.objects.filter(version_id=version_id, module__in=modules_where(lambda spec: spec.live_room))
            .order_by("order", "pk").first())


def _live_instead(*, actor, session: InterviewSession):
    """A granted "live interview instead": the booking link of scheduling (the candidate picks one of the times offered
    for the position; HR may schedule one directly too), and the AI interview withdrawn so that the candidate is not
    asked twice (``session_revoke``: its reminders stop). Refused, before anything is written, when the position's
    process has no live interview stage. Returns the link and its URL (shown only here: the message carries it)."""
    from hirelens.scheduling.links import link_issue, link_url
    from hirelens.scheduling.models import InterviewLink

    from .services import OPEN_STATES, session_revoke

    require_perm(actor, Perm.POSITIONS_MANAGE)  # what scheduling's booking_link_issue asks
    application = session.application
    if live_stage(application) is None:
        raise ValidationError(_("这个职位的招聘流程中没有真人面试（直播面试）环节，无法改为真人面试。请先在流程中加入直播面试环节，"
                                "或不同意并向候选人说明原因。"), code="no_live_stage")
    link, token = link_issue(application=application, kind=InterviewLink.Kind.BOOKING, actor=actor)
    if session.revoked_at is None and session.state in OPEN_STATES:
        session_revoke(actor=actor, session=session)
    return link, link_url(token)


def request_arrangements(items) -> None:
    """Sets ``arranged_interview`` on each granted "live interview instead" of ``items`` (a page of requests): the
    application's first interview, not cancelled, scheduled since HR's answer (booked with the link, or by HR). One
    query for the page."""
    from hirelens.scheduling.models import Interview

    live = [i for i in items if i.is_live_arranged]
    for item in items:
        item.arranged_interview = None
    if not live:
        return
    interviews = (Interview.objects.filter(application_id__in={i.session.application_id for i in live},
                                           created_at__gte=min(i.answered_at for i in live))
                  .exclude(status=Interview.Status.CANCELLED).select_related("application__position").order_by("start_at", "pk"))
    by_application: dict[int, list] = {}
    for interview in interviews:
        by_application.setdefault(interview.application_id, []).append(interview)
    for item in live:
        item.arranged_interview = next((iv for iv in by_application.get(item.session.application_id, [])
                                        if iv.created_at >= item.answered_at), None)


def open_slot_count(item: CandidateRequest) -> int:
    """The times the candidate of ``item`` may book now (scheduling's offered slots of the position)."""
    from hirelens.scheduling.services import open_slots_for

    return open_slots_for(item.session.application).count()


def replaced_session(token: str) -> InterviewSession | None:
    """The session of ``token`` when its link was withdrawn because a live interview replaces it (a granted "live
    interview instead"): its candidate still reads their requests and the arrangement on the choice page."""
    from hirelens.core import tokens

    from .models import SESSION_LINK

    target, state = tokens.find(SESSION_LINK, token)
    if target is None or state != tokens.REVOKED:
        return None
    granted = CandidateRequest.objects.filter(session=target, kind=CandidateRequest.Kind.LIVE_INTERVIEW,
                                              status=CandidateRequest.Status.GRANTED)
    return target if granted.exists() else None


def live_booking_url(*, session: InterviewSession) -> str:
    """A fresh booking link for the candidate of a replaced session (the one sent is stored only as a hash), as the
    portal's "book" does; "" when no live interview was granted for it, or the application has ended since (rejected,
    withdrawn, hired: the withdrawn link must not keep minting booking links)."""
    from hirelens.candidates.models import Application
    from hirelens.scheduling.services import booking_link_for_candidate

    if session.application.status != Application.Status.ACTIVE:
        return ""
    if not CandidateRequest.objects.filter(session=session, kind=CandidateRequest.Kind.LIVE_INTERVIEW,
                                           status=CandidateRequest.Status.GRANTED).exists():
        return ""
    return booking_link_for_candidate(application=session.application)


def _tell_candidate(item: CandidateRequest, session: InterviewSession, *, booking_url: str = "") -> None:
    """The answer goes to the candidate by their channels, in the interview's language, with the link to their page."""
    from hirelens.messaging.models import Kind
    from hirelens.messaging.services import message_send

    language = "en" if session.language.startswith("en") else "zh-hans"
    with override(language):
        status = str(CandidateRequest.Status(item.status).label)
        reply = _("关于您的申请（%(kind)s）：%(status)s。%(answer)s") % {
            "kind": CandidateRequest.Kind(item.kind).label, "status": status, "answer": item.answer}
        if item.kind == CandidateRequest.Kind.EXTRA_TIME and item.status == CandidateRequest.Status.GRANTED:
            reply += " " + _("每道题的作答时间已增加 %(s)s 秒。") % {"s": item.extra_seconds}
        if booking_url:
            reply += " " + _("AI视频面试已取消，您无需再作答。请通过这个链接选择真人面试的时间（7 天内有效）：%(link)s") % {
                "link": booking_url}
        link = choice_url(session)
        reply += " " + _("查看：%(link)s") % {"link": link}
    message_send(organization_id=session.organization_id, kind=Kind.HELPDESK_REPLY, candidate=session.application.candidate,
                 variables={"reply": reply, "ticket": item.pk, "help_link": link}, language=session.language,
                 subject_type="interviews.candidaterequest", subject_id=item.pk,
                 idempotency_key=f"candidate_request:{item.pk}:answer")


# --- Links a candidate follows -----------------------------------------------------------------

def choice_url(session: InterviewSession) -> str:
    """The candidate's page for the alternative and accommodations (linked from the invitation and the portal)."""
    return absolute_url(reverse("interviews:candidate_choice", args=[session.link_token])) if session.link_token else ""


def explanation_url(session: InterviewSession) -> str:
    return absolute_url(reverse("interviews:candidate_explanation", args=[session.link_token])) if session.link_token else ""


def review_link(application) -> str:
    """Where a candidate asks for a human review of a decision on this application: the explanation page of their
    latest AI interview, else the help desk."""
    session = next((s for s in InterviewSession.objects.filter(application=application).order_by("-created_at") if s.link_token),
                   None)
    if session is not None:
        return explanation_url(session) + "#review"
    from hirelens.messaging.services.helpdesk import help_url

    return help_url(candidate=application.candidate, subject_type="candidates.application", subject_id=application.pk,
                    absolute=True)


def session_explanation(*, session: InterviewSession) -> list[dict]:
    """What was measured on each submitted answer: neutral signals with their meaning, and the transcript."""
    from .analysis_display import candidate_signals
    from .models import Answer

    rows = []
    answers = session.answers.filter(status=Answer.Status.COMPLETE, question_index__gte=0).order_by("question_index")
    for answer in answers:
        question = session.questions[answer.question_index]["text"] if answer.question_index < len(session.questions) else ""
        rows.append({"n": answer.question_index + 1, "question": question, "text": answer.text,
                     "signals": candidate_signals(answer.analysis) if session.ai_analysis != InterviewSession.AiAnalysis.DECLINED else None})
    return rows
