"""PDF exports of a bias audit's summary and of an impact-assessment version (ReportLab, as the evaluations report:
the built-in CID font covers Chinese, no font file needed)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from hirelens.evaluations.report import _register_font

from .selectors import labelled
from .templatetags.fairness import pct, ratio


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    font = _register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    return {"body": body, "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=colors.grey),
            "h1": ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6),
            "h2": ParagraphStyle("h2", parent=body, fontSize=12, leading=17, spaceBefore=8, spaceAfter=3)}


def _p(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _build(story, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                      title=title, author="HireLens").build(story)
    return buffer.getvalue()


def _table(part: dict, s, *, scoring: bool):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    head = [_("类别"), _("人数"), _("高于中位数") if scoring else _("通过人数"), _("评分率") if scoring else _("通过率"),
            _("影响比"), _("说明")]
    rows = [[_p(h, s["body"]) for h in head]]
    flagged_rows = []
    for row in part["rows"]:
        notes = []
        if row["excluded"]:
            notes.append(_("不足2%，未计算影响比"))
        if row["flagged"]:
            notes.append(_("低于4/5"))
        if row["small_sample"]:
            notes.append(_("样本小"))
        if row["fisher_p"] is not None and row["small_sample"]:
            notes.append(f"Fisher p={row['fisher_p']:.3f}")
        if row["flagged"]:
            flagged_rows.append(len(rows))
        rows.append([_p(row["label"], s["body"]), row["n"], row["selected"], pct(row["rate"]), ratio(row["impact_ratio"]),
                     _p("; ".join(notes), s["small"])])
    unknown = part["unknown"]
    rows.append([_p(_("未知（未填写或不愿回答）"), s["body"]), unknown["n"], unknown["selected"], pct(unknown["rate"]), "—",
                 _p(_("不计入影响比"), s["small"])])
    table = Table(rows, colWidths=[150, 40, 50, 45, 45, 170], repeatRows=1)
    style = [("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
             ("FONTNAME", (0, 0), (-1, -1), s["body"].fontName), ("FONTSIZE", (0, 0), (-1, -1), 8)]
    style += [("BACKGROUND", (0, i), (-1, i), colors.Color(1, 0.92, 0.9)) for i in flagged_rows]
    table.setStyle(TableStyle(style))
    return table


def audit_pdf(audit) -> bytes:
    from reportlab.platypus import Spacer

    s = _styles()
    report = labelled(audit.tables)
    story = [_p(audit.title, s["h1"]),
             _p(_("审计日期：%(d)s") % {"d": audit.audit_date.isoformat()}, s["body"]),
             _p(_("使用开始日期：%(d)s") % {"d": audit.distribution_date.isoformat() if audit.distribution_date else "—"}, s["body"]),
             _p(_("职位：%(p)s · 环节：%(s)s") % {"p": report.get("position", ""), "s": audit.stage_label}, s["body"]),
             _p(_("期间：%(a)s 至 %(b)s") % {"a": report.get("start") or "—", "b": report.get("end") or "—"}, s["body"]),
             _p(_("数据来源：%(s)s") % {"s": audit.data_source}, s["body"]),
             *([_p(_("排除类别的理由：%(s)s") % {"s": audit.exclusion_justification}, s["body"])]
               if audit.exclusion_justification else []),
             _p(_("评估人数 %(n)d，未决定 %(p)d，在该环节撤回 %(w)d。") % {"n": report["assessed"], "p": report["pending"],
                                                                 "w": report["withdrawn"]}, s["small"])]
    names = (("sex", _("按性别")), ("race", _("按种族/族裔")), ("intersection", _("性别 × 种族/族裔")))
    for part, heading, scoring in (("selection", _("通过率"), False), ("scoring", _("评分率（高于中位数的比例）"), True)):
        if not report.get(part):
            continue
        story.append(_p(heading, s["h2"]))
        if scoring:
            story.append(_p(_("中位数：%(m).3f（%(n)d 人有评分）") % {"m": report[part]["median"], "n": report[part]["n"]}, s["small"]))
        for name, label in names:
            story += [_p(label, s["body"]), _table(report[part][name], s, scoring=scoring), Spacer(1, 6)]
    story.append(_p(_("影响比 = 该类别的比率 ÷ 比率最高类别的比率；低于 0.8 时标注（4/5 规则）。样本小时另给出 Fisher 精确检验的 p 值。"), s["small"]))
    return _build(story, audit.title)


def pia_pdf(version) -> bytes:
    s = _styles()
    story = [_p(_("个人信息保护影响评估 · 第 %(n)d 版") % {"n": version.number}, s["h1"]),
             _p(_("保存时间：%(t)s · 至少保存至 %(k)s") % {"t": version.created_at.date().isoformat(),
                                                       "k": version.keep_until.date().isoformat()}, s["small"])]
    if version.note:
        story.append(_p(version.note, s["body"]))
    from .records import pia_sections

    for section in pia_sections(version.content):
        story.append(_p(section["heading"], s["h2"]))
        story += [_p("• " + line, s["body"]) for line in section["lines"]]
    return _build(story, _("个人信息保护影响评估"))
