from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.roles import Perm, user_can
from hirelens.positions.models import PositionAssignment

from .models import Application, BackgroundCheck, Candidate, Document, Project, WorkExperience


def visible_applications(*, actor) -> QuerySet[Application]:
    """The one rule for who sees an application, used by every page, API, selector and service of every app
    (and, through them, by the objects hanging off an application: interview sessions, scheduled interviews,
    scorecards, live events). HR sees every application of the organization; interviewers and hiring managers
    only those of positions they are assigned to."""
    qs = tenant_queryset(Application.objects.all(), actor=actor)
    if user_can(actor, Perm.CANDIDATES_VIEW_ALL):
        return qs
    if user_can(actor, Perm.CANDIDATES_VIEW_ASSIGNED):
        assigned = PositionAssignment.objects.filter(organization_id=actor.organization_id, user=actor).values("position_id")
        return qs.filter(position_id__in=assigned)
    return qs.none()


def access_application(*, actor, application_id) -> Application:
    """One application, or the same 404 for a missing, foreign-tenant or unassigned-position one."""
    return get_for_actor(visible_applications(actor=actor).select_related("position", "candidate"), actor=actor,
                         pk=application_id)


def visible_candidates(*, actor) -> QuerySet[Candidate]:
    """HR sees every candidate of the organization; interviewers and hiring managers only those with an
    application they may see (``visible_applications``)."""
    qs = tenant_queryset(Candidate.objects.all(), actor=actor)
    if user_can(actor, Perm.CANDIDATES_VIEW_ALL):
        return qs
    # EXISTS per candidate, not IN (every visible application's candidate): one candidate's check and a page of the
    # newest walk the (candidate, position) index instead of listing an interviewer's tens of thousands of
    # applications first (SQLite, 100,000 candidates: 75 ms -> under 1 ms for one, 193 ms -> under 1 ms for a page)
    return qs.filter(Exists(visible_applications(actor=actor).filter(candidate_id=OuterRef("pk"))))


def visible_candidate_count(*, actor) -> int:
    """How many candidates ``visible_candidates`` holds, counted from the side that is cheaper: the interviewer's
    applications (their distinct candidates, through the position index) rather than an EXISTS for every candidate of
    the organization (SQLite, 100,000 candidates, an interviewer seeing 40,578: 83 -> 20 ms of CPU)."""
    if user_can(actor, Perm.CANDIDATES_VIEW_ALL):
        return tenant_queryset(Candidate.objects.all(), actor=actor).count()
    return visible_applications(actor=actor).order_by().aggregate(n=Count("candidate_id", distinct=True))["n"]


def access_candidate(*, actor, candidate_id) -> Candidate:
    return get_for_actor(visible_candidates(actor=actor), actor=actor, pk=candidate_id)


def access_candidate_for_edit(*, actor, candidate_id) -> Candidate:
    """Visible *and* writable: a reader without CANDIDATES_MANAGE gets the same 404 as a stranger."""
    candidate = access_candidate(actor=actor, candidate_id=candidate_id)
    if not user_can(actor, Perm.CANDIDATES_MANAGE):
        raise Http404
    return candidate


def _child(model, *, actor, candidate_id, pk):
    candidate = access_candidate(actor=actor, candidate_id=candidate_id)
    obj = get_for_actor(model.objects.filter(candidate=candidate), actor=actor, pk=pk)
    return candidate, obj


def access_document(*, actor, candidate_id, document_id) -> tuple[Candidate, Document]:
    return _child(Document, actor=actor, candidate_id=candidate_id, pk=document_id)


def access_project(*, actor, candidate_id, project_id) -> tuple[Candidate, Project]:
    return _child(Project, actor=actor, candidate_id=candidate_id, pk=project_id)


def access_work(*, actor, candidate_id, work_id) -> tuple[Candidate, WorkExperience]:
    return _child(WorkExperience, actor=actor, candidate_id=candidate_id, pk=work_id)


def access_background_check(*, actor, candidate_id, check_id) -> tuple[Candidate, BackgroundCheck]:
    return _child(BackgroundCheck, actor=actor, candidate_id=candidate_id, pk=check_id)
