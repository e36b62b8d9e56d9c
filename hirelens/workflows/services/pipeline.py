"""Moving applications through their pinned process version (W1 pipeline, S1: always a person, with a reason)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.candidates.models import Application
from hirelens.candidates.timeline import timeline_add
from hirelens.core import events
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from ..access import stage_can_score
from ..models import ApplicationProgress, PipelineEvent, Process, ProcessVersion, Stage, StageResult
from ..modules import module_spec


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写原因。"))
    return reason[:2000]


def _check(actor: User, application: Application) -> None:
    require_perm(actor, Perm.DECISIONS_RECORD)
    if application.organization_id != actor.organization_id:
        raise ValidationError(_("只能操作本组织的数据。"))


def _record(*, progress: ApplicationProgress, actor: User, action: str, from_stage: Stage | None, to_stage: Stage | None,
            reason: str) -> PipelineEvent:
    event = PipelineEvent.objects.create(organization_id=progress.organization_id, progress=progress, action=action,
                                         from_stage=from_stage, to_stage=to_stage, reason=reason, actor=actor)
    application = progress.application
    stage_title = progress.stage.title if progress.stage else ""
    status = {
        ApplicationProgress.State.REJECTED: Application.Status.REJECTED,
        ApplicationProgress.State.WITHDRAWN: Application.Status.WITHDRAWN,
    }.get(progress.state, Application.Status.ACTIVE)
    if application.stage != stage_title[:100] or application.status != status:
        # Keep the candidate record's summary columns in step with the pipeline.
        Application.objects.filter(pk=application.pk).update(stage=stage_title[:100], status=status)
    if action != PipelineEvent.Action.SCORE:
        # The candidate's timeline (E1); the reason stays on the pipeline event, it may be free text.
        timeline_add(candidate=application.candidate, kind=f"pipeline.{action}", actor=actor,
                     params={"position": application.position.title, "stage": stage_title,
                             "version": progress.version.number})
    events.emit(events.ApplicationMoved(organization_id=progress.organization_id, application_id=application.pk,
                                        position_id=application.position_id, action=action, state=progress.state,
                                        from_stage_id=getattr(from_stage, "pk", None), to_stage_id=getattr(to_stage, "pk", None),
                                        event_id=event.pk))  # the analytics funnel recounts, in this transaction
    return event


@transaction.atomic
def pipeline_start(*, actor: User, application: Application, process: Process | None = None,
                   reason: str = "") -> ApplicationProgress:
    """Pin the application to the latest published version of the position's active process."""
    _check(actor, application)
    if ApplicationProgress.objects.filter(application=application).exists():
        raise ValidationError(_("该申请已在流程中。"))
    if process is None:
        process = Process.objects.filter(position_id=application.position_id, is_active=True).first()
    if process is None or process.position_id != application.position_id:
        raise ValidationError(_("该职位还没有启用的面试流程。"))
    version = process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ValidationError(_("该流程还没有发布的版本。"))
    first = version.stages.order_by("order", "pk").first()
    progress = ApplicationProgress.objects.create(organization_id=application.organization_id, application=application,
                                                  version=version, stage=first)
    _record(progress=progress, actor=actor, action=PipelineEvent.Action.START, from_stage=None, to_stage=first,
            reason=(reason or "").strip() or _("开始面试流程 v%(n)d") % {"n": version.number})
    return progress


def _lock(progress: ApplicationProgress) -> ApplicationProgress:
    # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (stage).
    return ApplicationProgress.objects.select_for_update().get(pk=progress.pk)


@transaction.atomic
def pipeline_advance(*, actor: User, progress: ApplicationProgress, reason: str) -> ApplicationProgress:
    """To the next stage of the pinned version; past the last stage the process is complete."""
    _check(actor, progress.application)
    reason = _reason(reason)
    progress = _lock(progress)
    if not progress.can_advance:
        raise ValidationError(_("只有进行中的申请可以进入下一环节。"))
    stages = list(progress.version.stages.order_by("order", "pk"))
    index = next((i for i, s in enumerate(stages) if s.pk == progress.stage_id), -1)
    before = progress.stage
    if index + 1 < len(stages):
        progress.stage = stages[index + 1]
        action = PipelineEvent.Action.ADVANCE
    else:
        progress.state = ApplicationProgress.State.COMPLETED
        action = PipelineEvent.Action.COMPLETE
    progress.save(update_fields=["stage", "state", "updated_at"])
    _record(progress=progress, actor=actor, action=action, from_stage=before, to_stage=progress.stage, reason=reason)
    return progress


