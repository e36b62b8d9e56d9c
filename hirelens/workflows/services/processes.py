"""Designing processes: drafts, stages, publishing versions, cloning (W1, W2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.core import events
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.forms import model_update
from hirelens.core.models import AuditEvent
from hirelens.core.roles import AssignmentRole, Perm
from hirelens.positions.models import Position

from ..models import Process, ProcessVersion, Stage
from ..modules import STARTERS, default_settings, module_spec, publish_problems, settings_clean


def _same_org(actor: User, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.organization_id != actor.organization_id:
            raise ValidationError(_("只能操作本组织的数据。"))


def process_draft(process: Process) -> ProcessVersion:
    """The draft version HR edits (created on demand)."""
    draft = process.versions.filter(status=ProcessVersion.Status.DRAFT).first()
    if draft is None:
        draft = ProcessVersion.objects.create(organization_id=process.organization_id, process=process)
    return draft


def _require_draft(version: ProcessVersion) -> None:
    if not version.is_draft:
        raise ValidationError(_("已发布的版本不能修改，请编辑草稿后重新发布。"))


def _copy_stages(source: ProcessVersion, target: ProcessVersion, *, keep_keys: bool) -> None:
    for stage in source.stages.order_by("order", "pk").prefetch_related("view_users", "score_users"):
        copy = Stage(organization_id=target.organization_id, version=target, order=stage.order, module=stage.module,
                     title=stage.title, instructions=stage.instructions, settings=stage.settings,
                     view_roles=list(stage.view_roles), score_roles=list(stage.score_roles))
        if keep_keys:
            copy.key = stage.key
        copy.save()
        if source.organization_id == target.organization_id:
            copy.view_users.set(stage.view_users.all())
            copy.score_users.set(stage.score_users.all())


@transaction.atomic
def process_create(*, actor: User, position: Position | None, name: str = "", starter: str = "",
                   description: str = "", request=None) -> Process:
    """A new process for a position (or the library when ``position`` is None), empty or from a starter."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, position)
    if starter and starter not in STARTERS:
        raise ValidationError(_("未知的流程模板。"))
    name = (name or "").strip() or (str(STARTERS[starter]["name"]) if starter else _("面试流程"))
    make_active = position is not None and not Process.objects.filter(position=position, is_active=True).exists()
    process = Process(organization_id=actor.organization_id, position=position, name=name, description=description,
                      starter=starter, is_active=make_active)
    process.full_clean()
    process.save()
    draft = process_draft(process)
    if starter:
        for order, (module, title, overrides, view_roles, score_roles) in enumerate(STARTERS[starter]["stages"]):
            settings = settings_clean(module, {**module_spec(module).defaults, **overrides})
            Stage.objects.create(organization_id=process.organization_id, version=draft, order=order, module=module,
                                 title=title, settings=settings, view_roles=view_roles, score_roles=score_roles)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=process, fields=["process"], request=request)
    return process


@transaction.atomic
def stage_add(*, actor: User, version: ProcessVersion, module: str, index: int | None = None, title: str = "") -> Stage:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, version)
    _require_draft(version)
    spec = module_spec(module)  # an unknown module is a ValidationError
    stages = list(version.stages.order_by("order", "pk"))
    index = len(stages) if index is None else max(0, min(int(index), len(stages)))
    stage = Stage(organization_id=version.organization_id, version=version, module=module,
                  title=(title or "").strip() or str(spec.label), settings=default_settings(module))
    stages.insert(index, stage)
    stage.order = index
    stage.save()
    _renumber(stages)
    return stage


def _renumber(stages: list[Stage]) -> None:
    for order, stage in enumerate(stages):
        if stage.order != order:
            stage.order = order
            Stage.objects.filter(pk=stage.pk).update(order=order)


@transaction.atomic
def stages_reorder(*, actor: User, version: ProcessVersion, stage_ids: list[int]) -> list[Stage]:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, version)
    _require_draft(version)
    stages = {stage.pk: stage for stage in version.stages.all()}
    try:
        ids = [int(pk) for pk in stage_ids]
    except (TypeError, ValueError):
        raise ValidationError(_("环节顺序无效。")) from None
    if sorted(ids) != sorted(stages):
        raise ValidationError(_("环节顺序无效：请刷新页面后重试。"))
    ordered = [stages[pk] for pk in ids]
    _renumber(ordered)
    return ordered


