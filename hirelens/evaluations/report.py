"""The candidate report for the hiring manager (PDF): profile, scores with reasons, decisions, AI evidence.

Chinese text uses ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1): no font file is needed on
the server, and every PDF reader supplies the glyphs. Latin text uses Helvetica inside the same font
family, so English reports look right as well.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import ai_evidence, profile_build

CJK_FONT = "STSong-Light"


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont(CJK_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def candidate_report_pdf(*, actor, application) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.flowables import KeepTogether

    font = _register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.grey)
    h1 = ParagraphStyle("h1", parent=body, fontSize=17, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=13, leading=19, spaceBefore=10, spaceAfter=4)

    def p(text, style=body):
        from xml.sax.saxutils import escape

        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    profile = profile_build(actor=actor, application=application)
    candidate = application.candidate
    story = [p(_("候选人报告"), h1),
             p(f"{candidate.full_name} · {application.position.title} · {application.position.department}"),
             p(_("生成时间：%(t)s · 生成人：%(u)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                                                    "u": actor.full_name or actor.email}, small),
             p(_("候选人画像"), h2)]
    if profile.empty:
        story.append(p(_("还没有可查看的已提交评分卡。")))
    else:
        story.append(p(profile.statement))
        rows = [[p(_("维度")), p(_("平均分")), p(_("范围")), p(_("离散度")), p(_("评价"))]]
        rows += [[p(d.name), p(d.mean), p(f"{d.low}–{d.high}"), p(d.spread), p(d.level_label)] for d in profile.dimensions]
        table = Table(rows, colWidths=[40 * mm, 25 * mm, 25 * mm, 25 * mm, 30 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
        story += [Spacer(1, 4), table, p(_("评分与理由"), h2)]
        for d in profile.dimensions:
            quotes = [p(f"{q['score']}/{profile.scale_max} · {q['interviewer']}{_('：')}{q['reason']}") for q in d.quotes]
            story.append(KeepTogether([p(f"{d.name}{_('（')}{d.mean}{_('）')}", body), *quotes, Spacer(1, 4)]))
    story.append(p(_("决定"), h2))
    for d in profile.decisions:
        story.append(p(f"{d.created_at:%Y-%m-%d} · {d.get_outcome_display()} · {d.decided_by.full_name}{_('：')}{d.rationale}"))
        if d.without_evaluation:  # flagged wherever decisions are reported (S1)
            story.append(p(_("未经评估决定") + " · " + _("未经评估的原因：%(reason)s") % {"reason": d.without_evaluation_reason}))
    if not profile.decisions:
        story.append(p(_("还没有决定。")))
    story.append(p(_("AI 分析证据"), h2))
    story.append(p(_("AI 指标只是参考证据，有其局限（口音、网络、光线都会影响），不会自动填写任何分数；评分与决定由人做出。"), small))
    for row in ai_evidence(actor=actor, application=application):
        story.append(p(row["question"]))
        semicolon, comma = _("；"), _("、")  # full-width in Chinese, "; " and ", " in English
        figures = semicolon.join(f"{k}{_('：')}{v}" for k, v in row["shown"])
        if row["keywords"]:
            figures += semicolon + _("关键词") + _("：") + comma.join(k["text"] for k in row["keywords"])
        story.append(p(figures, small))
        events = comma.join(f"{e.get('start_s', 0):.1f}s {e['label']}" for e in row["events"][:15])
        if events:
            story.append(p(events, small))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
                            title=_("候选人报告"), author="HireLens")
    doc.build(story)
    return buffer.getvalue()
