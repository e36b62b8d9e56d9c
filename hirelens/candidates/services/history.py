from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core.actors import PortalActor
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from ..models import BackgroundCheck, Candidate, Project, WorkExperience
from ..resume import parse_figure
from ..timeline import timeline_add
from ..validation import clean_text
from .records import candidate_reindex, check_staff_writer, check_writer, publish_candidate_change

if TYPE_CHECKING:
    from hirelens.accounts.models import User


def _year(value, field: str, errors: dict):
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if not 1950 <= year <= 2100:
        errors[field] = [_("年份应在 1950 到 2100 之间。")]
        return None
    return year


def parse_results(lines) -> list[dict]:
    """One measurable result per line ("项目营收 1000万元", "revenue 10M"): kept as number and unit."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    results = []
    for line in lines:
        line = clean_text(line)
        if not line:
            continue
        figure = parse_figure(line)
        results.append(figure or {"label": line[:100], "value": None, "unit": "", "text": line[:200]})
    return results[:20]


def _owned(obj, candidate: Candidate):
    """The entry edited belongs to the record written (which ``check_writer`` checked against the actor)."""
    if obj is not None and obj.candidate_id != candidate.pk:
        raise PermissionDenied


@transaction.atomic
def project_save(*, candidate: Candidate, actor: User | PortalActor, project: Project | None = None,
                 name: str, role: str = "", description: str = "", start_year=None, end_year=None, results="",
                 request=None) -> Project:
    check_writer(actor=actor, candidate=candidate)
    _owned(project, candidate)
    errors = {}
    if not clean_text(name):
        errors["name"] = [_("请填写项目名称。")]
    start, end = _year(start_year, "start_year", errors), _year(end_year, "end_year", errors)
    if start and end and end < start:
        errors["end_year"] = [_("结束年份不能早于开始年份。")]
    if errors:
        raise ValidationError(errors)
    project = project or Project(organization_id=candidate.organization_id, candidate=candidate)
    project.name, project.role = clean_text(name)[:200], clean_text(role)[:200]
    project.description = (description or "").strip()[:4000]
    project.start_year, project.end_year = start, end
    project.results = parse_results(results)
    project.full_clean()
    project.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=["projects"], request=request)
    timeline_add(candidate=candidate, kind="project_saved", actor=actor, params={"project_id": project.pk})
    candidate_reindex(candidate=candidate)
    publish_candidate_change(candidate=candidate, parts=["projects"], by_candidate=isinstance(actor, PortalActor))
    return project


@transaction.atomic
def project_delete(*, candidate: Candidate, project: Project, actor: User | PortalActor, request=None) -> None:
    check_writer(actor=actor, candidate=candidate)
    _owned(project, candidate)
    project.delete()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=["projects"], request=request)
    timeline_add(candidate=candidate, kind="project_deleted", actor=actor)
    candidate_reindex(candidate=candidate)
    publish_candidate_change(candidate=candidate, parts=["projects"], by_candidate=isinstance(actor, PortalActor))


@transaction.atomic
def work_save(*, candidate: Candidate, actor: User | PortalActor, work: WorkExperience | None = None,
              employer: str, title: str = "", start_year=None, end_year=None, current: bool = False, description: str = "",
              request=None) -> WorkExperience:
    check_writer(actor=actor, candidate=candidate)
    _owned(work, candidate)
    errors = {}
    if not clean_text(employer):
        errors["employer"] = [_("请填写公司名称。")]
    start, end = _year(start_year, "start_year", errors), _year(end_year, "end_year", errors)
    if start and end and end < start:
        errors["end_year"] = [_("结束年份不能早于开始年份。")]
    if errors:
        raise ValidationError(errors)
    work = work or WorkExperience(organization_id=candidate.organization_id, candidate=candidate)
    work.employer, work.title = clean_text(employer)[:200], clean_text(title)[:200]
    work.start_year, work.end_year, work.current = start, (None if current else end), bool(current)
    work.description = (description or "").strip()[:4000]
    work.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=["work_history"], request=request)
    timeline_add(candidate=candidate, kind="work_saved", actor=actor)
    candidate_reindex(candidate=candidate)
    publish_candidate_change(candidate=candidate, parts=["work"], by_candidate=isinstance(actor, PortalActor))
    return work


@transaction.atomic
def work_delete(*, candidate: Candidate, work: WorkExperience, actor: User | PortalActor, request=None) -> None:
    check_writer(actor=actor, candidate=candidate)
    _owned(work, candidate)
    work.delete()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=["work_history"], request=request)
    timeline_add(candidate=candidate, kind="work_deleted", actor=actor)
    candidate_reindex(candidate=candidate)
    publish_candidate_change(candidate=candidate, parts=["work"], by_candidate=isinstance(actor, PortalActor))


@transaction.atomic
def background_check_save(*, actor, candidate: Candidate, provider: str, status: str, result: str = "",
                          check: BackgroundCheck | None = None, report=None, request=None) -> BackgroundCheck:
    check_staff_writer(actor=actor, candidate=candidate)
    _owned(check, candidate)
    if status not in BackgroundCheck.Status.values:
        raise ValidationError({"status": [_("状态无效。")]})
    if not clean_text(provider):
        raise ValidationError({"provider": [_("请填写服务商。")]})
    check = check or BackgroundCheck(organization_id=candidate.organization_id, candidate=candidate)
    check.provider, check.status, check.result = clean_text(provider)[:200], status, (result or "").strip()[:4000]
    if status in (BackgroundCheck.Status.CLEAR, BackgroundCheck.Status.FLAGGED) and check.completed_at is None:
        check.completed_at = timezone.now()
    if report is not None:
        from django.core.files.base import ContentFile

        from .. import resume as resume_lib

        data = resume_lib.read_upload(report, max_bytes=resume_lib.MAX_DOCUMENT_BYTES)
        kind = resume_lib.detect_type(data, allowed=(resume_lib.PDF,))
        check.report_name = clean_text(getattr(report, "name", "report.pdf"))[:200]
        check.report.save(f"report.{resume_lib.EXTENSIONS[kind]}", ContentFile(data), save=False)
    check.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=check, organization_id=candidate.organization_id,
                 fields=["result"] + (["report"] if report is not None else []), request=request)
    timeline_add(candidate=candidate, kind="background_check", actor=actor,
                 params={"provider": check.provider, "status": check.status})
    publish_candidate_change(candidate=candidate, parts=["background"], by_candidate=False)
    return check
