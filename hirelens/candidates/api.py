"""Candidate records over the open API: the same services and access checks as the pages."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID, MAX_OFFSET
from hirelens.integrations.auth import api_auth
from hirelens.positions.access import access_position

from . import masking, selectors, services
from .access import access_candidate, access_candidate_for_edit, access_document
from .models import Application, Candidate
from .timeline import timeline_text

API_PREFIX = "/candidates/"
router = Router(tags=["candidates"], auth=api_auth("candidates"))
MAX_PAGE = 100


class ApplicationOut(Schema):
    id: int
    position_id: int
    position: str
    stage: str
    status: str
    created_at: datetime


class DocumentOut(Schema):
    id: int
    doc_type: str
    filename: str
    content_type: str
    size: int
    review_status: str
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
    source: str
    skills: list[str]
    tags: list[str]
    resume_status: str
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
    count: int
    next: str | None = None
    items: list[CandidateOut]


class CandidateIn(Schema):
    full_name: str
    phone: str = ""
    email: str = ""
    id_number: str = ""
    address: str = ""
    source: str = Candidate.Source.API
    tags: list[str] = []
    allow_duplicate: bool = False


class CandidatePatch(Schema):
    full_name: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    address: str | None = None
    source: str | None = None
    tags: list[str] | None = None


class ApplicationIn(Schema):
    position_id: int
    stage: str = ""


class ApplicationPatch(Schema):
    stage: str | None = None
    status: str | None = None
    # Needed when ``status`` becomes rejected or hired: that is a decision (S1).
    reason: str = ""
    without_evaluation: bool = False
    without_evaluation_reason: str = ""


class TimelineOut(Schema):
    id: int
    kind: str
    text: str
    by_candidate: bool
    actor_id: int | None
    created_at: datetime


def _out(c: Candidate, actor) -> dict:
    """Contact details as ``actor`` may read them: in full with the contact permission, else masked (masking.py)."""
    contact = masking.contact_out(actor, c)
    return {"id": c.pk, "full_name": c.full_name, "phone": contact["phone"], "email": contact["email"], "source": c.source,
            "skills": c.skills, "tags": [t.name for t in c.tags.all()], "resume_status": c.resume_status,
            "created_at": c.created_at, "updated_at": c.updated_at}


def _app_out(a: Application) -> dict:
    return {"id": a.pk, "position_id": a.position_id, "position": a.position.title, "stage": a.stage, "status": a.status,
            "created_at": a.created_at}


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


@router.get("/", response={200: CandidateListOut, 400: dict})
def candidate_search(request, q: str = "", position: int | None = Query(None, ge=1, le=MAX_ID), stage: str = "", tag: str = "",
                     source: str = "", status: str = "", sort: str = "new", limit: int = Query(20, ge=1, le=MAX_PAGE),
                     offset: int = Query(0, ge=0, le=MAX_OFFSET), cursor: str = Query("", max_length=2000)):
    """``cursor`` (from a previous answer's ``next``) pages by keyset, however deep; ``offset`` still works, and its
    answer's ``next`` continues by keyset too. ``count`` is exact."""
    filters = {"q": q, "position_id": position, "stage": stage, "tag": tag, "source": source, "status": status, "sort": sort}
    if cursor:
        try:
            page = selectors.candidate_page(actor=request.user, cursor=cursor, per_page=limit, **filters)
        except selectors.CursorError:
            return 400, {"type": "about:blank", "title": _("请求参数不正确。"), "status": 400,
                         "detail": _("cursor 无效：请使用上一次回答中的 next。")}
        items, next_cursor = page.rows, page.next_cursor
        count = selectors.candidate_list(actor=request.user, **filters).count()
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
    return 200, {"count": count, "next": next_cursor, "items": [_out(c, request.user) for c in items]}


@router.post("/", response={201: CandidateDetailOut})
def candidate_create(request, payload: CandidateIn):
    from hirelens.core.apitools import idempotent

    def create():
        c = services.candidate_create(actor=request.user, full_name=payload.full_name, phone=payload.phone, email=payload.email,
                                      id_number=payload.id_number, address=payload.address, source=payload.source, tags=payload.tags,
                                      allow_duplicate=payload.allow_duplicate, request=request)
        return 201, _detail(request, c)

    return idempotent(request, create)


@router.get("/{id:candidate_id}", response=CandidateDetailOut)
def candidate_get(request, candidate_id: int):
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    services.candidate_read(actor=request.user, candidate=c, request=request)
    return _detail(request, c)


class ContactOut(Schema):
    field: str
    value: str


@router.post("/{id:candidate_id}/contact/{field}", response=ContactOut)
def contact_reveal(request, candidate_id: int, field: str):
    """One contact field in full (the contact permission, else 403); writes one audit entry."""
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    if field not in masking.CONTACT_FIELDS:
        raise Http404
    return {"field": field, "value": masking.contact_reveal(actor=request.user, candidate=c, field=field, request=request)}


@router.patch("/{id:candidate_id}", response=CandidateDetailOut)
def candidate_patch(request, candidate_id: int, payload: CandidatePatch):
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    data = payload.dict(exclude_unset=True)
    tags = data.pop("tags", None)
    services.candidate_update(candidate=c, actor=request.user, data=data, tags=tags, request=request)
    c = Candidate.objects.get(pk=c.pk)
    services.candidate_read(actor=request.user, candidate=c, request=request)  # the answer shows every field
    return _detail(request, c)


@router.get("/{id:candidate_id}/timeline", response=list[TimelineOut])
def candidate_timeline(request, candidate_id: int):
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=c, fields=["timeline"], request=request)
    return [{"id": e.pk, "kind": e.kind, "text": timeline_text(e), "by_candidate": e.by_candidate, "actor_id": e.actor_id,
             "created_at": e.created_at} for e in selectors.candidate_timeline(actor=request.user, candidate=c)]


