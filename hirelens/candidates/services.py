from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.accounts.roles import Perm
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.positions.models import Position

from .models import PERSONAL_FIELDS, Application, Candidate
from .selectors import candidate_find_duplicates


@transaction.atomic
def candidate_create(*, actor: User, full_name: str, phone: str = "", email: str = "", id_number: str = "",
                     resume=None, request=None) -> Candidate:
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    duplicates = candidate_find_duplicates(organization_id=actor.organization_id, phone=phone, email=email, id_number=id_number)
    if duplicates.exists():
        raise ValidationError(_("已存在手机号、邮箱或身份证号相同的候选人。"))
    candidate = Candidate(organization_id=actor.organization_id, full_name=full_name.strip(), phone=phone.strip(),
                          email=email.strip(), id_number=id_number.strip())
    candidate.full_clean(exclude=["resume"])
    if resume is not None:
        candidate.resume_name = resume.name
        candidate.resume.save(resume.name, resume, save=False)
    candidate.save()
    fields = [f for f in PERSONAL_FIELDS if getattr(candidate, f)] + (["resume"] if resume is not None else [])
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=candidate, fields=fields, request=request)
    return candidate


@transaction.atomic
def application_create(*, actor: User, candidate: Candidate, position: Position, stage: str = "") -> Application:
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if candidate.organization_id != actor.organization_id or position.organization_id != actor.organization_id:
        raise ValidationError(_("候选人和职位必须属于本组织。"))
    application, _created = Application.objects.get_or_create(
        organization_id=actor.organization_id, candidate=candidate, position=position, defaults={"stage": stage}
    )
    return application


def candidate_read(*, actor: User, candidate: Candidate, request=None) -> Candidate:
    """Record that the actor viewed the candidate's personal data (S2: who saw what)."""
    audit_record(action=AuditEvent.Action.READ, actor=actor, obj=candidate, fields=list(PERSONAL_FIELDS), request=request)
    return candidate


def candidate_resume_open(*, actor: User, candidate: Candidate, request=None):
    if not candidate.resume:
        raise ValidationError(_("该候选人没有上传简历。"))
    audit_record(action=AuditEvent.Action.READ_FILE, actor=actor, obj=candidate, fields=["resume"], request=request)
    return candidate.resume.open("rb")
