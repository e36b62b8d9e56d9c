"""Candidate records over the open API: the same services and access checks as the pages.

Lists page by keyset (``cursor`` from the previous answer's ``next``); one record answers with an ``ETag`` that a
``PATCH`` may send back as ``If-Match``; creating a candidate honours ``Idempotency-Key``. Reads of personal data are
audited exactly like the pages (``services.candidate_read`` / ``candidate_list_read``).
"""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from hirelens.core.apitools import ApiProblem, check_if_match, with_etag
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID, MAX_OFFSET
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent
from hirelens.positions.access import access_position

from . import masking, selectors, services
from .access import access_candidate, access_candidate_for_edit, access_document
from .models import Application, Candidate, Document, Tag
from .timeline import timeline_text

API_PREFIX = "/candidates/"
router = Router(tags=["candidates"], auth=api_auth("candidates"))
MAX_PAGE = 100


class ApplicationOut(Schema):
    id: int
    position_id: int
    position: str = Field(description="The position's title.")
    stage: str = Field(description="The stage the application is in, by name.")
    status: str = Field(description="active, hired, rejected or withdrawn.")
    status_label: str = Field(description="The status in the caller's language.")
    created_at: datetime


class DocumentOut(Schema):
    id: int
    doc_type: str = Field(description="education, degree, certificate, employment, portfolio or other.")
    doc_type_label: str = Field(description="The document type in the caller's language.")
    filename: str
    content_type: str
    size: int = Field(description="Bytes.")
    review_status: str = Field(description="pending, approved or rejected.")
    review_status_label: str = Field(description="The review status in the caller's language.")
    review_note: str
    uploaded_by_candidate: bool
    created_at: datetime


class ProjectOut(Schema):
    id: int
    name: str
    role: str
    description: str
    start_year: int | None
    end_year: int | None
    results: list[dict]


class WorkOut(Schema):
    id: int
    employer: str
    title: str
    start_year: int | None
    end_year: int | None
    current: bool


class CandidateOut(Schema):
    id: int
    full_name: str
    phone: str
    email: str
    source: str = Field(description="Where the candidate came from: manual, website, referral, job_board, campus, "
                                    "headhunter, api, ...")
    source_label: str = Field(description="The source in the caller's language.")
    skills: list[str]
    tags: list[str]
    resume_status: str = Field(description="none, parsed or no_text (a scan without text).")
    resume_status_label: str = Field(description="The resume status in the caller's language.")
    created_at: datetime
    updated_at: datetime


class CandidateDetailOut(CandidateOut):
    id_number: str
    address: str
    resume_parsed: dict
    applications: list[ApplicationOut]
    projects: list[ProjectOut]
    work_history: list[WorkOut]


class CandidateListOut(Schema):
    count: int | None = Field(description="How many candidates match the filters, on the first page (without `cursor`); "
                                          "null on the pages a cursor reaches, so that a page's cost does not grow with "
                                          "the data (ask for the first page again for a fresh count).")
    next: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last page.")
    items: list[CandidateOut]


class CandidateIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"full_name": "张伟", "phone": "13800138000", "email": "zhang.wei@example.com",
                                                        "source": "api", "tags": ["校招"]}]}}

    full_name: str
    phone: str = ""
    email: str = ""
    id_number: str = ""
    address: str = ""
    source: str = Candidate.Source.API
    tags: list[str] = []
    allow_duplicate: bool = False


class CandidatePatch(Schema):
    model_config = {"json_schema_extra": {"examples": [{"email": "zw@example.com", "tags": ["校招", "后端"]}]}}

    full_name: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    address: str | None = None
    source: str | None = None
    tags: list[str] | None = None


class ApplicationIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"position_id": 12, "stage": "初筛"}]}}

    position_id: int
    stage: str = ""


class ApplicationPatch(Schema):
    model_config = {"json_schema_extra": {"examples": [{"stage": "复试"}]}}

    stage: str | None = None
    status: str | None = None
    # Needed when ``status`` becomes rejected or hired: that is a decision (S1).
    reason: str = ""
    without_evaluation: bool = False
    without_evaluation_reason: str = ""


