"""Processes and the pipeline over the open API. Stage permissions are applied here exactly as on the pages.

Two routers: ``/processes/`` (scope ``processes``: read, clone, publish, activate, through
``services/processes.py``) and ``/applications/`` (scope ``applications``: the list across positions, one
application, and its moves through ``services/pipeline.py`` and ``evaluations.services.decision_record`` (reached
by ``candidates.decisions.decision_record_via``), the same services and decision rules as the pipeline board).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hirelens.candidates.access import access_application, visible_applications
from hirelens.candidates.models import Application
from hirelens.core.access import require_perm
from hirelens.core.apitools import check_if_match, cursor_page, with_etag
from hirelens.core.audit import audit_list_read
from hirelens.core.forms import form_errors
from hirelens.core.params import MAX_ID
from hirelens.core.roles import Perm, user_can
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent
from hirelens.positions.access import access_position
from hirelens.positions.models import PositionAssignment

from . import forms, selectors, services
from .access import (
    access_process,
    access_process_for_edit,
    access_stage_for_scoring,
    stage_can_score,
    stage_can_view,
    visible_stages,
)
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
    number: int | None = Field(description="1, 2, … for published versions; null for the draft.")
    status: str = Field(description="draft or published.")
    status_label: str = Field("", description="The status in the caller's language.")
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


class PipelineProgressOut(Schema):
    application_id: int
    process_id: int
    version_id: int
    version_number: int | None
    state: str
    current_stage_id: int | None
    stages: list[StageOut]
    results: list[ResultOut]


class ResultIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"score": "86.5", "comment": "LeetCode 风格三题全部通过",
                                                        "external_ref": "coding-platform:run/8841"}]}}

    score: Decimal
    comment: str = ""
    external_ref: str = ""


class MoveIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"action": "hold", "reason": "等待部门预算确认"}]}}

    action: str = Field(description="advance, hold, resume, withdraw or reject.")
    reason: str
    # For "reject" only (a decision, S1): no scorecard or interview note yet, decided anyway, and why.
    without_evaluation: bool = False
    without_evaluation_reason: str = ""


def _bound(form_class, data: dict, **kwargs) -> dict:
    """The payload through the pages' form for the same write (one rule, one message): a refusal is a 422 naming the
    field, as the Schema's own checks are."""
    form = form_class(data, **kwargs)
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


def _version_out(v: ProcessVersion) -> VersionOut:
    return VersionOut(id=v.pk, number=v.number, status=v.status, status_label=str(v.get_status_display()),
                      published_at=v.published_at)


def _stage_out(actor, stage) -> StageOut:
    return StageOut(id=stage.pk, key=stage.key, order=stage.order, module=stage.module, title=stage.title,
                    instructions=stage.instructions, settings=stage.settings, view_roles=stage.view_roles,
                    score_roles=stage.score_roles, can_score=stage_can_score(actor=actor, stage=stage))


def _progress_out(actor, progress: ApplicationProgress) -> PipelineProgressOut:
    stages = visible_stages(actor=actor, version=progress.version)
    return PipelineProgressOut(
        application_id=progress.application_id, process_id=progress.version.process_id, version_id=progress.version_id,
        version_number=progress.version.number, state=progress.state, current_stage_id=progress.stage_id,
        stages=[_stage_out(actor, s) for s in stages],
        results=[ResultOut(stage_id=r.stage_id, score=r.score, max_score=r.max_score, source=r.source, comment=r.comment)
                 for r in selectors.stage_result_list(actor=actor, progress=progress)],
    )


@router.get("/positions/{id:position_id}/processes", response=list[ProcessOut], summary="A position's processes")
def position_processes(request, position_id: int):
    """The processes of one position the caller may see, the active one first, each with its latest published version."""
    position = access_position(actor=request.user, position_id=position_id)
    out = []
    for process in selectors.process_list(actor=request.user, position=position):
        v = selectors.latest_version(process)
        out.append(ProcessOut(id=process.pk, name=process.name, position_id=process.position_id, is_active=process.is_active,
                              latest_version=_version_out(v) if v else None))
    return out


