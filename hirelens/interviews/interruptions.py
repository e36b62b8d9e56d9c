"""HR's reading of a take's technical interruptions (Answer.interruptions), in the reader's language."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def interruption_lines(answer) -> list[str]:
    """One sentence per interruption, oldest first: what happened, when, how much was recorded, what the candidate chose."""
    lines = []
    for item in answer.interruptions or []:
        try:
            when = timezone.localtime(datetime.fromisoformat(item.get("at", ""))).strftime("%Y-%m-%d %H:%M:%S")
        except (TypeError, ValueError):
            when = "—"
        recorded = round(float(item.get("recorded_s") or 0))
        if item.get("kind") == "offline":
            lines.append(_("%(when)s 网络中断 %(s)s 秒（录制到第 %(at)s 秒时），录制未停止，内容已完整上传。") % {
                "when": when, "s": round(float(item.get("offline_s") or 0)), "at": recorded})
            continue
        choice = {"keep": _("候选人保留了已录制的内容作为回答。"),
                  "continued": _("候选人从中断处继续录制，前后两段合为一个回答（不占重录次数）。"),
                  "again": _("候选人重新录制了这道题（技术中断，不占重录次数）。")}.get(item.get("choice"), _("候选人尚未选择如何继续。"))
        lines.append(_("%(when)s 页面中断（刷新、切换语言、关闭页面或浏览器崩溃），当时已录制约 %(s)s 秒。") % {"when": when, "s": recorded}
                     + " " + choice)
    return lines