class TimelineOut(Schema):
    id: int
    kind: str = Field(description="The event's code, e.g. created, updated, pipeline.advance.")
    text: str = Field(description="What happened, in the caller's language.")
    by_candidate: bool
    actor_id: int | None
    created_at: datetime


def _out(c: Candidate, actor) -> dict:
    """Contact details as ``actor`` may read them: in full with the contact permission, else masked (masking.py)."""
    contact = masking.contact_out(actor, c)
    return {"id": c.pk, "full_name": c.full_name, "phone": contact["phone"], "email": contact["email"], "source": c.source,
            "source_label": str(c.get_source_display()), "skills": c.skills, "tags": [t.name for t in c.tags.all()],
            "resume_status": c.resume_status, "resume_status_label": str(c.get_resume_status_display()),
            "created_at": c.created_at, "updated_at": c.updated_at}


def _app_out(a: Application) -> dict:
    return {"id": a.pk, "position_id": a.position_id, "position": a.position.title, "stage": a.stage, "status": a.status,
            "status_label": str(a.get_status_display()), "created_at": a.created_at}


def _doc_out(d: Document) -> dict:
    return {"id": d.pk, "doc_type": d.doc_type, "doc_type_label": str(d.get_doc_type_display()), "filename": d.filename,
            "content_type": d.content_type, "size": d.size, "review_status": d.review_status,
            "review_status_label": str(d.get_review_status_display()), "review_note": d.review_note,
            "uploaded_by_candidate": d.uploaded_by_candidate, "created_at": d.created_at}


def _detail(request, c: Candidate) -> dict:
    contact = masking.contact_out(request.user, c)
    parsed = c.resume_parsed if masking.can_see_contact(request.user) else {
        **(c.resume_parsed or {}), "phones": [masking.mask_phone(p) for p in (c.resume_parsed or {}).get("phones", [])],
        "emails": [masking.mask_email(e) for e in (c.resume_parsed or {}).get("emails", [])]}
    return {**_out(c, request.user), "id_number": contact["id_number"], "address": contact["address"], "resume_parsed": parsed,
            "applications": [_app_out(a) for a in selectors.candidate_applications(actor=request.user, candidate=c)],
            "projects": list(c.projects.values("id", "name", "role", "description", "start_year", "end_year", "results")),
            "work_history": [{"id": w.pk, "employer": w.employer, "title": w.title, "start_year": w.start_year, "end_year": w.end_year,
                              "current": w.current} for w in c.work_history.all()]}


@router.get("/", response=CandidateListOut, summary="List and search candidates")
def candidate_search(request, q: str = Query("", description="Name (also pinyin), phone or e-mail"),
                     position: int | None = Query(None, ge=1, le=MAX_ID, description="Applied to this position"),
                     stage: str = Query("", description="An application on this stage (by name)"),
                     tag: str = Query("", description="Has this tag"), source: str = Query("", description="Came from this source"),
                     status: str = Query("", description="An application with this status"),
                     sort: str = Query("new", description="new (newest first) or old"), limit: int = Query(20, ge=1, le=MAX_PAGE),
                     offset: int = Query(0, ge=0, le=MAX_OFFSET), cursor: str = Query("", max_length=2000)):
    """The candidates the caller may see, with the filters of the candidate list page. ``cursor`` (from a previous
    answer's ``next``) pages by keyset, however deep; ``offset`` still works, and its answer's ``next`` continues by
    keyset too. ``count`` is exact on the first page and null on cursor pages. Contact details are masked without the contact permission; one audit entry per
    page names the listed candidates."""
    filters = {"q": q, "position_id": position, "stage": stage, "tag": tag, "source": source, "status": status, "sort": sort}
    if cursor:
        try:
            page = selectors.candidate_page(actor=request.user, cursor=cursor, per_page=limit, **filters)
        except selectors.CursorError:
            raise ApiProblem(400, _("请求参数不正确。"), _("cursor 无效：请使用上一次回答中的 next。"), code="invalid_cursor") from None
        items, next_cursor = page.rows, page.next_cursor
        count = None  # counting every match again on every page was most of a deep page's cost on PostgreSQL
    else:
        qs = selectors.candidate_list(actor=request.user, **filters)
        items = list(qs.prefetch_related("tags")[offset : offset + limit + 1])
        more = len(items) > limit
        items = items[:limit]
        count = qs.count()
        next_cursor = (selectors.candidate_next_cursor(sort=sort, candidate=items[-1], start=offset + len(items) + 1)
                       if more and items else None)
    services.candidate_list_read(actor=request.user, candidates=items, fields=["full_name", "phone", "email", "skills"],
                                 request=request)
    return {"count": count, "next": next_cursor, "items": [_out(c, request.user) for c in items]}


