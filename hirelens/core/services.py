from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.core.roles import Perm

from .access import require_perm
from .audit import audit_record
from .models import AuditEvent, Organization

EDITABLE = ("name", "time_zone", "default_language", "facial_analysis_enabled")


@transaction.atomic
def organization_update(*, actor, request=None, **changes) -> Organization:
    """HR admins change their own organization's settings; the facial-analysis switch is audited (S5)."""
    require_perm(actor, Perm.ORG_SETTINGS)
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "time_zone" in changes and changes["time_zone"] not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("未知的时区。")})
    changed = [name for name, value in changes.items() if getattr(organization, name) != value]
    if not changed:
        return organization
    for name in changed:
        setattr(organization, name, changes[name])
    organization.full_clean()
    organization.save(update_fields=changed)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=organization, fields=changed, request=request)
    return organization
