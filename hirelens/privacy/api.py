"""Candidates' rights requests (access, export, correction, deletion, withdrawal of consent) over the open API, as
HR handle them on the requests pages: list and read the cases with their legal deadline and state, record a request
on a candidate's behalf, and move a case on (start, build the export, complete, refuse) through the same services.
Scope ``candidates`` (these are the candidates' data); the role rule is the pages' (the candidates-manage right)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from hirelens.candidates.access import access_candidate_for_edit
from hirelens.core.access import require_perm
from hirelens.core.apitools import MAX_LIMIT, check_if_match, cursor_page, etag_of
from hirelens.core.audit import audit_list_read
from hirelens.core.params import MAX_ID
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent

from . import services
from .access import access_privacy_request
from .models import ConsentKind, PrivacyExport, PrivacyRequest, RequestKind
from .selectors import privacy_request_list

API_PREFIX = "/privacy/"
router = Router(tags=["privacy"], auth=api_auth("candidates"))

STATUS_FILTER = "^(due|open|in_progress|done|refused)$"
KIND_FILTER = Query(None, description="Only this kind.")


class PrivacyRequestOut(Schema):
    id: int
    candidate_id: int | None = Field(description="Null once the candidate's data was deleted.")
    candidate_name: str = Field(description="The candidate's name; empty once deleted (see pseudonym).")
    pseudonym: str = Field(description="After a deletion: the pseudonymous id the erasure wrote to the audit log.")
    kind: str = Field(description="access | export | correct | delete | withdraw_consent")
    kind_label: str = Field(description="The kind (and the consent withdrawn) in the caller's language.")
    consent_kind: str = Field(description="For withdraw_consent: ai_analysis | biometric | recording.")
    status: str = Field(description="open | in_progress | done | refused")
    status_label: str = Field(description="The status in the caller's language.")
    by_candidate: bool = Field(description="Made by the candidate in their portal (else recorded by HR).")
    received_at: datetime
    due_at: datetime = Field(description="The legal deadline (the organization's law and settings).")
    overdue: bool = Field(description="Not closed and past the deadline.")
    done_at: datetime | None
    assigned_to: str = Field(description="The HR member handling it (empty until started).")


class PrivacyRequestList(Schema):
    items: list[PrivacyRequestOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class PrivacyEventOut(Schema):
    kind: str
    kind_label: str
    actor_name: str = Field(description="Who did it (empty for the candidate or the system).")
    by_candidate: bool
    note: str
    created_at: datetime


class ExportOut(Schema):
    id: int
    status: str = Field(description="queued | building | ready | failed")
    status_label: str
    progress: int = Field(description="Percent built.")
    size: int
    expires_at: datetime | None = Field(description="When the download link stops working.")
    download_url: str = Field(description="The expiring download link of a ready archive (empty otherwise).")


class PrivacyRequestDetailOut(PrivacyRequestOut):
    details: str = Field(description="What the candidate asked, in their words.")
    refusal_reason: str
    outcome: str = Field(description="What was done (told to the candidate in the receipt).")
    receipt_sent_at: datetime | None
    events: list[PrivacyEventOut] = Field(description="The case's history, oldest first.")
    exports: list[ExportOut] = Field(description="Archives built for an access or export request, newest first.")


class PrivacyRequestIn(Schema):
    candidate_id: int = Field(ge=1, le=MAX_ID, description="The candidate the request is from.")
    kind: RequestKind
    consent_kind: ConsentKind | None = Field(None, description="Required for withdraw_consent.")
    details: str = Field("", max_length=2000, description="What the candidate asked (by phone, letter or in person).")

    model_config = {"json_schema_extra": {"examples": [{"candidate_id": 42, "kind": "export", "details": "候选人来电要求导出个人信息"}]}}


class RefuseIn(Schema):
    reason: str = Field(max_length=2000, description="Why (told to the candidate: PIPL Art. 50).")

    model_config = {"json_schema_extra": {"examples": [{"reason": "法律要求我们保留该面试记录至招聘结束。"}]}}


class CompleteIn(Schema):
    note: str = Field("", max_length=2000, description="What was done (told to the candidate; may be empty).")

    model_config = {"json_schema_extra": {"examples": [{"note": "已更正手机号码。"}]}}


def _out(pr: PrivacyRequest) -> dict:
    return {"id": pr.pk, "candidate_id": pr.candidate_id, "candidate_name": pr.candidate.full_name if pr.candidate_id else "",
            "pseudonym": pr.tombstone, "kind": pr.kind, "kind_label": pr.kind_label, "consent_kind": pr.consent_kind,
            "status": pr.status, "status_label": str(pr.get_status_display()), "by_candidate": pr.by_candidate,
            "received_at": pr.received_at, "due_at": pr.due_at, "overdue": pr.is_overdue, "done_at": pr.done_at,
            "assigned_to": pr.assigned_to.full_name if pr.assigned_to_id else ""}


def _export_out(e: PrivacyExport) -> dict:
    usable = e.status == PrivacyExport.Status.READY and not e.is_expired
    return {"id": e.pk, "status": e.status, "status_label": str(e.get_status_display()), "progress": e.progress, "size": e.size,
            "expires_at": e.expires_at, "download_url": services.export_url(e) if usable else ""}


def _detail(request, pr: PrivacyRequest, response: HttpResponse) -> dict:
    if pr.candidate_id:  # the same read entry as the case page
        audit_list_read(request=request, candidates=[pr.candidate], fields=["full_name", "privacy_request"])
    response["ETag"] = etag_of(pr)
    return {**_out(pr), "details": pr.details, "refusal_reason": pr.refusal_reason, "outcome": pr.outcome,
            "receipt_sent_at": pr.receipt_sent_at,
            "events": [{"kind": ev.kind, "kind_label": str(ev.get_kind_display()), "actor_name": ev.actor.full_name if ev.actor_id else "",
                        "by_candidate": ev.by_candidate, "note": ev.note, "created_at": ev.created_at}
                       for ev in pr.events.select_related("actor")],
            "exports": [_export_out(e) for e in pr.exports.all()]}


@router.get("/requests", response=PrivacyRequestList, summary="List candidates' rights requests")
def request_list(request, status: str = Query("", pattern=STATUS_FILTER + "|^$",
                                              description="due (open and due within 3 days or overdue) | open | in_progress | done | refused"),
                 kind: RequestKind | None = KIND_FILTER,
                 q: str = Query("", max_length=100, description="Candidate name contains."),
                 cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=MAX_LIMIT)):
    """The cases with their legal deadline and state, the earliest deadline first (``status=due``: the ones to handle
    now, as the requests page's filter). Needs the candidates-manage right; the names shown are audited as one list
    read."""
    require_perm(request.user, Perm.CANDIDATES_MANAGE)
    qs = privacy_request_list(actor=request.user, status=status, kind=kind or "", q=q)
    page = cursor_page(qs, cursor=cursor, limit=limit, order="due_at", salt="privacy.requests")
    audit_list_read(request=request, candidates=[pr.candidate for pr in page.items if pr.candidate_id])
    return {"items": [_out(pr) for pr in page.items], "next": page.next}


@router.get("/requests/{id:privacy_request_id}", response=PrivacyRequestDetailOut, summary="Get one rights request")
def request_get(request, privacy_request_id: int, response: HttpResponse):
    """One case: what was asked, the deadline, its history, the archives built and their download links. Audited
    like the case page. The answer carries an ``ETag`` (for ``If-Match`` on the actions)."""
    return _detail(request, access_privacy_request(actor=request.user, privacy_request_id=privacy_request_id), response)


@router.post("/requests", response={201: PrivacyRequestDetailOut}, summary="Record a request on a candidate's behalf")
def request_create(request, payload: PrivacyRequestIn, response: HttpResponse):
    """HR records a request the candidate made by phone, letter or in person; the deadline follows the
    organization's law and settings. ``Idempotency-Key`` is honoured."""
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=payload.candidate_id)

    def create():
        pr = services.privacy_request_create(candidate=candidate, actor=request.user, kind=payload.kind,
                                             consent_kind=payload.consent_kind or "", details=payload.details, request=request)
        return 201, _detail(request, access_privacy_request(actor=request.user, privacy_request_id=pr.pk), response)
    return idempotent(request, create)