class TagOut(Schema):
    id: int
    name: str


@router.get("/tags", response=list[TagOut], summary="List the organization's tags")
def tag_list(request):
    """The tags candidates of the organization carry (the list page's tag filter); set a candidate's tags with
    PATCH ``tags``."""
    return list(Tag.objects.filter(organization_id=request.user.organization_id).order_by("name"))


@router.post("/", response={201: CandidateDetailOut}, summary="Create a candidate")
def candidate_create(request, payload: CandidateIn):
    """Create a candidate record (HR admins and recruiters). A phone, e-mail or ID number another record has is
    refused (422 with ``duplicates``) unless ``allow_duplicate``. Idempotent with ``Idempotency-Key``."""
    def create():
        c = services.candidate_create(actor=request.user, full_name=payload.full_name, phone=payload.phone, email=payload.email,
                                      id_number=payload.id_number, address=payload.address, source=payload.source, tags=payload.tags,
                                      allow_duplicate=payload.allow_duplicate, request=request)
        return 201, _detail(request, c)

    return idempotent(request, create)


@router.get("/{id:candidate_id}", response=CandidateDetailOut, summary="Get a candidate")
def candidate_get(request, candidate_id: int, response: HttpResponse):
    """The whole record with its applications, projects and work history (audited as a read of personal data). The
    ``ETag`` header is the value to send as ``If-Match`` when changing it."""
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    services.candidate_read(actor=request.user, candidate=c, request=request)
    with_etag(response, c)
    return _detail(request, c)


class ContactOut(Schema):
    field: str
    value: str


@router.post("/{id:candidate_id}/contact/{field}", response=ContactOut, summary="Reveal one contact detail")
def contact_reveal(request, candidate_id: int, field: str):
    """One contact field in full (``phone``, ``email``, ``id_number`` or ``address``; the contact permission, else
    403); writes one audit entry."""
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    if field not in masking.CONTACT_FIELDS:
        raise Http404
    return {"field": field, "value": masking.contact_reveal(actor=request.user, candidate=c, field=field, request=request)}


@router.patch("/{id:candidate_id}", response=CandidateDetailOut, summary="Change a candidate")
def candidate_patch(request, candidate_id: int, payload: CandidatePatch, response: HttpResponse):
    """Change the fields given (HR admins and recruiters); ``tags`` replaces the candidate's tags. Send ``If-Match``
    with the ETag of your last read to refuse (412) a change made by someone else in between."""
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    check_if_match(request, c)
    data = payload.dict(exclude_unset=True)
    tags = data.pop("tags", None)
    services.candidate_update(candidate=c, actor=request.user, data=data, tags=tags, request=request)
    c = access_candidate(actor=request.user, candidate_id=c.pk)
    services.candidate_read(actor=request.user, candidate=c, request=request)  # the answer shows every field
    with_etag(response, c)
    return _detail(request, c)


@router.get("/{id:candidate_id}/timeline", response=list[TimelineOut], summary="A candidate's timeline")
def candidate_timeline(request, candidate_id: int):
    """What happened to the record, newest first, in the caller's language (audited as a read)."""
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=c, fields=["timeline"], request=request)
    return [{"id": e.pk, "kind": e.kind, "text": timeline_text(e), "by_candidate": e.by_candidate, "actor_id": e.actor_id,
             "created_at": e.created_at} for e in selectors.candidate_timeline(actor=request.user, candidate=c)]