@router.get("/{id:candidate_id}/documents", response=list[DocumentOut])
def document_list(request, candidate_id: int):
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=c, fields=["documents"], request=request)
    return list(c.documents.all())


@router.post("/{id:candidate_id}/documents", response={201: DocumentOut})
def document_create(request, candidate_id: int, doc_type: Form[str], file: File[UploadedFile]):
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    return 201, services.document_upload(candidate=c, actor=request.user, upload=file, doc_type=doc_type, request=request)


@router.get("/{id:candidate_id}/documents/{id:document_id}/file")
def document_file(request, candidate_id: int, document_id: int):
    _c, d = access_document(actor=request.user, candidate_id=candidate_id, document_id=document_id)
    return FileResponse(services.document_open(actor=request.user, document=d, request=request), as_attachment=True,
                        filename=d.filename, content_type=d.content_type)


@router.get("/{id:candidate_id}/applications", response=list[ApplicationOut])
def application_list(request, candidate_id: int):
    c = access_candidate(actor=request.user, candidate_id=candidate_id)
    return [_app_out(a) for a in selectors.candidate_applications(actor=request.user, candidate=c)]


@router.post("/{id:candidate_id}/applications", response={201: ApplicationOut})
def application_create(request, candidate_id: int, payload: ApplicationIn):
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    position = access_position(actor=request.user, position_id=payload.position_id)
    return 201, _app_out(services.application_create(actor=request.user, candidate=c, position=position, stage=payload.stage))


@router.patch("/{id:candidate_id}/applications/{id:application_id}", response=ApplicationOut)
def application_patch(request, candidate_id: int, application_id: int, payload: ApplicationPatch):
    c = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    application = selectors.candidate_applications(actor=request.user, candidate=c).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return _app_out(services.application_update(
        actor=request.user, application=application, stage=payload.stage, status=payload.status, reason=payload.reason,
        without_evaluation=payload.without_evaluation, without_evaluation_reason=payload.without_evaluation_reason,
        request=request))