@transaction.atomic
def pipeline_move(*, actor: User, progress: ApplicationProgress, to_stage: Stage, reason: str) -> ApplicationProgress:
    """Put the application on any stage of its own version (e.g. back one stage)."""
    _check(actor, progress.application)
    reason = _reason(reason)
    progress = _lock(progress)
    if to_stage.version_id != progress.version_id:
        raise ValidationError(_("只能移动到该申请所用流程版本中的环节。"))
    if not progress.can_move:
        raise ValidationError(_("已结束的申请不能调整环节。"))
    before = progress.stage
    progress.stage, progress.state = to_stage, ApplicationProgress.State.ACTIVE
    progress.save(update_fields=["stage", "state", "updated_at"])
    _record(progress=progress, actor=actor, action=PipelineEvent.Action.MOVE, from_stage=before, to_stage=to_stage, reason=reason)
    return progress


def _set_state(*, actor: User, progress: ApplicationProgress, reason: str, allowed_from: frozenset, to_state: str,
               action: str, error: str) -> ApplicationProgress:
    _check(actor, progress.application)
    reason = _reason(reason)
    progress = _lock(progress)
    if progress.state not in allowed_from:
        raise ValidationError(error)
    progress.state = to_state
    progress.save(update_fields=["state", "updated_at"])
    _record(progress=progress, actor=actor, action=action, from_stage=progress.stage, to_stage=progress.stage, reason=reason)
    return progress


@transaction.atomic
def pipeline_hold(*, actor: User, progress: ApplicationProgress, reason: str) -> ApplicationProgress:
    return _set_state(actor=actor, progress=progress, reason=reason, allowed_from=frozenset({ApplicationProgress.State.ACTIVE}),
                      to_state=ApplicationProgress.State.ON_HOLD, action=PipelineEvent.Action.HOLD,
                      error=_("只有进行中的申请可以暂停。"))


@transaction.atomic
def pipeline_resume(*, actor: User, progress: ApplicationProgress, reason: str) -> ApplicationProgress:
    return _set_state(actor=actor, progress=progress, reason=reason, allowed_from=frozenset({ApplicationProgress.State.ON_HOLD}),
                      to_state=ApplicationProgress.State.ACTIVE, action=PipelineEvent.Action.RESUME,
                      error=_("只有暂停的申请可以恢复。"))


@transaction.atomic
def pipeline_reject(*, actor: User, progress: ApplicationProgress, reason: str) -> ApplicationProgress:
    """Only the decision service calls this (``evaluations.services.decision_record``, S1): pages and the
    API reject through it, so a rejection always has a decision, a reason of substance and a feedback case."""
    return _set_state(actor=actor, progress=progress, reason=reason,
                      allowed_from=ApplicationProgress.MOVABLE_STATES,
                      to_state=ApplicationProgress.State.REJECTED, action=PipelineEvent.Action.REJECT,
                      error=_("该申请已经结束。"))


@transaction.atomic
def pipeline_complete(*, actor: User, progress: ApplicationProgress, reason: str) -> ApplicationProgress:
    """End the process as complete (a hire); called by the decision service only."""
    return _set_state(actor=actor, progress=progress, reason=reason, allowed_from=ApplicationProgress.OPEN_STATES,
                      to_state=ApplicationProgress.State.COMPLETED, action=PipelineEvent.Action.COMPLETE,
                      error=_("该申请已经结束。"))


@transaction.atomic
def pipeline_withdraw(*, actor: User, progress: ApplicationProgress, reason: str) -> ApplicationProgress:
    return _set_state(actor=actor, progress=progress, reason=reason,
                      allowed_from=ApplicationProgress.MOVABLE_STATES,
                      to_state=ApplicationProgress.State.WITHDRAWN, action=PipelineEvent.Action.WITHDRAW,
                      error=_("该申请已经结束。"))


def stage_max_score(stage: Stage) -> Decimal:
    """The most a stage's score may be (its settings' ``max_score``, 100 by default)."""
    return Decimal(str((stage.settings or {}).get("max_score", 100)))