@router.get("/{id:candidate_id}/documents", response=list[DocumentOut], summary="A candidate's documents")
def document_list(request, candidate_id: int):
    """Education proofs, certificates and other files of the candidate, with their review (audited as a read)."""
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=c, fields=["documents"], request=request)
    return [_doc_out(d) for d in c.documents.all()]


@router.post("/{id:candidate_id}/documents", response={201: DocumentOut}, summary="Upload a document",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {
                 "example": {"doc_type": "degree", "file": "(学位证书.pdf, application/pdf)"}}}}})
def document_create(request, candidate_id: int, doc_type: Form[str], file: File[UploadedFile]):
    """A multipart upload (``doc_type`` and ``file``; PDF, images or Office files, checked by content), stored
    encrypted. HR admins and recruiters."""
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    return 201, _doc_out(services.document_upload(candidate=c, actor=request.user, upload=file, doc_type=doc_type,
                                                  request=request))


class ReviewIn(Schema):
    model_config = {"json_schema_extra": {"examples": [{"status": "approved", "note": "学信网已核验"}]}}

    status: str = Field(description="pending, approved or rejected.")
    note: str = Field("", max_length=500)


@router.post("/{id:candidate_id}/documents/{id:document_id}/review", response=DocumentOut, summary="Review a document")
def document_review(request, candidate_id: int, document_id: int, payload: ReviewIn, response: HttpResponse):
    """Approve or reject a document, with a note (HR admins and recruiters), as the record page's 审核 does.
    ``If-Match`` with the document's ETag (from this answer or a previous review) refuses a stale review (412)."""
    access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    _c, d = access_document(actor=request.user, candidate_id=candidate_id, document_id=document_id)
    check_if_match(request, d)
    d = services.document_review(actor=request.user, document=d, status=payload.status, note=payload.note)
    with_etag(response, d)
    return _doc_out(d)


@router.get("/{id:candidate_id}/documents/{id:document_id}/file", summary="Download a document",
            openapi_extra={"responses": {"200": {
                "description": "The file itself (Content-Disposition: attachment).",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def document_file(request, candidate_id: int, document_id: int):
    """The document's file, decrypted (audited as a file read)."""
    _c, d = access_document(actor=request.user, candidate_id=candidate_id, document_id=document_id)
    return FileResponse(services.document_open(actor=request.user, document=d, request=request), as_attachment=True,
                        filename=d.filename, content_type=d.content_type)


@router.get("/{id:candidate_id}/applications", response=list[ApplicationOut], summary="A candidate's applications")
def application_list(request, candidate_id: int):
    """The candidate's applications the caller may see (the panel: only their positions')."""
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    return [_app_out(a) for a in selectors.candidate_applications(actor=request.user, candidate=c)]


@router.post("/{id:candidate_id}/applications", response={201: ApplicationOut}, summary="Add an application")
def application_create(request, candidate_id: int, payload: ApplicationIn):
    """Apply the candidate to a position (HR admins and recruiters). Idempotent with ``Idempotency-Key``."""
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    position = access_position(actor=request.user, position_id=payload.position_id)
    return idempotent(request, lambda: (201, _app_out(services.application_create(
        actor=request.user, candidate=c, position=position, stage=payload.stage))))


@router.patch("/{id:candidate_id}/applications/{id:application_id}", response=ApplicationOut, summary="Change an application")
def application_patch(request, candidate_id: int, application_id: int, payload: ApplicationPatch):
    """The application's stage label and status, as the record page's form; ``rejected`` or ``hired`` is a
    decision with its rules (a reason, a human evaluation or ``without_evaluation`` with its reason). For moves
    through the process use ``/applications/{id}/…``."""
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    application = selectors.candidate_applications(actor=request.user, candidate=c).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return _app_out(services.application_update(
        actor=request.user, application=application, stage=payload.stage, status=payload.status, reason=payload.reason,
        without_evaluation=payload.without_evaluation, without_evaluation_reason=payload.without_evaluation_reason,
        request=request))

