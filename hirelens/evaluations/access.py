"""Who may see and write scorecards and decisions.

* Everything hangs off the application: ``hirelens.candidates.access.access_application`` (tenant, and
  the panel only for positions they are assigned to) and the stage rules of W2
  (``stage_can_view`` / ``stage_can_score``): a stage the actor may not see answers 404.
* **Blind until submitted** (no anchoring): someone on the position's panel who may score a stage sees the other interviewers'
  cards of that stage (and the profile parts built from them) only after submitting their own. People
  who may see the stage but not score it (HR running the process) see submitted cards. Drafts are
  only ever seen by their author.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from hirelens.candidates.access import access_application
from hirelens.candidates.models import Application
from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.roles import AssignmentRole, Perm, user_can
from hirelens.workflows.access import assignment_roles, stage_can_score, stage_can_view
from hirelens.workflows.models import ApplicationProgress, Stage

from .models import Scorecard

# People who interview for the position: they are blind until they submit. An HR admin who may score but is
# not on the panel (and has not started a card) runs the process and reads submitted cards.
PANEL_ROLES = {AssignmentRole.INTERVIEWER, AssignmentRole.HIRING_MANAGER}


def access_application_for_evaluation(*, actor, application_id) -> Application:
    return access_application(actor=actor, application_id=application_id)


def application_stages(application: Application) -> list[Stage]:
    """The stages of the process version the application is pinned to (empty without a process)."""
    progress = ApplicationProgress.objects.filter(application_id=application.pk).select_related("version").first()
    if progress is None:
        return []
    return list(progress.version.stages.select_related("version__process").prefetch_related("view_users", "score_users")
                .order_by("order", "pk"))


def stage_of_application(*, application: Application, stage_id) -> Stage:
    try:
        stage_id = int(stage_id)
    except (TypeError, ValueError):
        raise Http404 from None
    stage = next((s for s in application_stages(application) if s.pk == stage_id), None)
    if stage is None:
        raise Http404
    return stage


def access_stage_for_evaluation(*, actor, application: Application, stage_id) -> Stage:
    stage = stage_of_application(application=application, stage_id=stage_id)
    if not stage_can_view(actor=actor, stage=stage):
        raise Http404
    return stage


def sees_others_cards(*, actor, application: Application, stage: Stage, roles: set[str] | None = None) -> bool:
    """True when the actor may read the other interviewers' submitted cards of this stage."""
    if not stage_can_view(actor=actor, stage=stage, roles=roles):
        return False
    roles = assignment_roles(actor=actor, position_id=application.position_id) if roles is None else roles
    own = Scorecard.objects.filter(application=application, stage=stage, interviewer=actor).values_list("status", flat=True).first()
    on_panel = bool(roles & PANEL_ROLES) or own is not None
    if on_panel and stage_can_score(actor=actor, stage=stage, roles=roles):
        return own == Scorecard.Status.SUBMITTED
    return user_can(actor, Perm.DECISIONS_RECORD) or user_can(actor, Perm.POSITIONS_MANAGE)


def visible_scorecards(*, actor, application: Application) -> QuerySet[Scorecard]:
    """The cards of one application this actor may read: their own (draft or not) plus the other
    interviewers' submitted cards of every stage where the blind rule lets them."""
    qs = tenant_queryset(Scorecard.objects.filter(application=application), actor=actor)
    if application.organization_id != getattr(actor, "organization_id", None):
        return qs.none()
    roles = assignment_roles(actor=actor, position_id=application.position_id)
    open_stages = [s.pk for s in application_stages(application)
                   if sees_others_cards(actor=actor, application=application, stage=s, roles=roles)]
    return qs.filter(Q(interviewer=actor) | Q(stage_id__in=open_stages, status=Scorecard.Status.SUBMITTED))


def access_scorecard(*, actor, scorecard_id) -> Scorecard:
    card = get_for_actor(Scorecard.objects.select_related("application", "stage"), actor=actor, pk=scorecard_id)
    application = access_application(actor=actor, application_id=card.application_id)
    if not visible_scorecards(actor=actor, application=application).filter(pk=card.pk).exists():
        raise Http404
    return card


def access_scorecard_for_amendment(*, actor, scorecard_id) -> Scorecard:
    card = access_scorecard(actor=actor, scorecard_id=scorecard_id)
    if card.interviewer_id != actor.pk:
        raise PermissionDenied
    return card


def require_decision_right(actor) -> None:
    if not user_can(actor, Perm.DECISIONS_RECORD):
        raise PermissionDenied