@router.get("/versions/{id:version_id}/stages", response=list[StageOut], summary="The stages of a process version")
def version_stages(request, version_id: int):
    """The stages of one version the caller may see (stage permissions as on the pages); drafts only for the people
    who design processes."""
    from .access import visible_processes

    versions = ProcessVersion.objects.filter(process__in=visible_processes(actor=request.user))
    if not user_can(request.user, Perm.POSITIONS_MANAGE):
        versions = versions.filter(status=ProcessVersion.Status.PUBLISHED)  # drafts are for the people who design
    version = get_object_or_404(versions, pk=version_id)
    return [_stage_out(request.user, s) for s in visible_stages(actor=request.user, version=version)]


@router.get("/applications/{id:application_id}", response=PipelineProgressOut, summary="An application's progress")
def application_progress(request, application_id: int):
    """Where one application stands in the process version it is pinned to: its state, current stage, the stages the
    caller may see and their results."""
    application = access_application(actor=request.user, application_id=application_id)
    progress = get_object_or_404(ApplicationProgress.objects.select_related("version"), application=application)
    return _progress_out(request.user, progress)


@router.post("/applications/{id:application_id}/stages/{id:stage_id}/result", response=ResultOut,
             summary="Record a stage score")
def stage_result(request, application_id: int, stage_id: int, payload: ResultIn):
    """Record a stage score, e.g. imported from an external coding platform (source ``api``)."""
    application = access_application(actor=request.user, application_id=application_id)
    stage = access_stage_for_scoring(actor=request.user, stage_id=stage_id)
    progress = get_object_or_404(ApplicationProgress, application=application, version_id=stage.version_id)
    data = _bound(forms.ScoreForm, payload.dict(), max_score=services.stage_max_score(stage))
    result = services.stage_result_record(actor=request.user, progress=progress, stage=stage, score=data["score"],
                                          comment=data["comment"], external_ref=data["external_ref"],
                                          source=StageResult.Source.API, request=request)
    return ResultOut(stage_id=stage.pk, score=result.score, max_score=result.max_score, source=result.source, comment=result.comment)


@router.post("/applications/{id:application_id}/move", response=PipelineProgressOut, summary="Move an application (by action)")
def application_move(request, application_id: int, payload: MoveIn):
    """The progress page's move buttons by name (``reject`` through the decision rules). The ``/applications/``
    operations do the same with an ETag and ``If-Match``, and add moving to a stage and hiring."""
    from django.http import Http404

    application = access_application(actor=request.user, application_id=application_id)
    progress = get_object_or_404(ApplicationProgress, application=application)
    if payload.action == "reject":  # a decision: the one road (S1)
        from hirelens.candidates.decisions import decision_record_via  # evaluations' decision_record

        decision_record_via(actor=request.user, application=application, outcome="reject", rationale=payload.reason,
                            without_evaluation=payload.without_evaluation,
                            without_evaluation_reason=payload.without_evaluation_reason, request=request)
        progress.refresh_from_db()
        return _progress_out(request.user, progress)
    action = services.PIPELINE_ACTIONS.get(payload.action)
    if action is None:
        raise Http404
    progress = action(actor=request.user, progress=progress, reason=payload.reason)
    return _progress_out(request.user, progress)


# --- processes: list, one, clone, publish, activate (the designer's services) ------------------------------------


class ProcessListOut(Schema):
    items: list[ProcessOut]
    next: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last page.")


class ProcessDetailOut(ProcessOut):
    description: str
    position_title: str | None = Field(None, description="The position's title; null for a library template.")
    cloned_from_id: int | None = Field(None, description="The process this one was copied from.")
    versions: list[VersionOut] = Field(description="Published versions, newest first. Running applications stay on the "
                                                   "version they started with.")
    stages: list[StageOut] = Field(description="The stages of the latest published version the caller may see "
                                               "(stage permissions as on the pages).")
    draft: VersionOut | None = Field(None, description="The draft being designed: only for people who design processes.")
    draft_stages: list[StageOut] = Field([], description="The draft's stages (same audience as `draft`).")


class CloneIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"position_id": 12, "name": "技术岗面试流程（2026 春招）"}]}}

    position_id: int | None = Field(None, ge=1, le=MAX_ID, description="The position the copy belongs to; omit for "
                                                                       "the organization's library.")
    name: str = Field("", max_length=200, description="Omit to keep the source's name.")


class PublishIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"note": "增加了在线编程环节"}]}}

    note: str = Field("", max_length=300, description="What changed in this version.")


