from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.core.actors import PortalActor
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from .. import resume as resume_lib
from ..models import Candidate, Document, Skill
from ..timeline import timeline_add
from ..validation import clean_text
from .records import candidate_reindex, check_staff_writer, check_writer, publish_candidate_change
from .resume_apply import resume_fill_empty  # also registers the timeline texts of the resume review

if TYPE_CHECKING:
    from hirelens.accounts.models import User

DOCUMENT_TYPES = (resume_lib.PDF, resume_lib.DOCX, resume_lib.PNG, resume_lib.JPEG)


def skill_dictionary(organization_id: int) -> list[tuple[str, list[str]]]:
    rows = list(Skill.objects.filter(organization_id=organization_id).values_list("name", "aliases"))
    return [(name, list(aliases or [])) for name, aliases in rows] or resume_lib.DEFAULT_SKILLS


@transaction.atomic
def resume_attach(*, candidate: Candidate, actor: User | PortalActor, upload, request=None) -> Candidate:
    """Store a PDF/DOCX resume (encrypted), extract its text and parse key fields.

    Staff: the parse is only stored; nothing reaches the record before HR confirms the review step
    (``resume_apply``). The candidate (portal): the parse fills what the record lacks (``resume_fill_empty``).

    A PDF without a text layer (a scan) is kept and flagged ``no_text``, not refused. Corrupt,
    encrypted, oversized, empty or mistyped files are refused before anything is written."""
    check_writer(actor=actor, candidate=candidate)
    by_candidate = isinstance(actor, PortalActor)
    data = resume_lib.read_upload(upload, max_bytes=resume_lib.MAX_RESUME_BYTES)
    extracted = resume_lib.extract_resume(data)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if extracted.has_text:
        parsed = resume_lib.parse_resume(extracted.text, skills=skill_dictionary(candidate.organization_id))
        candidate.resume_status = Candidate.ResumeStatus.PARSED
        candidate.resume_parsed_json = json.dumps(parsed.as_dict(), ensure_ascii=False)
    else:
        candidate.resume_status = Candidate.ResumeStatus.NO_TEXT
        candidate.resume_parsed_json = ""
    candidate.resume_text = extracted.text.strip()
    name = clean_text(getattr(upload, "name", "") or "resume")[:200]
    candidate.resume_name = name
    candidate.resume_content_type = extracted.content_type
    old = candidate.resume.name if candidate.resume else ""
    candidate.resume.save(f"resume.{resume_lib.EXTENSIONS[extracted.content_type]}", ContentFile(data), save=False)
    candidate.save()
    if old:
        transaction.on_commit(lambda: candidate.resume.storage.delete(old))
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=candidate, organization_id=candidate.organization_id,
                 fields=["resume", "resume_text"], request=request)
    timeline_add(candidate=candidate, kind="resume_uploaded", actor=actor, params={"status": candidate.resume_status})
    candidate_reindex(candidate=candidate)
    publish_candidate_change(candidate=candidate, parts=["profile", "resume"], by_candidate=by_candidate)
    if by_candidate and candidate.resume_status == Candidate.ResumeStatus.PARSED:
        resume_fill_empty(candidate=candidate, actor=actor, request=request)
        candidate.refresh_from_db()
    return candidate


@transaction.atomic
def document_upload(*, candidate: Candidate, actor: User | PortalActor, upload, doc_type: str, request=None) -> Document:
    """Type and size are checked on the content (PDF, DOCX, PNG, JPEG), never on the file name."""
    check_writer(actor=actor, candidate=candidate)
    by_candidate = isinstance(actor, PortalActor)
    if doc_type not in Document.Type.values:
        raise ValidationError({"doc_type": [_("文件类型无效。")]})
    data = resume_lib.read_upload(upload, max_bytes=resume_lib.MAX_DOCUMENT_BYTES)
    try:
        content_type = resume_lib.detect_type(data, allowed=DOCUMENT_TYPES)
    except ValidationError as exc:
        if exc.code in ("type", "image"):
            raise ValidationError(_("不支持的文件类型：请上传 PDF、DOCX、PNG 或 JPEG。"), code="type") from None
        raise
    document = Document(organization_id=candidate.organization_id, candidate=candidate, doc_type=doc_type,
                        filename=clean_text(getattr(upload, "name", "") or "document")[:255], content_type=content_type,
                        size=len(data), uploaded_by_candidate=by_candidate)
    document.file.save(f"doc.{resume_lib.EXTENSIONS[content_type]}", ContentFile(data), save=False)
    document.save()
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=document, organization_id=candidate.organization_id,
                 fields=["file", "filename"], request=request)
    timeline_add(candidate=candidate, kind="document_uploaded", actor=actor, params={"type": document.doc_type, "document_id": document.pk})
    publish_candidate_change(candidate=candidate, parts=["documents"], by_candidate=by_candidate)
    return document


@transaction.atomic
def document_review(*, actor: User, document: Document, status: str, note: str = "") -> Document:
    check_staff_writer(actor=actor, candidate=document.candidate)
    if status not in Document.Review.values:
        raise ValidationError({"status": [_("审核状态无效。")]})
    document.review_status, document.review_note, document.reviewed_by = status, clean_text(note)[:500], actor
    document.save(update_fields=["review_status", "review_note", "reviewed_by", "updated_at"])
    timeline_add(candidate=document.candidate, kind="document_reviewed", actor=actor,
                 params={"type": document.doc_type, "status": document.review_status})
    publish_candidate_change(candidate=document.candidate, parts=["documents"], by_candidate=False)
    return document


def document_open(*, actor: User, document: Document, request=None):
    audit_record(action=AuditEvent.Action.READ_FILE, actor=actor, obj=document, organization_id=document.organization_id,
                 fields=["file"], request=request)
    return document.file.open("rb")