@transaction.atomic
def stage_update(*, actor: User, stage: Stage, title: str | None = None, instructions: str | None = None,
                 settings: dict | None = None, view_roles: list[str] | None = None, score_roles: list[str] | None = None,
                 view_users: list[User] | None = None, score_users: list[User] | None = None, request=None) -> Stage:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, stage)
    _require_draft(stage.version)
    data: dict = {}
    if title is not None:
        data["title"] = title.strip()
    if instructions is not None:
        data["instructions"] = instructions.strip()
    if settings is not None:
        data["settings"] = settings_clean(stage.module, settings)
    for name, roles in (("view_roles", view_roles), ("score_roles", score_roles)):
        if roles is not None:
            bad = set(roles) - set(AssignmentRole.values)
            if bad:
                raise ValidationError(_("无效的角色。"))
            data[name] = [r for r in AssignmentRole.values if r in roles]
    model_update(instance=stage, fields=["title", "instructions", "settings", "view_roles", "score_roles"], data=data)
    for relation, users in (("view_users", view_users), ("score_users", score_users)):
        if users is not None:
            _same_org(actor, *users)
            getattr(stage, relation).set(users)
    if view_roles is not None or score_roles is not None or view_users is not None or score_users is not None:
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=stage, fields=["permissions"], request=request)
    return stage


@transaction.atomic
def stage_remove(*, actor: User, stage: Stage) -> None:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, stage)
    version = stage.version
    _require_draft(version)
    stage.delete()
    _renumber(list(version.stages.order_by("order", "pk")))


@transaction.atomic
def process_publish(*, actor: User, process: Process, note: str = "", request=None) -> ProcessVersion:
    """Freeze the draft into the next numbered version. Running applications keep their version."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, process)
    process = Process.objects.select_for_update().get(pk=process.pk)
    draft = process_draft(process)
    stages = list(draft.stages.order_by("order", "pk"))
    if not stages:
        raise ValidationError(_("流程至少需要一个环节才能发布。"))
    problems = [p for stage in stages for p in publish_problems(module=stage.module, title=stage.title, settings=stage.settings)]
    if problems:
        raise ValidationError(problems)
    number = (process.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProcessVersion.objects.create(organization_id=process.organization_id, process=process, number=number,
                                            status=ProcessVersion.Status.PUBLISHED, published_at=timezone.now(),
                                            published_by=actor, note=(note or "").strip()[:300])
    _copy_stages(draft, version, keep_keys=True)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=process, fields=[f"published:v{number}"], request=request)
    events.emit(events.ProcessPublished(organization_id=process.organization_id, process_id=process.pk, version_id=version.pk,
                                        number=number))
    return version


@transaction.atomic
def process_clone(*, actor: User, process: Process, position: Position | None, name: str = "", request=None) -> Process:
    """Copy a process (its latest published version, or its draft) as the draft of a new process."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, process, position)
    source = process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number").first() or process_draft(process)
    clone = process_create(actor=actor, position=position, name=(name or "").strip() or process.name,
                           description=process.description, request=request)
    clone.cloned_from = process
    clone.save(update_fields=["cloned_from", "updated_at"])
    _copy_stages(source, process_draft(clone), keep_keys=False)
    return clone


@transaction.atomic
def process_activate(*, actor: User, process: Process, request=None) -> Process:
    """Make this the process new applications of its position start on (it must be published)."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    _same_org(actor, process)
    if process.position_id is None:
        raise ValidationError(_("流程库中的模板不能直接启用，请先复制到职位。"))
    if not process.versions.filter(status=ProcessVersion.Status.PUBLISHED).exists():
        raise ValidationError(_("请先发布流程再启用。"))
    Process.objects.filter(position_id=process.position_id, is_active=True).exclude(pk=process.pk).update(is_active=False)
    if not process.is_active:
        process.is_active = True
        process.save(update_fields=["is_active", "updated_at"])
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=process, fields=["is_active"], request=request)
    return process
