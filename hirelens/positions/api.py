"""Positions over the open API: the position list, one position, create, edit, close and reopen.

The same services and access rule as the pages (``positions/views.py``): everyone sees the positions
``visible_positions`` gives them; creating and changing one needs ``Perm.POSITIONS_MANAGE`` (HR admins and
recruiters), checked by ``services.position_create`` / ``position_update``. Closing and reopening are the status
change the edit page makes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema

from hirelens.core.apitools import check_if_match, cursor_page, with_etag
from hirelens.core.jurisdictions import RULES, Jurisdiction
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent

from . import services
from .access import access_position
from .columns import with_columns
from .models import Position
from .selectors import position_list

API_PREFIX = "/positions/"
router = Router(tags=["positions"], auth=api_auth("positions"))
JURISDICTIONS = Literal[tuple(Jurisdiction.values)]


def _jurisdiction_help() -> str:
    """The field's description from the one list and its rules (hirelens.core.jurisdictions), not a copy of them."""
    with translation.override("en"):
        places = ", ".join(f"{code} ({label})" for code, label in Jurisdiction.choices)
    notices = "; ".join(f"{code}: {rules.advance_notice_days} business days" for code, rules in RULES.items()
                        if rules.advance_notice_days)
    return f"Where the role is: {places}; sets the AI interview's default advance notice ({notices}, otherwise none)."


JURISDICTION_HELP = _jurisdiction_help()


class ProcessRef(Schema):
    id: int = Field(description="The position's active process (the one new applications start on).")
    name: str
    version_id: int | None = Field(None, description="Its latest published version, which new applications are pinned to; "
                                                     "null while only a draft exists.")
    version_number: int | None = None


class PositionOut(Schema):
    id: int
    title: str
    department: str
    location: str
    time_zone: str = Field(description="IANA time zone interviews of this position are planned in.")
    status: str = Field(description="draft, open or closed.")
    status_label: str = Field(description="The status in the caller's language.")
    keywords: list[str] = Field(description="Words the AI interview analysis looks for in answers.")
    keyword_synonyms: dict[str, list[str]] = Field(description="Per keyword, other words that count for it.")
    description: str
    scorecard_dimensions: list[str] = Field(description="The dimensions interviewers rate on the scorecard.")
    jurisdiction: JURISDICTIONS = Field(description=JURISDICTION_HELP)
    jurisdiction_label: str = Field(description="The jurisdiction in the caller's language.")
    facial_analysis: str = Field(description="inherit (the company's switch), on or off.")
    advance_notice_days: int | None = Field(None, description="Business days between an AI interview's invitation and "
                                                              "its earliest start; null: the jurisdiction's default.")
    application_count: int = Field(description="Applications to this position the caller may see.")
    process: ProcessRef | None = Field(None, description="The active process, or null when none is active.")
    created_at: datetime
    updated_at: datetime


class PositionListOut(Schema):
    items: list[PositionOut]
    next: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last page.")


EXAMPLE = {"title": "后端工程师", "department": "技术部", "location": "上海", "time_zone": "Asia/Shanghai",
           "keywords": ["Python", "Django"], "description": "负责招聘平台的后端开发。"}


class PositionIn(Schema):
    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}

    title: str = Field(min_length=1, max_length=200)
    department: str = Field("", max_length=200)
    location: str = Field("", max_length=200)
    time_zone: str = Field("Asia/Shanghai", description="IANA name, e.g. Asia/Shanghai.")
    status: str = Field(Position.Status.OPEN, description="draft, open or closed.")
    keywords: list[str] = []
    keyword_synonyms: dict[str, list[str]] = {}
    description: str = ""
    scorecard_dimensions: list[str] | None = Field(None, description="Omit for the default four dimensions.")
    jurisdiction: JURISDICTIONS = Field(Jurisdiction.OTHER.value, description=JURISDICTION_HELP)
    facial_analysis: str = Field(Position.Facial.INHERIT, description="inherit, on or off.")
    advance_notice_days: int | None = Field(None, ge=0, le=60)


class PositionPatch(Schema):
    model_config = {"json_schema_extra": {"examples": [{"location": "北京", "keywords": ["Python", "PostgreSQL"]}]}}

    title: str | None = Field(None, min_length=1, max_length=200)
    department: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=200)
    time_zone: str | None = None
    status: str | None = Field(None, description="draft, open or closed (or use /close and /reopen).")
    keywords: list[str] | None = None
    keyword_synonyms: dict[str, list[str]] | None = None
    description: str | None = None
    scorecard_dimensions: list[str] | None = None
    jurisdiction: JURISDICTIONS | None = Field(None, description=JURISDICTION_HELP)
    facial_analysis: str | None = None
    advance_notice_days: int | None = Field(None, ge=0, le=60)


