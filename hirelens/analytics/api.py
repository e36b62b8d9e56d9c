"""The analytics page's figures and exports over the open API, through the page's selectors (``dashboard`` and its
parts), for a period, a position and a department. Every figure is an aggregate; the one list of people (final
decisions made without an evaluation) is audited as a list read, like on the page. The exports are the page's own
(Excel, PDF) plus one table as CSV for BI tools, each audited as an export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.positions.access import access_position

from . import views
from .selectors import Filters, dashboard, decisions_without_evaluation, dimension_mean, recounting

API_PREFIX = "/analytics/"
router = Router(tags=["analytics"], auth=api_auth("analytics"))

# Years 2000–2100: what a hiring period can be (and zone offsets before 1901 are local mean time, with seconds)
START = Query(None, ge=date(2000, 1, 1), le=date(2100, 12, 31),
              description="First day of the period (YYYY-MM-DD, 2000–2100); default 90 days ago.")
END = Query(None, ge=date(2000, 1, 1), le=date(2100, 12, 31),
            description="Last day of the period, included (YYYY-MM-DD, 2000–2100); default today.")
POSITION = Query(None, ge=1, le=MAX_ID, description="Only this position (404 when the caller cannot see it).")
DEPARTMENT = Query("", max_length=100, description="Only positions of this department.")
TABLES = ["funnel", "time_to_hire", "dimension_scores", "calibration", "feedback", "surveys"]


class FunnelRow(Schema):
    stage: str = Field(description="Applied, each stage reached (by title), process completed, hired.")
    count: int


class TimeToHireRow(Schema):
    month: str = Field(description="YYYY-MM of the process completion.")
    days: float = Field(description="Mean days from application to completion.")
    hires: int = Field(description="Completions that month.")


class DimensionRow(Schema):
    position: str
    month: str
    dimension: str
    avg: float
    n: int = Field(description="Ratings averaged.")


class InterviewerRow(Schema):
    interviewer: str = Field(description="The interviewer's name.")
    n: int
    mean: float
    spread: float = Field(description="Standard deviation of their scores.")
    bias: float | None = Field(description="Mean difference to the other raters of the same item (positive: more lenient).")


class CalibrationOut(Schema):
    interviewers: list[InterviewerRow]
    items: int = Field(description="Items (application, stage, dimension) rated by two or more people.")
    agreement_within_1: float | None = Field(description="Share of such items whose scores all lie within one point (%).")
    mean_range: float | None


class FeedbackRow(Schema):
    month: str
    kept: int
    late: int
    pending: int
    kept_pct: float | None


class SurveyRow(Schema):
    position: str
    n: int = Field(description="Answers (positions with fewer than the minimum group are left out).")
    too_long_pct: float
    unstable_pct: float
    professionalism: float
    nps_avg: float


class QuestionOut(Schema):
    dimension: str
    avg: float | None
    n: int


class UnevaluatedRow(Schema):
    decision_id: int
    application_id: int
    candidate_name: str
    position: str
    outcome: str = Field(description="hire | reject")
    outcome_label: str
    decided_by: str = Field(description="Who decided.")
    reason: str = Field(description="Why it was decided without an evaluation, in the person's words.")
    created_at: datetime


class UnevaluatedOut(Schema):
    total: int = Field(description="Final decisions in the period.")
    count: int = Field(description="Of which made without any human evaluation.")
    rows: list[UnevaluatedRow] = Field(description="The latest 50 of those, newest first.")


class DashboardOut(Schema):
    start: datetime
    end: datetime = Field(description="End of the period (exclusive).")
    funnel: list[FunnelRow]
    time_to_hire: list[TimeToHireRow]
    dimension_scores: list[DimensionRow]
    calibration: CalibrationOut
    feedback: list[FeedbackRow] = Field(description="Results sent by the deadline per month.")
    surveys: list[SurveyRow]
    question: QuestionOut | None = Field(description="Mean of the ?dimension= asked (null when none is asked).")
    unevaluated: UnevaluatedOut
    recounting: bool = Field(description=(
        "True while some of the organization's funnel figures wait for their recount (a recount failed in a writer's "
        "transaction; a periodic task repairs it within minutes): those figures may be briefly out of date, ask "
        "again later. The analytics page shows the same notice."))


def _filters(request, start, end, position, department) -> Filters:
    """The page's own parser over the validated values (a position the caller cannot see is a 404, not an empty page)."""
    if position is not None:
        access_position(actor=request.user, position_id=position)
    return Filters.from_query({"start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
                               "position": str(position) if position else None, "department": department})