def _with_latest(qs):
    latest = ProcessVersion.objects.filter(process=OuterRef("pk"), status=ProcessVersion.Status.PUBLISHED).order_by("-number")
    return qs.annotate(v_id=Subquery(latest.values("pk")[:1]), v_number=Subquery(latest.values("number")[:1]),
                       v_published_at=Subquery(latest.values("published_at")[:1]))


def _process_out(process) -> dict:
    if hasattr(process, "v_id"):
        latest = ({"id": process.v_id, "number": process.v_number, "status": ProcessVersion.Status.PUBLISHED,
                   "status_label": str(ProcessVersion.Status.PUBLISHED.label), "published_at": process.v_published_at}
                  if process.v_id else None)
    else:
        v = selectors.latest_version(process)
        latest = ({"id": v.pk, "number": v.number, "status": v.status, "status_label": str(v.get_status_display()),
                   "published_at": v.published_at} if v else None)
    return {"id": process.pk, "name": process.name, "position_id": process.position_id, "is_active": process.is_active,
            "latest_version": latest}


def _process_detail(request, process) -> dict:
    actor = request.user
    versions = list(process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number"))
    out = {**_process_out(process), "description": process.description,
           "position_title": process.position.title if process.position_id else None,
           "cloned_from_id": process.cloned_from_id,
           "versions": [_version_out(v) for v in versions],
           "stages": [_stage_out(actor, s) for s in visible_stages(actor=actor, version=versions[0])] if versions else [],
           "draft": None, "draft_stages": []}
    if user_can(actor, Perm.POSITIONS_MANAGE):
        draft = process.versions.filter(status=ProcessVersion.Status.DRAFT).first()
        if draft is not None:
            out["draft"] = _version_out(draft)
            out["draft_stages"] = [_stage_out(actor, s) for s in visible_stages(actor=actor, version=draft)]
    return out


@router.get("/", response=ProcessListOut, summary="List processes")
def process_index(request, position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's processes"),
                  library: bool = Query(False, description="Only the organization's library templates (no position)"),
                  cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=100)):
    """Processes of the positions the caller may see (and, for people who design processes, the library), newest
    first, each with its latest published version."""
    qs = selectors.process_list(actor=request.user)
    if position is not None:
        qs = qs.filter(position_id=position)
    if library:
        qs = qs.filter(position__isnull=True)
    page = cursor_page(_with_latest(qs), cursor=cursor, limit=limit, salt="processes")
    return {"items": [_process_out(p) for p in page.items], "next": page.next}


@router.get("/{id:process_id}", response=ProcessDetailOut, summary="Get a process with its stages")
def process_get(request, process_id: int, response: HttpResponse):
    """One process: its published versions, the stages of the latest one the caller may see, and for designers the
    draft. The `ETag` changes when the process is published, activated or renamed."""
    process = access_process(actor=request.user, process_id=process_id)
    with_etag(response, process)
    return _process_detail(request, process)


@router.post("/{id:process_id}/clone", response={201: ProcessDetailOut}, summary="Clone a process")
def process_clone(request, process_id: int, payload: CloneIn):
    """Copy the process (its latest published version, else its draft) as the draft of a new process, for a position
    or the library, as the designer's 复制 button does. Idempotent with `Idempotency-Key`."""
    process = access_process(actor=request.user, process_id=process_id)
    require_perm(request.user, Perm.POSITIONS_MANAGE)
    data = _bound(forms.CloneForm, {"position": payload.position_id, "name": payload.name})
    position = access_position(actor=request.user, position_id=data["position"]) if data["position"] else None

    def create():
        copy = services.process_clone(actor=request.user, process=process, position=position, name=data["name"],
                                      request=request)
        return 201, _process_detail(request, access_process(actor=request.user, process_id=copy.pk))

    return idempotent(request, create)


@router.post("/{id:process_id}/publish", response={201: VersionOut}, summary="Publish the draft")
def process_publish(request, process_id: int, payload: PublishIn):
    """Freeze the draft into the next numbered version (HR admins and recruiters). Running applications keep their
    version; a draft with no stage or with a stage missing its settings is refused (422, each problem named).
    Idempotent with `Idempotency-Key`; `If-Match` (the process's ETag) refuses a publish after someone else's."""
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    check_if_match(request, process)

    note = _bound(forms.PublishForm, {"note": payload.note})["note"]

    def create():
        v = services.process_publish(actor=request.user, process=process, note=note, request=request)
        return 201, _version_out(v)

    return idempotent(request, create)