def _with_process(qs):
    """The active process and its latest published version, as columns of the same query (no query per row): the
    providers workflows registers (``columns.py``)."""
    return with_columns(qs)


def _one(actor, position_id: int) -> Position:
    """The position through the access rule, with the list's columns."""
    position = access_position(actor=actor, position_id=position_id)
    return _with_process(position_list(actor=actor)).get(pk=position.pk)


def _out(p: Position) -> dict:
    process = None
    if getattr(p, "process_id", None):
        process = {"id": p.process_id, "name": p.process_name, "version_id": p.version_id, "version_number": p.version_number}
    return {"id": p.pk, "title": p.title, "department": p.department, "location": p.location, "time_zone": p.time_zone,
            "status": p.status, "status_label": str(p.get_status_display()), "keywords": p.keywords or [],
            "keyword_synonyms": p.keyword_synonyms or {}, "description": p.description,
            "scorecard_dimensions": p.scorecard_dimensions or [], "jurisdiction": p.jurisdiction,
            "jurisdiction_label": str(p.get_jurisdiction_display()),
            "facial_analysis": p.facial_analysis, "advance_notice_days": p.advance_notice_days,
            "application_count": getattr(p, "application_count", 0), "process": process,
            "created_at": p.created_at, "updated_at": p.updated_at}


@router.get("/", response=PositionListOut, summary="List positions")
def position_index(request, status: str = Query("", description="draft, open or closed", max_length=16),
                   search: str = Query("", description="Part of the title, department or location", max_length=100),
                   cursor: str = Query("", max_length=2000), limit: int = Query(20, ge=1, le=100)):
    """The positions the caller may see (HR: all of the organization's; the panel: the ones they are assigned to),
    newest first, with the same filters as the position list page."""
    page = cursor_page(_with_process(position_list(actor=request.user, search=search.strip(), status=status)),
                       cursor=cursor, limit=limit, salt="positions")
    return {"items": [_out(p) for p in page.items], "next": page.next}


@router.get("/{id:position_id}", response=PositionOut, summary="Get a position")
def position_get(request, position_id: int, response: HttpResponse):
    """One position with its active process. The `ETag` header is the value to send as `If-Match` when changing it."""
    position = _one(request.user, position_id)
    with_etag(response, position)
    return _out(position)


@router.post("/", response={201: PositionOut}, summary="Create a position")
def position_create(request, payload: PositionIn, response: HttpResponse):
    """Create a position (HR admins and recruiters). With an `Idempotency-Key` header a retry answers the first
    answer instead of creating a second position."""

    def create():
        position = services.position_create(actor=request.user, request=request, **payload.dict())
        return 201, _out(_one(request.user, position.pk))

    status, body = idempotent(request, create)
    response["Location"] = f"{request.path}{body['id']}"
    return status, body


def _update(request, position_id: int, response: HttpResponse, changes: dict) -> dict:
    position = access_position(actor=request.user, position_id=position_id)
    check_if_match(request, position)
    services.position_update(actor=request.user, position=position, request=request, **changes)
    position = _one(request.user, position.pk)
    with_etag(response, position)
    return _out(position)


@router.patch("/{id:position_id}", response=PositionOut, summary="Change a position")
def position_patch(request, position_id: int, payload: PositionPatch, response: HttpResponse):
    """Change the fields given (HR admins and recruiters), as the position's edit page does. Send `If-Match` with the
    ETag of your last read to refuse (412) a change made by someone else in between."""
    return _update(request, position_id, response, payload.dict(exclude_unset=True))


@router.post("/{id:position_id}/close", response=PositionOut, summary="Close a position")
def position_close(request, position_id: int, response: HttpResponse):
    """Stop recruiting for the position (status `closed`), as choosing 已关闭 on the edit page does. `If-Match` as
    for PATCH. Closing a closed position changes nothing."""
    return _update(request, position_id, response, {"status": Position.Status.CLOSED})


@router.post("/{id:position_id}/reopen", response=PositionOut, summary="Reopen a position")
def position_reopen(request, position_id: int, response: HttpResponse):
    """Recruit again (status `open`). `If-Match` as for PATCH."""
    return _update(request, position_id, response, {"status": Position.Status.OPEN})
