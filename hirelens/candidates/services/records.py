from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.core import events
from hirelens.core.access import require_perm
from hirelens.core.actors import PortalActor
from hirelens.core.audit import audit_record, audit_record_many
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm
from hirelens.positions.models import Position

from .. import search
from ..models import PERSONAL_FIELDS, Application, Candidate, SearchToken, Tag
from ..selectors import candidate_find_duplicates
from ..timeline import timeline_add
from ..validation import check_email, check_id_number, check_phone, clean_text

if TYPE_CHECKING:
    from hirelens.accounts.models import User

EDITABLE_BY_CANDIDATE = ("full_name", "phone", "email", "address")
EDITABLE_BY_STAFF = ("full_name", "phone", "email", "id_number", "address", "source")


class DuplicateCandidate(ValidationError):
    """Same phone, e-mail or ID number as existing records; ``duplicate_ids`` lists them."""

    def __init__(self, duplicate_ids: list[int]):
        self.duplicate_ids = duplicate_ids
        # the message names no one (the page that shows it lists the records by name, as an audited read)
        super().__init__(_("已有 %(n)d 位候选人的手机号、邮箱或身份证号相同。") % {"n": len(duplicate_ids)}, code="duplicate")


def check_writer(*, actor: User | PortalActor, candidate: Candidate) -> None:
    """Staff need CANDIDATES_MANAGE in the candidate's organization; a candidate writes only their own record, as the
    PortalActor that ``portal.access`` built for their verified link (any other record: PermissionDenied)."""
    if isinstance(actor, PortalActor):
        if not actor.owns(candidate):
            raise PermissionDenied
        return
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if candidate.organization_id != actor.organization_id:
        raise PermissionDenied


def check_staff_writer(*, actor: User, candidate: Candidate) -> None:
    """HR's own writes (document reviews, background checks): a user who manages candidates, never a PortalActor."""
    if isinstance(actor, PortalActor):
        raise PermissionDenied
    check_writer(actor=actor, candidate=candidate)


