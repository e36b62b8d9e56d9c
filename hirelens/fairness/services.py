from __future__ import annotations

import json
import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.actors import LinkActor, PortalActor, SystemActor
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from .access import require_compliance
from .models import FairnessAudit, PIAVersion, Race, SelfIdentification, Sex
from .selectors import excluded_count

SELF_ID_NOTICE_VERSION = "2026-1"


def _answers_by(actor, candidate) -> None:
    """Only the candidate answers (through their portal or interview link, verified), or the system loading demo or
    imported history; no staff member answers for a candidate."""
    if isinstance(actor, (PortalActor, LinkActor)):
        if actor.owns(candidate):
            return
    elif isinstance(actor, SystemActor):
        return
    raise PermissionDenied("only the candidate answers the self-identification")


@transaction.atomic
def self_identification_save(*, actor: PortalActor | LinkActor | SystemActor, candidate, sex: str, race: str,
                             request=None) -> SelfIdentification:
    """Store (or replace) a candidate's voluntary answers. Empty means not answered; both may be "decline"."""
    _answers_by(actor, candidate)
    if sex and sex not in Sex.values:
        raise ValidationError(_("请选择一个选项。"))
    if race and race not in Race.values:
        raise ValidationError(_("请选择一个选项。"))
    answers = json.dumps({"sex": sex or "", "race": race or ""}, separators=(",", ":"))
    record, _created = SelfIdentification.objects.update_or_create(
        candidate=candidate, defaults={"organization_id": candidate.organization_id, "answers": answers,
                                       "notice_version": SELF_ID_NOTICE_VERSION, "submitted_at": timezone.now()})
    # the record itself is named, never its answers (the log keeps no personal values)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, organization_id=candidate.organization_id, obj=record,
                 request=request)
    return record


@transaction.atomic
def self_identification_withdraw(*, actor: PortalActor | LinkActor | SystemActor, candidate, request=None) -> int:
    _answers_by(actor, candidate)
    record = SelfIdentification.objects.filter(candidate=candidate).first()
    if record is None:
        return 0
    audit_record(action=AuditEvent.Action.DELETE, actor=actor, organization_id=candidate.organization_id, obj=record,
                 request=request)
    record.delete()
    return 1


@transaction.atomic
def audit_create(*, actor, report: dict, stage_label: str, distribution_date: date | None, data_source: str,
                 title: str = "", exclusion_justification: str = "", request=None) -> FairnessAudit:
    """Freeze a report (aggregates only) as a dated audit. Where the report leaves a category under 2 % of the data out
    of the impact ratios, the reason is required and kept with the audit (NYC DCWP rules § 5-301(d))."""
    require_compliance(actor)
    from hirelens.positions.models import Position

    position = Position.objects.filter(organization_id=actor.organization_id, pk=report.get("position_id")).first()
    if position is None:
        raise ValidationError(_("请选择职位。"))
    data_source = (data_source or "").strip()
    if not data_source:
        raise ValidationError(_("请写明数据来源。"))
    exclusion_justification = (exclusion_justification or "").strip() if excluded_count(report) else ""
    if excluded_count(report) and not exclusion_justification:
        raise ValidationError(_("有类别不足全部数据的 2%，未计算影响比：请写明排除的理由。"))
    audit = FairnessAudit.objects.create(
        organization_id=actor.organization_id, position=position, stage_label=stage_label[:200],
        title=(title or "").strip()[:200] or _("%(p)s · %(s)s 偏差审计") % {"p": position.title, "s": stage_label},
        period_start=date.fromisoformat(report["start"]) if report.get("start") else None,
        period_end=date.fromisoformat(report["end"]) if report.get("end") else None,
        audit_date=timezone.localdate(), distribution_date=distribution_date, data_source=data_source[:2000],
        exclusion_justification=exclusion_justification[:2000], tables=report, created_by=actor)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=audit, request=request)
    return audit


@transaction.atomic
def audit_publish(*, actor, audit: FairnessAudit, distribution_date: date | None = None, request=None) -> FairnessAudit:
    """Publish the summary. The law publishes it with the tool's distribution date (Local Law 144 § 20-871(a)(2)),
    so an audit saved without one takes it here, and without it is not published."""
    require_compliance(actor)
    fields = ["public_token", "published_at"]
    if audit.distribution_date is None:
        if distribution_date is None:
            raise ValidationError(_("公开的摘要须写明使用开始日期（该工具开始用于招聘的日期），请填写。"))
        audit.distribution_date = distribution_date
        fields.append("distribution_date")
    if not audit.public_token:
        audit.public_token = secrets.token_urlsafe(18)
    audit.published_at = timezone.now()
    audit.save(update_fields=[*fields, "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=audit, fields=fields, request=request)
    return audit


@transaction.atomic
def audit_unpublish(*, actor, audit: FairnessAudit, request=None) -> FairnessAudit:
    """The public URL stops answering at once; publishing again gives a new one (an old link stays dead)."""
    require_compliance(actor)
    audit.public_token, audit.published_at = "", None
    audit.save(update_fields=["public_token", "published_at", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=audit, fields=["public_token", "published_at"], request=request)
    return audit


@transaction.atomic
def pia_version_create(*, actor, note: str = "", request=None) -> PIAVersion:
    """Save the assessment as filled from the settings now: a new version, never an edit of an old one."""
    from hirelens.core.models import Organization

    from .records import pia_content

    require_compliance(actor)
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)  # numbers stay unique
    last = PIAVersion.objects.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0
    version = PIAVersion.objects.create(organization=organization, number=last + 1, content=pia_content(organization=organization),
                                        note=(note or "").strip()[:300], created_by=actor)
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=version, request=request)
    return version


@transaction.atomic
def pia_version_delete(*, actor, version: PIAVersion, request=None) -> None:
    require_compliance(actor)
    if timezone.now() < version.keep_until:
        raise ValidationError(_("影响评估记录至少保存三年，%(date)s 之前不能删除。") % {"date": version.keep_until.date()})
    audit_record(action=AuditEvent.Action.DELETE, actor=actor, obj=version, request=request)
    version.delete()
