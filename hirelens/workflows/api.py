"""Processes and pipeline over HTTP. Stage permissions are applied here exactly as on the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from hirelens.accounts.roles import Perm, user_can
from hirelens.candidates.access import access_application
from hirelens.integrations.auth import api_auth
from hirelens.positions.access import access_position

from . import selectors, services
from .access import access_stage_for_scoring, stage_can_score, visible_stages
from .models import ApplicationProgress, ProcessVersion, StageResult

API_PREFIX = "/processes/"
router = Router(tags=["processes"], auth=api_auth("processes"))


class StageOut(Schema):
    id: int
    key: str
    order: int
    module: str
    title: str
    instructions: str
    settings: dict
    view_roles: list[str]
    score_roles: list[str]
    can_score: bool


class VersionOut(Schema):
    id: int
    number: int | None
    status: str
    published_at: datetime | None


class ProcessOut(Schema):
    id: int
    name: str
    position_id: int | None
    is_active: bool
    latest_version: VersionOut | None


class ResultOut(Schema):
    stage_id: int
    score: Decimal
    max_score: Decimal
    source: str
    comment: str


class ProgressOut(Schema):
    application_id: int
    process_id: int
    version_id: int
    version_number: int | None
    state: str
    current_stage_id: int | None
    stages: list[StageOut]
    results: list[ResultOut]


class ResultIn(Schema):
    score: Decimal
    comment: str = ""
    external_ref: str = ""


class MoveIn(Schema):
    action: str
    reason: str
    # For "reject" only (a decision, S1): no scorecard or interview note yet, decided anyway, and why.
    without_evaluation: bool = False
    without_evaluation_reason: str = ""


def _stage_out(actor, stage) -> StageOut:
    return StageOut(id=stage.pk, key=stage.key, order=stage.order, module=stage.module, title=stage.title,
                    instructions=stage.instructions, settings=stage.settings, view_roles=stage.view_roles,
                    score_roles=stage.score_roles, can_score=stage_can_score(actor=actor, stage=stage))


def _progress_out(actor, progress: ApplicationProgress) -> ProgressOut:
    stages = visible_stages(actor=actor, version=progress.version)
    return ProgressOut(
        application_id=progress.application_id, process_id=progress.version.process_id, version_id=progress.version_id,
        version_number=progress.version.number, state=progress.state, current_stage_id=progress.stage_id,
        stages=[_stage_out(actor, s) for s in stages],
        results=[ResultOut(stage_id=r.stage_id, score=r.score, max_score=r.max_score, source=r.source, comment=r.comment)
                 for r in selectors.stage_result_list(actor=actor, progress=progress)],
    )


@router.get("/positions/{id:position_id}/processes", response=list[ProcessOut])
def position_processes(request, position_id: int):
    position = access_position(actor=request.user, position_id=position_id)
    out = []
    for process in selectors.process_list(actor=request.user, position=position):
        v = selectors.latest_version(process)
        out.append(ProcessOut(id=process.pk, name=process.name, position_id=process.position_id, is_active=process.is_active,
                              latest_version=VersionOut(id=v.pk, number=v.number, status=v.status, published_at=v.published_at) if v else None))
    return out


@router.get("/versions/{id:version_id}/stages", response=list[StageOut])
def version_stages(request, version_id: int):
    from .access import visible_processes

    versions = ProcessVersion.objects.filter(process__in=visible_processes(actor=request.user))
    if not user_can(request.user, Perm.POSITIONS_MANAGE):
        versions = versions.filter(status=ProcessVersion.Status.PUBLISHED)  # drafts are for the people who design
    version = get_object_or_404(versions, pk=version_id)
    return [_stage_out(request.user, s) for s in visible_stages(actor=request.user, version=version)]


@router.get("/applications/{id:application_id}", response=ProgressOut)
def application_progress(request, application_id: int):
    application = access_application(actor=request.user, application_id=application_id)
    progress = get_object_or_404(ApplicationProgress.objects.select_related("version"), application=application)
    return _progress_out(request.user, progress)


@router.post("/applications/{id:application_id}/stages/{id:stage_id}/result", response=ResultOut)
def stage_result(request, application_id: int, stage_id: int, payload: ResultIn):
    """Record a stage score, e.g. imported from an external coding platform (source ``api``)."""
    application = access_application(actor=request.user, application_id=application_id)
    stage = access_stage_for_scoring(actor=request.user, stage_id=stage_id)
    progress = get_object_or_404(ApplicationProgress, application=application, version_id=stage.version_id)
    result = services.stage_result_record(actor=request.user, progress=progress, stage=stage, score=payload.score,
                                          comment=payload.comment, external_ref=payload.external_ref,
                                          source=StageResult.Source.API, request=request)
    return ResultOut(stage_id=stage.pk, score=result.score, max_score=result.max_score, source=result.source, comment=result.comment)


@router.post("/applications/{id:application_id}/move", response=ProgressOut)
def application_move(request, application_id: int, payload: MoveIn):
    from django.http import Http404

    application = access_application(actor=request.user, application_id=application_id)
    progress = get_object_or_404(ApplicationProgress, application=application)
    if payload.action == "reject":  # a decision: the one road (S1)
        from hirelens.evaluations.services import decision_record

        decision_record(actor=request.user, application=application, outcome="reject", rationale=payload.reason,
                        without_evaluation=payload.without_evaluation,
                        without_evaluation_reason=payload.without_evaluation_reason, request=request)
        progress.refresh_from_db()
        return _progress_out(request.user, progress)
    action = services.PIPELINE_ACTIONS.get(payload.action)
    if action is None:
        raise Http404
    progress = action(actor=request.user, progress=progress, reason=payload.reason)
    return _progress_out(request.user, progress)