@router.get("/dashboard", response=DashboardOut, summary="The analytics figures")
def analytics_dashboard(request, start: date | None = START, end: date | None = END, position: int | None = POSITION,
                        department: str = DEPARTMENT,
                        dimension: str = Query("", max_length=64, description="Also answer the mean of this scorecard dimension.")):
    """Everything the analytics page shows for the period and filters: the funnel, time to hire, scores per
    dimension, interviewer calibration, feedback timeliness, survey results (groups under the minimum left out) and
    the final decisions made without an evaluation. Needs the analytics right. The cost does not grow with the
    candidates: each figure is one aggregate over indexed columns."""
    require_perm(request.user, Perm.ANALYTICS_VIEW)
    filters = _filters(request, start, end, position, department)
    data = dashboard(actor=request.user, filters=filters)
    unevaluated = decisions_without_evaluation(actor=request.user, filters=filters)
    if unevaluated["rows"]:
        audit_list_read(request=request, candidates=[d.application.candidate for d in unevaluated["rows"]])
    return {**data, "start": filters.start, "end": filters.end, "recounting": recounting(actor=request.user),
            "question": dimension_mean(actor=request.user, filters=filters, dimension=dimension) if dimension else None,
            "unevaluated": {"total": unevaluated["total"], "count": unevaluated["count"], "rows": [
                {"decision_id": d.pk, "application_id": d.application_id, "candidate_name": d.application.candidate.full_name,
                 "position": d.application.position.title, "outcome": d.outcome, "outcome_label": str(d.get_outcome_display()),
                 "decided_by": d.decided_by.full_name if d.decided_by_id else "",
                 "reason": d.without_evaluation_reason, "created_at": d.created_at} for d in unevaluated["rows"]]}}


def _file_response(content_type: str) -> dict:
    return {"responses": {"200": {"description": "The file (an attachment).",
                                  "content": {content_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/export.xlsx", summary="Export the figures as Excel",
            openapi_extra=_file_response("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
def export_xlsx(request, start: date | None = START, end: date | None = END, position: int | None = POSITION,
                department: str = DEPARTMENT):
    """The analytics page's Excel export: every table, one sheet each (figures only, no personal data); audited as
    an export."""
    _filters(request, start, end, position, department)
    return views.export_xlsx(request)


@router.get("/export.pdf", summary="Export the figures as PDF",
            openapi_extra=_file_response("application/pdf"))
def export_pdf(request, start: date | None = START, end: date | None = END, position: int | None = POSITION,
               department: str = DEPARTMENT):
    """The analytics page's PDF export (the same tables as the Excel one); audited as an export."""
    _filters(request, start, end, position, department)
    return views.export_pdf(request)


@router.get("/export.csv", summary="Export one table as CSV",
            openapi_extra=_file_response("text/csv"))
def export_csv(request, table: str = Query(..., pattern="^(" + "|".join(TABLES) + ")$",
                                           description="funnel | time_to_hire | dimension_scores | calibration | feedback | surveys"),
               start: date | None = START, end: date | None = END, position: int | None = POSITION, department: str = DEPARTMENT):
    """One table of the Excel export as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
    headers), with the same headers in the caller's language; audited as an export."""
    require_perm(request.user, Perm.ANALYTICS_VIEW)
    filters = _filters(request, start, end, position, department)
    _title, header, rows = views._sheets(dashboard(actor=request.user, filters=filters))[TABLES.index(table)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(row for row in rows if row)
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, object_type="analytics", object_id=f"csv:{table}", request=request)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hirelens-analytics-{table}.csv"'
    return response