@router.post("/{id:process_id}/activate", response=ProcessDetailOut, summary="Use a process for new applications")
def process_activate(request, process_id: int, response: HttpResponse):
    """Make this published process the one its position's new applications start on (the designer's 启用)."""
    process = access_process_for_edit(actor=request.user, process_id=process_id)
    check_if_match(request, process)
    services.process_activate(actor=request.user, process=process, request=request)
    process = access_process(actor=request.user, process_id=process.pk)
    with_etag(response, process)
    return _process_detail(request, process)


# --- applications across positions, and their moves through the pipeline ---------------------------------------

applications_router = Router(tags=["applications"], auth=api_auth("applications"))
ROUTERS = [(API_PREFIX, router), ("/applications/", applications_router)]


class StageRef(Schema):
    id: int
    key: str = Field(description="Stable across versions of the process: the board's column.")
    title: str = Field(description="The stage's name as HR wrote it.")
    module: str
    module_label: str = Field(description="The kind of stage in the caller's language.")


class ApplicationRowOut(Schema):
    id: int
    candidate_id: int
    candidate_name: str
    position_id: int
    position_title: str
    status: str = Field(description="active, hired, rejected or withdrawn.")
    status_label: str = Field(description="The status in the caller's language.")
    state: str | None = Field(None, description="Where it stands in its process: active, on_hold, completed, rejected, "
                                                "withdrawn; null before the process started.")
    state_label: str | None = None
    stage: StageRef | None = Field(None, description="The current stage, when the caller may see it.")
    process_id: int | None = None
    version_number: int | None = Field(None, description="The process version the application is pinned to.")
    created_at: datetime
    updated_at: datetime = Field(description="The last change of the application or of its place in the pipeline.")


class ApplicationListOut(Schema):
    items: list[ApplicationRowOut]
    next: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last page.")


REASON_EXAMPLE = {"reason": "技术面表现稳定，进入终面"}


class ReasonIn(Schema):
    model_config = {"json_schema_extra": {"examples": [REASON_EXAMPLE]}}

    reason: str = Field(max_length=2000, description="Why (required, kept on the pipeline event).")


class MoveToIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"stage_key": "a1b2c3d4e5f6", "reason": "补做在线编程"}]}}

    stage_id: int | None = Field(None, ge=1, le=MAX_ID, description="A stage of the application's own version …")
    stage_key: str = Field("", max_length=32, description="… or its key (the board's column).")
    reason: str = Field(max_length=2000)


class PipelineDecisionIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{
        "reason": "两轮技术面试均表现出色，团队一致认可", "next_steps": "HR 将在三个工作日内联系您",
        "without_evaluation": False, "without_evaluation_reason": ""}]}}

    reason: str = Field(max_length=4000, description="The decision's reason: required, of substance, not AI signals only.")
    next_steps: str = Field("", max_length=2000, description="What the candidate is told happens next.")
    without_evaluation: bool = Field(False, description="Decided without a scorecard or interview note (flagged in reports).")
    without_evaluation_reason: str = Field("", max_length=2000, description="Why, when `without_evaluation`.")


class _State:
    """The application and its place in the pipeline as one versioned object: its ETag changes with either."""

    _meta = Application._meta

    def __init__(self, application):
        self.pk = application.pk
        progress = getattr(application, "progress", None) if _has_progress(application) else None
        stamps = [application.updated_at.isoformat(), application.status, application.stage]
        if progress is not None:
            stamps += [progress.updated_at.isoformat(), progress.state, str(progress.stage_id)]
        self.updated_at = "|".join(stamps)


def _has_progress(application) -> bool:
    try:
        return application.progress is not None
    except ApplicationProgress.DoesNotExist:
        return False


def _application_qs(actor):
    return (visible_applications(actor=actor)
            .select_related("candidate", "position", "progress__stage__version__process", "progress__version")
            .prefetch_related("progress__stage__view_users")
            .annotate(changed_at=Greatest("updated_at", Coalesce("progress__updated_at", "updated_at"))))


def _roles_by_position(actor, position_ids) -> dict:
    roles: dict[int, set] = {}
    rows = PositionAssignment.objects.filter(organization_id=actor.organization_id, user_id=actor.pk,
                                             position_id__in=set(position_ids)).values_list("position_id", "role")
    for position_id, role in rows:
        roles.setdefault(position_id, set()).add(role)
    return roles