def _act(request, privacy_request_id: int, response: HttpResponse, action) -> dict:
    pr = access_privacy_request(actor=request.user, privacy_request_id=privacy_request_id)
    check_if_match(request, pr)
    action(pr)
    return _detail(request, access_privacy_request(actor=request.user, privacy_request_id=privacy_request_id), response)


@router.post("/requests/{id:privacy_request_id}/start", response=PrivacyRequestDetailOut, summary="Start handling a request")
def request_start(request, privacy_request_id: int, response: HttpResponse):
    """Take the case (open → in progress, assigned to the caller). Honours ``If-Match``."""
    return _act(request, privacy_request_id, response,
                lambda pr: services.privacy_request_start(actor=request.user, privacy_request=pr, request=request))


@router.post("/requests/{id:privacy_request_id}/export", response=PrivacyRequestDetailOut, summary="Build the archive")
def request_export(request, privacy_request_id: int, response: HttpResponse):
    """For an access or export request: queue the building of the archive of everything held about the candidate
    (a build already queued is reused); its download link appears in ``exports`` when ready. Honours ``If-Match``."""
    return _act(request, privacy_request_id, response,
                lambda pr: services.export_start(actor=request.user, privacy_request=pr, request=request))


@router.post("/requests/{id:privacy_request_id}/complete", response=PrivacyRequestDetailOut, summary="Complete a request")
def request_complete(request, privacy_request_id: int, payload: CompleteIn, response: HttpResponse):
    """Finish the case and send the candidate the receipt. For a deletion this erases the candidate's data (the case
    keeps only its kind, dates and a pseudonym); for a withdrawn consent, the data derived under it; an export needs
    a ready archive first (422 otherwise). Honours ``If-Match``."""
    return _act(request, privacy_request_id, response, lambda pr: services.privacy_request_complete(
        actor=request.user, privacy_request=pr, note=payload.note, request=request))


@router.post("/requests/{id:privacy_request_id}/refuse", response=PrivacyRequestDetailOut, summary="Refuse a request")
def request_refuse(request, privacy_request_id: int, payload: RefuseIn, response: HttpResponse):
    """Refuse with a reason, which the candidate is told (422 without one). Honours ``If-Match``."""
    return _act(request, privacy_request_id, response, lambda pr: services.privacy_request_refuse(
        actor=request.user, privacy_request=pr, reason=payload.reason, request=request))
