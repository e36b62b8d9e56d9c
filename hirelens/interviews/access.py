from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from hirelens.candidates.access import visible_applications
from hirelens.core import tokens
from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.actors import LinkActor

from .models import SESSION_LINK, Answer, InterviewSession
from .services import session_by_token


def visible_sessions(*, actor) -> QuerySet[InterviewSession]:
    """Sessions of the applications the staff member may see (``candidates.access.visible_applications``).
    Stage permissions (W2) are applied on top by ``session_list`` and ``access_session``.

    Checked per row (EXISTS), as ``scheduling.access.visible_interviews`` does, not as an IN list of every visible
    application: one session's check, one application's sessions and a page of the newest then read their own rows
    (SQLite, 100,000 candidates, an interviewer seeing 40,578 applications: one application's sessions and their
    stages on the evaluations page 32 + 35 ms -> under 1 ms each)."""
    return tenant_queryset(InterviewSession.objects.all(), actor=actor).filter(
        Exists(visible_applications(actor=actor).filter(pk=OuterRef("application_id"))))


def _stage_visible(*, actor, session: InterviewSession) -> bool:
    from hirelens.workflows.access import stage_can_view

    return session.stage_id is None or stage_can_view(actor=actor, stage=session.stage)


def session_list(*, actor, state: str = "", application=None, candidate=None) -> QuerySet[InterviewSession]:
    """Sessions the actor may see, stage permissions (W2) included, newest first (of one application or one
    candidate if given). The stages the actor may not see are left out in SQL (``hidden_stage_ids``), so a page of
    the list reads its rows only, however many sessions there are."""
    from hirelens.workflows.access import hidden_stage_ids

    qs = (visible_sessions(actor=actor).select_related("application__position", "application__candidate", "stage__version__process",
                                                       "organization")
          .order_by("-created_at", "-pk"))
    if state:
        qs = qs.filter(state=state)
    if application is not None:
        qs = qs.filter(application=application)
    if candidate is not None:
        qs = qs.filter(application__candidate=candidate)
    hidden = hidden_stage_ids(actor=actor, stage_ids=qs.exclude(stage__isnull=True).values("stage_id").distinct())
    return qs.exclude(stage_id__in=hidden) if hidden else qs


def access_session(*, actor, session_id) -> InterviewSession:
    session = get_for_actor(visible_sessions(actor=actor), actor=actor, pk=session_id)
    if not _stage_visible(actor=actor, session=session):
        raise Http404  # a stage the actor may not see (W2), answered like a missing one
    return session


def access_answer(*, actor, answer_id) -> Answer:
    answer = get_for_actor(Answer.objects.select_related("session"), actor=actor, pk=answer_id)
    access_session(actor=actor, session_id=answer.session_id)
    return answer


def access_session_by_token(*, token: str) -> InterviewSession:
    """The candidate's side: the link token is the credential. Unknown, expired and revoked look alike (404): the
    pages then ask ``messaging.services.deadlinks`` which it was; the JSON endpoints use ``access_session_actor``."""
    session = session_by_token(token)
    if session is None:
        raise Http404
    return session


def access_session_actor(*, token: str) -> LinkActor:
    """The candidate acting through their interview link (``actor.link`` is the session), for the JSON endpoints and
    the candidate's writes. ``tokens.LinkDead`` says why a link opens nothing: unknown (404) or expired / revoked (410),
    the one rule of core/tokens.py."""
    return tokens.resolve_actor(SESSION_LINK, token)


def access_candidate_answer(*, session: InterviewSession, answer_id) -> Answer:
    try:
        answer_id = int(answer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    answer = session.answers.filter(pk=answer_id).first()
    if answer is None:  # another candidate's answer id: the same 404 as a missing one
        raise Http404
    return answer


def access_candidate_upload(*, token: str, answer_id) -> Answer:
    """The answer a candidate's uploaded piece goes to, with its session, in one query: a recording candidate sends a
    piece every two seconds, and ``access_session_by_token`` + ``access_candidate_answer`` take two queries and read
    the application, position and candidate too. A link that opens nothing raises ``tokens.LinkDead`` (unknown: 404;
    expired, revoked or cancelled: 410 — the one rule of core/tokens.py); another session's answer or a missing one is
    a 404 (``Http404``). Only a refused piece costs a second query (which of those it was)."""
    try:
        answer_id = int(answer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not token or len(token) > 2000:
        raise tokens.LinkDead(tokens.UNKNOWN)
    answer = (Answer.objects.select_related("session").defer("session__link_token")
              .filter(pk=answer_id, session__token_hash=tokens.token_hash(token)).first())
    if answer is None:
        session, state = tokens.find(SESSION_LINK, token)
        if state != tokens.LIVE:
            raise tokens.LinkDead(state, session)
        raise Http404
    state = tokens.link_state(SESSION_LINK, answer.session)
    if state != tokens.LIVE:
        raise tokens.LinkDead(state, answer.session)
    return answer