def _row(actor, a, roles: dict) -> dict:
    progress = a.progress if _has_progress(a) else None
    stage = progress.stage if progress is not None else None
    if stage is not None and not stage_can_view(actor=actor, stage=stage, roles=roles.get(a.position_id, set())):
        stage = None  # a stage the caller may not see is not named (the board puts such cards in 其他)
    return {"id": a.pk, "candidate_id": a.candidate_id, "candidate_name": a.candidate.full_name, "position_id": a.position_id,
            "position_title": a.position.title, "status": a.status, "status_label": str(a.get_status_display()),
            "state": progress.state if progress else None,
            "state_label": str(progress.get_state_display()) if progress else None,
            "stage": {"id": stage.pk, "key": stage.key, "title": stage.title, "module": stage.module,
                      "module_label": str(stage.get_module_display())} if stage else None,
            "process_id": progress.version.process_id if progress else None,
            "version_number": progress.version.number if progress else None, "created_at": a.created_at,
            "updated_at": getattr(a, "changed_at", None) or a.updated_at}


def _application(request, application_id: int):
    application = access_application(actor=request.user, application_id=application_id)
    return _application_qs(request.user).get(pk=application.pk)


def _answer(request, response: HttpResponse, application_id: int) -> dict:
    application = _application(request, application_id)
    with_etag(response, _State(application))
    return _row(request.user, application, _roles_by_position(request.user, [application.position_id]))


UPDATED_SINCE = Query(None, description="Changed at or after (ISO 8601)")


@applications_router.get("/", response=ApplicationListOut, summary="List applications")
def application_index(request, position: int | None = Query(None, ge=1, le=MAX_ID, description="Only this position's"),
                      stage: str = Query("", max_length=32, description="Only those on the stage with this key"),
                      status: str = Query("", max_length=16, description="active, hired, rejected or withdrawn"),
                      candidate: int | None = Query(None, ge=1, le=MAX_ID, description="Only this candidate's"),
                      updated_since: datetime | None = UPDATED_SINCE,
                      cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=100)):
    """Applications the caller may see, across positions (HR: the organization's; the panel: their positions'),
    newest first. Names the candidates: one audit entry per page, as the board does."""
    qs = _application_qs(request.user)
    if position is not None:
        qs = qs.filter(position_id=position)
    if stage:
        qs = qs.filter(progress__stage__key=stage)
    if status:
        qs = qs.filter(status=status)
    if candidate is not None:
        qs = qs.filter(candidate_id=candidate)
    if updated_since is not None:
        qs = qs.filter(Q(updated_at__gte=updated_since) | Q(progress__updated_at__gte=updated_since))
    page = cursor_page(qs, cursor=cursor, limit=limit, salt="applications")
    audit_list_read(request=request, candidates=[a.candidate for a in page.items])
    roles = _roles_by_position(request.user, [a.position_id for a in page.items])
    return {"items": [_row(request.user, a, roles) for a in page.items], "next": page.next}


@applications_router.get("/{id:application_id}", response=ApplicationRowOut, summary="Get an application")
def application_get(request, application_id: int, response: HttpResponse):
    """One application: candidate, position, status and current stage. The `ETag` changes with every move; send it
    as `If-Match` on a move to refuse (412) moving an application someone else moved in between."""
    application = _application(request, application_id)
    audit_list_read(request=request, candidates=[application.candidate])  # as the progress page: it names the candidate
    with_etag(response, _State(application))
    return _row(request.user, application, _roles_by_position(request.user, [application.position_id]))


def _progress_for_move(request, application_id: int):
    application = _application(request, application_id)
    check_if_match(request, _State(application))
    if not _has_progress(application):
        raise ValidationError(_("该申请还没有开始面试流程。"))
    return application, application.progress


def _pipeline_move(request, application_id: int, response: HttpResponse, name: str, reason: str) -> dict:
    _application_row, progress = _progress_for_move(request, application_id)
    services.PIPELINE_ACTIONS[name](actor=request.user, progress=progress, reason=reason)
    return _answer(request, response, application_id)


class StartIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"reason": ""}]}}

    reason: str = Field("", max_length=2000, description="Optional; by default \"started process vN\" is recorded.")