def _score_text(value: str) -> Decimal:
    """A score as written in an imported file (the pages and the API send a number: ``workflows.forms.ScoreForm``)."""
    try:
        return Decimal((value or "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("得分必须是数字。")) from None


def _score(score: Decimal | int, max_score: Decimal) -> Decimal:
    if isinstance(score, bool) or not isinstance(score, (Decimal, int)):
        raise TypeError("stage_result_record takes the score as a Decimal or an int (parse it at the edge: ScoreForm)")
    score = Decimal(score)
    if not score.is_finite() or score < 0 or score > max_score:
        raise ValidationError(_("得分必须在 0 到 %(max)s 之间。") % {"max": max_score})
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def stage_result_record(*, actor: User, progress: ApplicationProgress, stage: Stage, score: Decimal | int, comment: str = "",
                        source: str = StageResult.Source.MANUAL, external_ref: str = "", request=None) -> StageResult:
    """Record (or replace) a stage's score. Only people allowed to score the stage may (W2)."""
    if stage.organization_id != actor.organization_id or progress.organization_id != actor.organization_id:
        raise ValidationError(_("只能操作本组织的数据。"))
    if not stage_can_score(actor=actor, stage=stage):
        raise PermissionDenied
    if stage.version_id != progress.version_id:
        raise ValidationError(_("该环节不属于这个申请所用的流程版本。"))
    max_score = stage_max_score(stage)
    result, _created = StageResult.objects.update_or_create(
        progress=progress, stage=stage,
        defaults={"organization_id": progress.organization_id, "score": _score(score, max_score), "max_score": max_score,
                  "comment": (comment or "").strip(), "source": source, "external_ref": external_ref[:200],
                  "recorded_by": actor},
    )
    PipelineEvent.objects.create(organization_id=progress.organization_id, progress=progress, action=PipelineEvent.Action.SCORE,
                                 from_stage=stage, to_stage=stage, reason=f"{result.score}/{max_score}", actor=actor)
    # the analytics funnel counts the score event, in this transaction
    events.emit(events.StageResultRecorded(organization_id=progress.organization_id, result_id=result.pk,
                                           application_id=progress.application_id, stage_id=stage.pk))
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=progress.application, fields=[f"stage_result:{stage.key}"],
                 request=request)
    return result


# The score CSV's column names as people write them, in either language; the codes older files use still work.
SCORE_COLUMNS = {
    "申请编号": "application_id", "application id": "application_id", "application_id": "application_id",
    "分数": "score", "score": "score",
    "备注": "comment", "comment": "comment",
}


def _score_column(name: str | None) -> str:
    name = (name or "").strip()
    return SCORE_COLUMNS.get(name.casefold(), SCORE_COLUMNS.get(name, name))


@transaction.atomic
def stage_results_import_csv(*, actor: User, stage: Stage, data: bytes, request=None) -> list[StageResult]:
    """Import scores exported by a coding platform: CSV with the columns 申请编号 / Application ID, 分数 / Score
    and optionally 备注 / Comment (or their codes ``application_id,score,comment``).

    All rows or none: one bad row rolls the whole file back and names the row. Only a stage whose module imports
    scores (``ModuleSpec.imports_scores``) takes a file.
    """
    if not module_spec(stage.module).imports_scores:
        raise ValidationError(_("这个环节不接受导入得分，只有编程测评环节可以。"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("文件必须是 UTF-8 编码的 CSV。")) from None
    results = []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"application_id", "score"} <= {_score_column(f) for f in reader.fieldnames}:
        raise ValidationError(_("CSV 需要“申请编号”和“分数”两列。"))
    for line, row in enumerate(reader, start=2):
        row = {_score_column(k): (v or "").strip() for k, v in row.items()}
        progress = ApplicationProgress.objects.filter(organization_id=actor.organization_id, version_id=stage.version_id,
                                                      application_id=row.get("application_id") if row.get("application_id", "").isdigit() else None).first()
        if progress is None:
            raise ValidationError(_("第 %(line)d 行：找不到使用该流程版本的申请 %(id)s。") % {"line": line, "id": row.get("application_id", "")})
        try:
            results.append(stage_result_record(actor=actor, progress=progress, stage=stage, score=_score_text(row.get("score")),
                                               comment=row.get("comment", ""), source=StageResult.Source.UPLOAD, request=request))
        except ValidationError as exc:
            raise ValidationError(_("第 %(line)d 行：%(problem)s") % {"line": line, "problem": "; ".join(exc.messages)}) from None
    if not results:
        raise ValidationError(_("文件中没有数据行。"))
    return results


# The moves a person can make from a page or the API, by name. "reject" is not here: it is a decision and
# goes through ``evaluations.services.decision_record`` (the views and the API route it there).
PIPELINE_ACTIONS = {"advance": pipeline_advance, "hold": pipeline_hold, "resume": pipeline_resume,
                    "withdraw": pipeline_withdraw}