def clean_contact(*, full_name=None, phone=None, email=None, id_number=None, address=None) -> dict:
    """Normalise and validate the given contact fields; errors are collected per field."""
    cleaned, errors = {}, {}
    checks = {"phone": check_phone, "email": check_email, "id_number": check_id_number}
    for name, value in (("full_name", full_name), ("phone", phone), ("email", email), ("id_number", id_number), ("address", address)):
        if value is None:
            continue
        try:
            cleaned[name] = checks[name](value) if name in checks else clean_text(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if "full_name" in cleaned and not cleaned["full_name"]:
        errors["full_name"] = [_("请填写姓名。")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def candidate_reindex(*, candidate: Candidate) -> None:
    """Rebuild the keyed search tokens of one candidate (name, skills, tags, resume, history)."""
    short = [candidate.full_name, *candidate.skills, *(t.name for t in candidate.tags.all())]
    long = [candidate.resume_text]
    long += [f"{w.employer} {w.title}" for w in candidate.work_history.all()]
    long += [f"{p.name} {p.role}" for p in candidate.projects.all()]
    tokens = search.document_tokens(short_texts=short, long_texts=long)
    SearchToken.objects.filter(candidate=candidate).delete()
    SearchToken.objects.bulk_create(
        [SearchToken(organization_id=candidate.organization_id, candidate=candidate, token=t) for t in tokens], batch_size=1000
    )


def publish_candidate_change(*, candidate: Candidate, parts: list[str], by_candidate: bool) -> None:
    """Tell open HR and interviewer pages and webhook subscribers (after commit) that a part of the record changed.

    Only ids and part names travel: each page re-fetches through its own access check."""
    events.emit(events.CandidateUpdated(organization_id=candidate.organization_id, candidate_id=candidate.pk,
                                        parts=tuple(sorted(set(parts))), by_candidate=by_candidate))


def _tags(organization_id: int, names) -> list[Tag]:
    tags = []
    for name in {clean_text(n)[:50] for n in names if clean_text(n)}:
        tag, _created = Tag.objects.get_or_create(organization_id=organization_id, name=name)
        tags.append(tag)
    return tags


@transaction.atomic
def candidate_create(*, actor, full_name: str, phone: str = "", email: str = "", id_number: str = "", address: str = "",
                     source: str = Candidate.Source.MANUAL, tags=(), resume=None, allow_duplicate: bool = False,
                     request=None) -> Candidate:
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    cleaned = clean_contact(full_name=full_name, phone=phone, email=email, id_number=id_number, address=address)
    duplicates = list(candidate_find_duplicates(organization_id=actor.organization_id, phone=cleaned["phone"],
                                                email=cleaned["email"], id_number=cleaned["id_number"]).values_list("pk", flat=True))
    if duplicates and not allow_duplicate:
        raise DuplicateCandidate(duplicates)
    candidate = Candidate(organization_id=actor.organization_id, source=source, created_by=actor, **cleaned)
    candidate.full_clean(exclude=["resume"])
    candidate.save()
    if tags:
        candidate.tags.set(_tags(actor.organization_id, tags))
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=candidate,
                 fields=[f for f in PERSONAL_FIELDS if getattr(candidate, f)], request=request)
    timeline_add(candidate=candidate, kind="created", actor=actor)
    events.emit(events.CandidateCreated(organization_id=candidate.organization_id, candidate_id=candidate.pk, source=candidate.source))
    if duplicates:
        timeline_add(candidate=candidate, kind="duplicate_suspected", actor=actor,
                     params={"others": ", ".join(f"#{i}" for i in duplicates)})
    if resume is not None:
        from .files import resume_attach

        resume_attach(candidate=candidate, actor=actor, upload=resume, request=request)
    else:
        candidate_reindex(candidate=candidate)
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, actor: User | PortalActor, data: dict, tags=None,
                     allow_duplicate: bool = False, request=None) -> list[str]:
    """Change contact fields (and, for staff, source and tags). Returns the names of the changed fields."""
    check_writer(actor=actor, candidate=candidate)
    by_candidate = isinstance(actor, PortalActor)
    allowed = EDITABLE_BY_CANDIDATE if by_candidate else EDITABLE_BY_STAFF
    unknown = set(data) - set(allowed)
    if unknown:
        raise PermissionDenied
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    contact = {k: v for k, v in data.items() if k != "source"}
    cleaned = clean_contact(**contact)
    if "source" in data:
        if data["source"] not in Candidate.Source.values:
            raise ValidationError({"source": [_("来源无效。")]})
        cleaned["source"] = data["source"]
    changed = [name for name, value in cleaned.items() if getattr(candidate, name) != value]
    contact_changed = {k: cleaned[k] for k in ("phone", "email", "id_number") if k in changed}
    if contact_changed and not allow_duplicate:
        others = candidate_find_duplicates(organization_id=candidate.organization_id, **contact_changed).exclude(pk=candidate.pk)
        ids = list(others.values_list("pk", flat=True))
        if ids:
            raise DuplicateCandidate(ids)
    for name in changed:
        setattr(candidate, name, cleaned[name])
    if tags is not None and not by_candidate:
        new_tags = _tags(candidate.organization_id, tags)
        if {t.pk for t in new_tags} != set(candidate.tags.values_list("pk", flat=True)):
            candidate.tags.set(new_tags)
            changed.append("tags")
    if not changed:
        return []
    candidate.full_clean(exclude=["resume"])
    candidate.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=changed, request=request)
    timeline_add(candidate=candidate, kind="updated", actor=actor, params={"fields": changed})
    if "full_name" in changed or "tags" in changed:
        candidate_reindex(candidate=candidate)
    publish_candidate_change(candidate=candidate, parts=["profile"], by_candidate=by_candidate)
    return changed


