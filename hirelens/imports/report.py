"""The validation report, stored as codes + parameters and written in the reader's language when shown.

A row's issue is stored as ``{"column": <the file's header>, "field": <FIELDS key>, "code": ..., "params": {...}}``
and a duplicate as ``{"row": n}`` (an earlier row of the file) or ``{"candidate": id}`` (an existing record).
Reports stored before (issues with a finished Chinese ``message``, duplicates as a sentence) are shown as they are.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ISSUE_TEXTS = {
    "required": gettext_lazy("姓名不能为空。"),
    "phone": gettext_lazy("手机号格式不正确。"),
    "email": gettext_lazy("邮箱格式不正确。"),
    "id_length": gettext_lazy("身份证号应为18位（当前%(n)s位）。"),
    "id_checksum": gettext_lazy("身份证号校验位或出生日期不正确。"),
    "date": gettext_lazy("日期无法识别，请使用 2026-01-31 格式。"),
    "position": gettext_lazy("职位「%(title)s」不存在。"),
    "contact": gettext_lazy("至少需要手机号、邮箱或身份证号之一。"),
}


def issue_text(issue: dict) -> str:
    if issue.get("message"):
        return str(issue["message"])  # stored before codes: a finished sentence
    template = str(ISSUE_TEXTS.get(issue.get("code", ""), gettext_lazy("内容无效。")))
    try:
        return template % (issue.get("params") or {}) if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return template.split("%(")[0]


def issue_column(issue: dict) -> str:
    from .validation import FIELDS

    return issue.get("column") or (str(FIELDS[issue["field"]]) if issue.get("field") in FIELDS else "")


def duplicate_text(value) -> str:
    if isinstance(value, str):
        return value  # stored before codes
    if value.get("row"):
        return _("文件第 %(row)s 行") % {"row": value["row"]}
    return _("已有档案")


def report_rows(rows: list[dict]) -> list[dict]:
    """The stored rows with their text in the reader's language (``issues``: (column, text) pairs)."""
    shown = []
    for row in rows:
        duplicate = row.get("duplicate_of") or ""
        shown.append({
            "row": row["row"], "status": row["status"],
            "duplicate": duplicate_text(duplicate) if duplicate else "",
            "duplicate_id": duplicate.get("candidate") if isinstance(duplicate, dict) else None,
            "issues": [(issue_column(i), issue_text(i)) for i in row.get("issues", [])],
        })
    return shown