@applications_router.post("/{id:application_id}/start", response=ApplicationRowOut, summary="Start the interview process")
def application_start(request, application_id: int, payload: StartIn, response: HttpResponse):
    """Put the application on the first stage of the position's active process (its latest published version), as
    the pipeline board's 开始流程 does: an application created by the API (or a page) does not enter the process by
    itself. 422 when it is already in the process or the position has no active published process; who may as for
    advance. `If-Match` refuses a stale start (412)."""
    application = _application(request, application_id)
    check_if_match(request, _State(application))
    services.pipeline_start(actor=request.user, application=application, reason=payload.reason)
    return _answer(request, response, application_id)


@applications_router.post("/{id:application_id}/advance", response=ApplicationRowOut, summary="Advance to the next stage")
def application_advance(request, application_id: int, payload: ReasonIn, response: HttpResponse):
    """To the next stage of its process version (past the last one the process is complete), with a reason: the
    pipeline board's 下一环节. HR and hiring managers (not interviewers). `If-Match` refuses a stale move (412)."""
    return _pipeline_move(request, application_id, response, "advance", payload.reason)


@applications_router.post("/{id:application_id}/hold", response=ApplicationRowOut, summary="Put on hold")
def application_hold(request, application_id: int, payload: ReasonIn, response: HttpResponse):
    """Pause an active application (暂停), with a reason. Who may and `If-Match` as for advance."""
    return _pipeline_move(request, application_id, response, "hold", payload.reason)


@applications_router.post("/{id:application_id}/resume", response=ApplicationRowOut, summary="Resume")
def application_resume(request, application_id: int, payload: ReasonIn, response: HttpResponse):
    """Resume an application on hold (恢复), with a reason. Who may and `If-Match` as for advance."""
    return _pipeline_move(request, application_id, response, "resume", payload.reason)


@applications_router.post("/{id:application_id}/withdraw", response=ApplicationRowOut, summary="Withdraw")
def application_withdraw(request, application_id: int, payload: ReasonIn, response: HttpResponse):
    """The candidate withdrew (撤回), with a reason. Who may and `If-Match` as for advance."""
    return _pipeline_move(request, application_id, response, "withdraw", payload.reason)


@applications_router.post("/{id:application_id}/move-to", response=ApplicationRowOut, summary="Move to a stage")
def application_move_to(request, application_id: int, payload: MoveToIn, response: HttpResponse):
    """Put the application on a stage of its own process version (e.g. back one stage), as dragging its card on the
    board does; the stage must be one the caller may see. `If-Match` refuses a stale move (412)."""
    _application_row, progress = _progress_for_move(request, application_id)
    if not selectors.can_move(request.user):  # the board's rule, before saying which stages exist
        raise PermissionDenied
    stages = visible_stages(actor=request.user, version=progress.version)
    stage = next((s for s in stages if (payload.stage_id and s.pk == payload.stage_id)
                  or (payload.stage_key and s.key == payload.stage_key)), None)
    if stage is None:
        raise ValidationError({"stage_id": [_("该申请所用的流程版本中没有这个环节。")]})
    services.pipeline_move(actor=request.user, progress=progress, to_stage=stage, reason=payload.reason)
    return _answer(request, response, application_id)


def _decide(request, application_id: int, payload: PipelineDecisionIn, response: HttpResponse, outcome: str) -> dict:
    from hirelens.candidates.decisions import decision_record_via  # evaluations' decision_record

    application = _application(request, application_id)
    check_if_match(request, _State(application))
    decision_record_via(actor=request.user, application=application, outcome=outcome, rationale=payload.reason,
                        next_steps=payload.next_steps, without_evaluation=payload.without_evaluation,
                        without_evaluation_reason=payload.without_evaluation_reason, request=request)
    return _answer(request, response, application_id)


@applications_router.post("/{id:application_id}/reject", response=ApplicationRowOut, summary="Reject (a decision)")
def application_reject(request, application_id: int, payload: PipelineDecisionIn, response: HttpResponse):
    """未通过: a decision, through the same rules as the pages — a reason of substance, a human evaluation (a
    scorecard or interview note) or `without_evaluation` with its own reason, never AI signals alone; the feedback
    to the candidate is scheduled. HR and hiring managers. `If-Match` refuses a stale decision (412)."""
    return _decide(request, application_id, payload, response, "reject")


@applications_router.post("/{id:application_id}/hire", response=ApplicationRowOut, summary="Hire (a decision)")
def application_hire(request, application_id: int, payload: PipelineDecisionIn, response: HttpResponse):
    """录用: a decision with the same rules as reject; the process is completed and the application hired."""
    return _decide(request, application_id, payload, response, "hire")
