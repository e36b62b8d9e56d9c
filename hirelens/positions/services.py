from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.accounts.roles import AssignmentRole, Perm
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from .models import Position, PositionAssignment


@transaction.atomic
def position_create(*, actor: User, title: str, department: str = "", location: str = "",
                    time_zone: str = "Asia/Shanghai", keywords: list[str] | None = None,
                    status: str = Position.Status.OPEN) -> Position:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    position = Position(organization_id=actor.organization_id, title=title.strip(), department=department.strip(),
                        location=location.strip(), time_zone=time_zone, keywords=keywords or [], status=status)
    position.full_clean()
    position.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=position, fields=["title"])
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
