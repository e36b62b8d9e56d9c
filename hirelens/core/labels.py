"""Words for things the system stores as codes: the kind of an audited object, a duration in minutes."""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

# object_type of an audit entry -> what a person calls it (singular; the audit log says "候选人 #144")
OBJECT_KINDS = {
    "accounts.user": pgettext_lazy("audit object", "用户"),
    "core.organization": pgettext_lazy("audit object", "组织"),
    "candidates.candidate": pgettext_lazy("audit object", "候选人"),
    "candidates.application": pgettext_lazy("audit object", "申请"),
    "candidates.document": pgettext_lazy("audit object", "材料"),
    "candidates.backgroundcheck": pgettext_lazy("audit object", "背景调查"),
    "evaluations.decision": pgettext_lazy("audit object", "决定"),
    "evaluations.scorecard": pgettext_lazy("audit object", "评分卡"),
    "imports.importbatch": pgettext_lazy("audit object", "导入批次"),
    "interviews.interviewsession": pgettext_lazy("audit object", "AI 视频面试"),
    "interviews.answer": pgettext_lazy("audit object", "回答"),
    "messaging.message": pgettext_lazy("audit object", "消息"),
    "messaging.ticket": pgettext_lazy("audit object", "工单"),
    "portal.portallink": pgettext_lazy("audit object", "候选人门户链接"),
    "positions.position": pgettext_lazy("audit object", "职位"),
    "scheduling.interview": pgettext_lazy("audit object", "面试"),
    "scheduling.interviewlink": pgettext_lazy("audit object", "面试链接"),
    "workflows.process": pgettext_lazy("audit object", "招聘流程"),
    "workflows.stage": pgettext_lazy("audit object", "环节"),
}

# Audited field names whose model field has no label of its own (Django would show the bare name: "file").
FIELD_LABELS = {
    "file": pgettext_lazy("audit field", "文件"),
    "resume": pgettext_lazy("audit field", "简历"),
    "projects": pgettext_lazy("audit field", "项目经历"),
    "work_history": pgettext_lazy("audit field", "工作经历"),
    "updated_at": pgettext_lazy("audit field", "更新时间"),
    "revoked_at": pgettext_lazy("audit field", "撤销时间"),
    "status": pgettext_lazy("audit field", "状态"),
    "state": pgettext_lazy("audit field", "状态"),
    "contact_reveal": pgettext_lazy("audit field", "查看了联系方式"),  # candidates/masking.py: "显示" on the record
    "privacy_request": pgettext_lazy("audit field", "个人信息请求"),  # privacy/views.py: a case page read
}


def field_label(meta, name: str) -> str:
    """An audited field's label in the reader's language: the model's own label, else FIELD_LABELS, else the name."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = meta.get_field(name) if meta else None
    except FieldDoesNotExist:
        field = None
    label = getattr(field, "verbose_name", None)
    if label is not None and str(label) != name.replace("_", " "):
        return str(label)
    return str(FIELD_LABELS.get(name, name))


def object_kind_label(object_type: str) -> str:
    """The kind's label; a type without one falls back to its model's verbose name, then to the code itself."""
    if object_type in OBJECT_KINDS:
        return str(OBJECT_KINDS[object_type])
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name) if "." in object_type else object_type
    except LookupError:
        return object_type


def minutes_label(minutes: int | float | None) -> str:
    """A duration in minutes as people say it: 1440 -> 1 天, 90 -> 1 小时 30 分钟, 45 -> 45 分钟."""
    if minutes is None:
        return ""
    if minutes < 60 and minutes != int(minutes):  # an average under an hour keeps its decimal
        return pgettext("duration", "%(n)s 分钟") % {"n": f"{minutes:.1f}"}
    total = round(minutes)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(pgettext("duration", "1 天") if days == 1 else pgettext("duration", "%(n)d 天") % {"n": days})
    if hours:
        parts.append(pgettext("duration", "1 小时") if hours == 1 else pgettext("duration", "%(n)d 小时") % {"n": hours})
    if mins or not parts:
        parts.append(pgettext("duration", "1 分钟") if mins == 1 else pgettext("duration", "%(n)d 分钟") % {"n": mins})
    return " ".join(parts)
