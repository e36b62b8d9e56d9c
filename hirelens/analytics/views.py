from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm
from hirelens.positions.access import visible_positions

from .selectors import Filters, dashboard, decisions_without_evaluation, dimension_mean, recounting


@login_required
def index(request):
    require_perm(request.user, Perm.ANALYTICS_VIEW)
    filters = Filters.from_query(request.GET)
    data = dashboard(actor=request.user, filters=filters)
    positions = visible_positions(actor=request.user).order_by("title")
    departments = sorted({p.department for p in positions if p.department})
    dimensions = sorted({d for p in positions for d in (p.scorecard_dimensions or [])})
    dimension = request.GET.get("dimension") or ("专业技能" if "专业技能" in dimensions else (dimensions[0] if dimensions else ""))
    question = dimension_mean(actor=request.user, filters=filters, dimension=dimension) if dimension else None
    unevaluated = decisions_without_evaluation(actor=request.user, filters=filters)
    if unevaluated["rows"]:
        from hirelens.core.audit import audit_list_read

        audit_list_read(request=request, candidates=[d.application.candidate for d in unevaluated["rows"]])
    return render(request, "analytics/index.html", {"data": data, "filters": filters, "positions": positions,
                                                    "departments": departments, "query": request.GET.urlencode(),
                                                    "dimensions": dimensions, "question": question,
                                                    "unevaluated": unevaluated, "recounting": recounting(actor=request.user)})


def _sheets(data) -> list[tuple[str, list[str], list[list]]]:
    cal = data["calibration"]
    return [
        (_("招聘漏斗"), [_("环节"), _("人数")], [[r["stage"], r["count"]] for r in data["funnel"]]),
        (_("招聘周期"), [_("月份"), _("平均天数"), _("完成人数")], [[r["month"], r["days"], r["hires"]] for r in data["time_to_hire"]]),
        (_("维度平均分"), [_("职位"), _("月份"), _("维度"), _("平均分"), _("评分数")],
         [[r["position"], r["month"], r["dimension"], r["avg"], r["n"]] for r in data["dimension_scores"]]),
        (_("面试官校准"), [_("面试官"), _("评分数"), _("平均分"), _("离散度"), _("与小组的偏差")],
         [[r["interviewer"], r["n"], r["mean"], r["spread"], r["bias"]] for r in cal["interviewers"]]
         + [[], [_("多人评分的条目"), cal["items"]], [_("评分全部相差 1 分以内（%）"), cal["agreement_within_1"]],
            [_("平均极差"), cal["mean_range"]]]),
        (_("反馈及时率"), [_("月份"), _("按时"), _("迟发"), _("进行中"), _("按时率（%）")],
         [[r["month"], r["kept"], r["late"], r["pending"], r["kept_pct"]] for r in data["feedback"]]),
        (_("满意度调查"), [_("职位"), _("答卷数"), _("认为太长（%）"), _("认为不稳定（%）"), _("面试官专业程度"), _("推荐意愿均值")],
         [[r["position"], r["n"], r["too_long_pct"], r["unstable_pct"], r["professionalism"], r["nps_avg"]] for r in data["surveys"]]),
    ]


@login_required
def export_xlsx(request):
    """Every table of the analytics page, one sheet each (figures only, no personal data)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    require_perm(request.user, Perm.ANALYTICS_VIEW)
    data = dashboard(actor=request.user, filters=Filters.from_query(request.GET))
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in _sheets(data):
        sheet = book.create_sheet(title=title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, object_type="analytics", object_id="xlsx", request=request)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="hirelens-analytics.xlsx"'
    return response


@login_required
def export_pdf(request):
    """The same tables as the Excel export, as a PDF (CJK through the built-in STSong-Light CID font)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from hirelens.evaluations.report import _register_font

    require_perm(request.user, Perm.ANALYTICS_VIEW)
    filters = Filters.from_query(request.GET)
    data = dashboard(actor=request.user, filters=filters)
    font = _register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=11, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4)

    def cell(value):
        """A short value (figures, months, most names) as a plain string in the table's font: a Paragraph per cell
        (parsed, wrapped, measured) was most of the file's cost (2,800 cells: ~0.35 s); longer text wraps."""
        from xml.sax.saxutils import escape

        text = "" if value is None else str(value)
        return text if len(text) <= PDF_PLAIN_CHARS else Paragraph(escape(text), body)

    story = [Paragraph(escape_text(_("数据分析")), h1),
             Paragraph(escape_text(f"{filters.start:%Y-%m-%d} – {filters.end:%Y-%m-%d}"), body)]
    for title, header, rows in _sheets(data):
        story.append(Paragraph(escape_text(title), h2))
        table = Table([[cell(h) for h in header]] + [[cell(v) for v in row] for row in rows if row] or [[cell("—")]], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                   ("FONT", (0, 0), (-1, -1), font, 8, 11), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [table, Spacer(1, 4)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                      title=_("数据分析"), author="HireLens").build(story)
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, object_type="analytics", object_id="pdf", request=request)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="hirelens-analytics.pdf"'
    return response


PDF_PLAIN_CHARS = 12  # up to this many characters a table cell is a plain string (no wrapping needed)


def escape_text(text) -> str:
    from xml.sax.saxutils import escape

    return escape(str(text))
