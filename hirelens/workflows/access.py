"""Who may see and score what in a process (W2).

The rule, one place:

* everything is scoped to the actor's organization and to positions the actor can see
  (``visible_positions``: HR sees all, the panel only positions they are assigned to);
* people who run recruiting (``Perm.POSITIONS_MANAGE``: HR admins, recruiters) see every stage, because
  they operate the process; they score a stage only if it is unrestricted or names them;
* for the panel, a stage with no ``view_roles``/``view_users`` is visible to everyone assigned to the
  position; otherwise only to people whose assignment role is listed or who are named;
* scoring needs ``Perm.EVALUATIONS_SCORE``, the right to see the stage, and — when ``score_roles``/
  ``score_users`` are set — being listed there; unrestricted stages may be scored by the assigned
  interviewers and hiring managers (and HR admins).

A stage that may not be seen answers 404, exactly like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from hirelens.candidates.access import access_application
from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.roles import AssignmentRole, Perm, user_can
from hirelens.positions.access import visible_positions
from hirelens.positions.models import PositionAssignment

from .models import ApplicationProgress, Process, ProcessVersion, Stage


def assignment_roles(*, actor, position_id: int | None) -> set[str]:
    if position_id is None or actor is None or not actor.is_authenticated:
        return set()
    return set(PositionAssignment.objects.filter(position_id=position_id, user_id=actor.pk,
                                                 organization_id=actor.organization_id).values_list("role", flat=True))


def _stage_position_id(stage: Stage) -> int | None:
    return stage.version.process.position_id


def stage_can_view(*, actor, stage: Stage, roles: set[str] | None = None) -> bool:
    if actor is None or not actor.is_authenticated or stage.organization_id != actor.organization_id:
        return False
    if user_can(actor, Perm.POSITIONS_MANAGE):
        return True
    position_id = _stage_position_id(stage)
    roles = assignment_roles(actor=actor, position_id=position_id) if roles is None else roles
    if not roles or not user_can(actor, Perm.CANDIDATES_VIEW_ASSIGNED):
        return False  # the panel sees only stages of positions they are assigned to
    view_user_ids = {u.pk for u in stage.view_users.all()}
    if not stage.view_roles and not view_user_ids:
        return True
    return bool(roles & set(stage.view_roles)) or actor.pk in view_user_ids


def stage_can_score(*, actor, stage: Stage, roles: set[str] | None = None) -> bool:
    if not user_can(actor, Perm.EVALUATIONS_SCORE):
        return False
    position_id = _stage_position_id(stage)
    roles = assignment_roles(actor=actor, position_id=position_id) if roles is None else roles
    if not stage_can_view(actor=actor, stage=stage, roles=roles):
        return False
    score_user_ids = {u.pk for u in stage.score_users.all()}
    if stage.score_roles or score_user_ids:
        return bool(roles & set(stage.score_roles)) or actor.pk in score_user_ids
    return bool(roles & {AssignmentRole.INTERVIEWER, AssignmentRole.HIRING_MANAGER}) or user_can(actor, Perm.USERS_MANAGE)


def hidden_stage_ids(*, actor, stage_ids) -> set[int]:
    """The stages among ``stage_ids`` (ids or a subquery) the actor may not see (``stage_can_view``, the rule of every
    access function of a stage's work), in a fixed number of queries: a list then filters them out in SQL and its pages
    stay full and bounded (the stages are the process designs', not the data's)."""
    if user_can(actor, Perm.POSITIONS_MANAGE):  # people who run recruiting see every stage
        return set()
    roles: dict[int, set[str]] = {}
    for position_id, role in PositionAssignment.objects.filter(user_id=actor.pk, organization_id=actor.organization_id) \
            .values_list("position_id", "role"):
        roles.setdefault(position_id, set()).add(role)
    stages = Stage.objects.filter(pk__in=stage_ids).select_related("version__process").prefetch_related("view_users")
    return {stage.pk for stage in stages
            if not stage_can_view(actor=actor, stage=stage, roles=roles.get(stage.version.process.position_id, set()))}


def visible_stages(*, actor, version: ProcessVersion) -> list[Stage]:
    """The stages of one version the actor may see, in order (the selector pages and the API use)."""
    if version.organization_id != getattr(actor, "organization_id", None):
        return []
    roles = assignment_roles(actor=actor, position_id=version.process.position_id)
    stages = version.stages.select_related("version__process").prefetch_related("view_users", "score_users").order_by("order", "pk")
    return [stage for stage in stages if stage_can_view(actor=actor, stage=stage, roles=roles)]


def visible_processes(*, actor) -> QuerySet[Process]:
    """Processes of visible positions; the organization's library templates only for recruiting staff."""
    qs = tenant_queryset(Process.objects.all(), actor=actor)
    positions = visible_positions(actor=actor).values("pk")
    if user_can(actor, Perm.POSITIONS_MANAGE):
        return qs.filter(position__isnull=True) | qs.filter(position__in=positions)
    return qs.filter(position__in=positions)


def access_process(*, actor, process_id) -> Process:
    return get_for_actor(visible_processes(actor=actor).select_related("position"), actor=actor, pk=process_id)


def access_process_for_edit(*, actor, process_id) -> Process:
    process = access_process(actor=actor, process_id=process_id)
    if not user_can(actor, Perm.POSITIONS_MANAGE):
        raise PermissionDenied
    return process


def access_stage(*, actor, stage_id) -> Stage:
    stage = get_for_actor(Stage.objects.select_related("version__process"), actor=actor, pk=stage_id)
    process = stage.version.process
    if not visible_processes(actor=actor).filter(pk=process.pk).exists() or not stage_can_view(actor=actor, stage=stage):
        from django.http import Http404

        raise Http404
    return stage


def access_stage_for_scoring(*, actor, stage_id) -> Stage:
    stage = access_stage(actor=actor, stage_id=stage_id)
    if not stage_can_score(actor=actor, stage=stage):
        raise PermissionDenied
    return stage


def access_progress(*, actor, application_id) -> ApplicationProgress:
    application = access_application(actor=actor, application_id=application_id)
    progress = ApplicationProgress.objects.filter(application=application).select_related("version__process", "stage").first()
    if progress is None:
        from django.http import Http404

        raise Http404
    return progress
