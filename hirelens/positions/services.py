from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import AssignmentRole, Perm

from .models import Position, PositionAssignment, default_scorecard_dimensions
from .validators import clean_keyword_synonyms, clean_word_list, validate_time_zone

EDITABLE_FIELDS = ("title", "department", "location", "time_zone", "status", "keywords", "keyword_synonyms", "description",
                   "scorecard_dimensions", "jurisdiction", "facial_analysis", "advance_notice_days")


@transaction.atomic
def position_create(*, actor: User, title: str, department: str = "", location: str = "",
                    time_zone: str = "Asia/Shanghai", keywords: list[str] | None = None,
                    status: str = Position.Status.OPEN, description: str = "",
                    scorecard_dimensions: list[str] | None = None, keyword_synonyms: dict | str | None = None,
                    jurisdiction: str = Position.Jurisdiction.OTHER, facial_analysis: str = Position.Facial.INHERIT,
                    advance_notice_days: int | None = None, request=None) -> Position:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    validate_time_zone(time_zone)
    dimensions = clean_word_list(scorecard_dimensions) if scorecard_dimensions is not None else default_scorecard_dimensions()
    keywords = clean_word_list(keywords)
    position = Position(organization_id=actor.organization_id, title=title.strip(), department=department.strip(),
                        location=location.strip(), time_zone=time_zone.strip(), keywords=keywords,
                        keyword_synonyms=clean_keyword_synonyms(keyword_synonyms or {}, keywords=keywords),
                        status=status, description=description.strip(), scorecard_dimensions=dimensions,
                        jurisdiction=jurisdiction or Position.Jurisdiction.OTHER,
                        facial_analysis=facial_analysis or Position.Facial.INHERIT, advance_notice_days=advance_notice_days)
    position.full_clean()
    position.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=position, fields=["title"], request=request)
    return position


@transaction.atomic
def position_update(*, actor: User, position: Position, request=None, **changes) -> Position:
    """Change any of ``EDITABLE_FIELDS``; keywords and dimensions may be lists or comma-separated text, synonyms a
    dict or text (one line per keyword). Synonyms of a keyword that is removed are removed with it."""
    require_perm(actor, Perm.POSITIONS_MANAGE)
    if position.organization_id != actor.organization_id:
        raise ValidationError(_("只能修改本组织的职位。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "time_zone" in changes:
        validate_time_zone(changes["time_zone"])
        changes["time_zone"] = changes["time_zone"].strip()
    for name in ("keywords", "scorecard_dimensions"):
        if name in changes:
            changes[name] = clean_word_list(changes[name])
    if "keywords" in changes or "keyword_synonyms" in changes:
        keywords = changes.get("keywords", position.keywords)
        synonyms = changes.get("keyword_synonyms", position.keyword_synonyms)
        if "keyword_synonyms" not in changes and isinstance(synonyms, dict):
            synonyms = {k: v for k, v in synonyms.items() if k in keywords}
        changes["keyword_synonyms"] = clean_keyword_synonyms(synonyms or {}, keywords=keywords)
    if "scorecard_dimensions" in changes and not changes["scorecard_dimensions"]:
        raise ValidationError(_("评分卡至少需要一个维度。"))
    for name in ("title", "department", "location", "description"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    changed = [name for name, value in changes.items() if getattr(position, name) != value]
    for name in changed:
        setattr(position, name, changes[name])
    position.full_clean()
    if changed:
        position.save(update_fields=[*changed, "updated_at"])
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=position, fields=changed, request=request)
    return position


@transaction.atomic
def position_assign(*, actor: User, position: Position, user: User, role: str, request=None) -> PositionAssignment:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    if user.organization_id != position.organization_id or position.organization_id != actor.organization_id:
        raise ValidationError(_("只能指派本组织的成员。"))
    if role not in AssignmentRole.values:
        raise ValidationError(_("无效的角色。"))
    if not user.is_active:
        raise ValidationError(_("该成员已停用。"))
    assignment, created = PositionAssignment.objects.get_or_create(
        organization_id=position.organization_id, position=position, user=user, role=role
    )
    if created:
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=position, fields=[f"assignment:{role}"], request=request)
    return assignment


@transaction.atomic
def position_unassign(*, actor: User, assignment: PositionAssignment, request=None) -> None:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    position = assignment.position
    role = assignment.role
    assignment.delete()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=position, fields=[f"assignment:{role}"], request=request)