def candidate_read(*, actor, candidate: Candidate, request=None) -> Candidate:
    """Record that the actor viewed the candidate's personal data (S2: who saw what)."""
    audit_record(action=AuditEvent.Action.READ, actor=actor, obj=candidate, fields=list(PERSONAL_FIELDS), request=request)
    return candidate


def candidate_list_read(*, actor, candidates, fields=("full_name",), request=None) -> None:
    """A list shows the listed candidates' names (and, in the API, contact details): ONE audited read per page view
    naming every listed candidate (``audit_record_many``), whatever the page size."""
    audit_record_many(action=AuditEvent.Action.READ, actor=actor, objs=candidates, fields=fields, request=request)


def candidate_resume_open(*, actor, candidate: Candidate, request=None):
    if not candidate.resume:
        raise ValidationError(_("该候选人没有上传简历。"))
    audit_record(action=AuditEvent.Action.READ_FILE, actor=actor, obj=candidate, fields=["resume"], request=request)
    return candidate.resume.open("rb")


@transaction.atomic
def application_create(*, actor, candidate: Candidate, position: Position, stage: str = "") -> Application:
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if candidate.organization_id != actor.organization_id or position.organization_id != actor.organization_id:
        raise ValidationError(_("候选人和职位必须属于本组织。"))
    application, created = Application.objects.get_or_create(
        organization_id=actor.organization_id, candidate=candidate, position=position, defaults={"stage": stage}
    )
    if created:
        # the analytics funnel counts it, in this transaction
        events.emit(events.ApplicationCreated(organization_id=application.organization_id, application_id=application.pk,
                                              candidate_id=candidate.pk, position_id=position.pk))
        timeline_add(candidate=candidate, kind="application_created", actor=actor,
                     params={"position": position.title, "position_id": position.pk})
        publish_candidate_change(candidate=candidate, parts=["applications"], by_candidate=False)
    return application


FINAL_STATUS_OUTCOMES = {Application.Status.REJECTED: "reject", Application.Status.HIRED: "hire"}


@transaction.atomic
def application_update(*, actor, application: Application, stage: str | None = None, status: str | None = None,
                       reason: str = "", without_evaluation: bool = False, without_evaluation_reason: str = "",
                       request=None) -> Application:
    """Edit an application's stage label and status. Moving it to 未通过 or 已录用 is a decision: it goes
    through ``evaluations.services.decision_record`` (reason, human evaluation, pipeline, feedback; S1), which
    evaluations registers as the recorder of ``candidates/decisions.py``."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if application.organization_id != actor.organization_id:
        raise PermissionDenied
    if status is not None and status not in Application.Status.values:
        raise ValidationError({"status": [_("状态无效。")]})
    if status in FINAL_STATUS_OUTCOMES and status != application.status:
        from hirelens.candidates.decisions import decision_record_via

        decision_record_via(actor=actor, application=application, outcome=FINAL_STATUS_OUTCOMES[status],
                            rationale=reason, without_evaluation=without_evaluation,
                            without_evaluation_reason=without_evaluation_reason, request=request)
        application.refresh_from_db(fields=["status", "stage"])
        status = None
    if stage is not None:
        application.stage = clean_text(stage)[:100]
    if status is not None:
        application.status = status
    application.save(update_fields=["stage", "status", "updated_at"])
    # a status to or from "hired" counts in the analytics funnel, recounted in this transaction
    events.emit(events.ApplicationUpdated(organization_id=application.organization_id, application_id=application.pk,
                                          candidate_id=application.candidate_id, position_id=application.position_id,
                                          status=application.status))
    timeline_add(candidate=application.candidate, kind="application_updated", actor=actor,
                 params={"position": application.position.title, "position_id": application.position_id,
                         "stage": application.stage, "status": application.status})
    publish_candidate_change(candidate=application.candidate, parts=["applications"], by_candidate=False)
    return application
