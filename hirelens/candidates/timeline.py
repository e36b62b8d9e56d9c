"""The candidate timeline: one entry per event, rendered in the reader's language.

Other apps add entries with ``timeline_add`` (inside their service's transaction) and may register
the text of their own kinds with ``register_timeline_kind``::

    register_timeline_kind("interview.scheduled", gettext_lazy("预约了面试：%(position)s"))
    timeline_add(candidate=c, kind="interview.scheduled", actor=user, params={"position": "销售代表"})

``params`` must not hold personal data: titles, ids, field names, statuses.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core import events
from hirelens.core.actors import LinkActor, PortalActor

from .models import Application, BackgroundCheck, Candidate, Document, TimelineEvent

KIND_TEXTS = {
    "created": gettext_lazy("创建了档案"),
    "updated": gettext_lazy("修改了：%(fields)s"),
    "resume_uploaded": gettext_lazy("上传了简历（%(status)s）"),
    "document_uploaded": gettext_lazy("上传了文件：%(type)s"),
    "document_reviewed": gettext_lazy("审核了文件：%(type)s → %(status)s"),
    "application_created": gettext_lazy("申请职位：%(position)s"),
    "application_updated": gettext_lazy("%(position)s：环节「%(stage)s」，状态 %(status)s"),
    "project_saved": gettext_lazy("更新了项目经历"),
    "project_deleted": gettext_lazy("删除了一个项目经历"),
    "work_saved": gettext_lazy("更新了工作经历"),
    "work_deleted": gettext_lazy("删除了一段工作经历"),
    "background_check": gettext_lazy("背景调查（%(provider)s）：%(status)s"),
    "merged": gettext_lazy("合并了一份重复档案"),
    "merged_fields": gettext_lazy("合并了一份重复档案，采用了它的：%(fields)s"),
    "merge_undone": gettext_lazy("撤销了一次档案合并"),
    "duplicate_suspected": gettext_lazy("疑似重复：与 %(others)s 的联系方式相同"),
    "imported": gettext_lazy("通过数据导入创建（批次 #%(batch)s）"),
    "portal_link_created": gettext_lazy("生成了候选人门户链接"),
    "portal_link_revoked": gettext_lazy("撤销了候选人门户链接"),
    # Written by the interviews and evaluations services (the hub's 面试 / 评估 tabs list kinds "interview…" /
    # "evaluation…"); "position_id" in params hides an event from people who cannot see that position.
    "interview.ai_sent": gettext_lazy("发出了AI视频面试：%(title)s（%(position)s）"),
    "interview.ai_submitted": gettext_lazy("提交了AI视频面试：%(title)s（%(position)s）"),
    "interview.ai_revoked": gettext_lazy("撤销了AI视频面试：%(title)s（%(position)s）"),
    "evaluation.scorecard_submitted": gettext_lazy("提交了评分卡：%(stage)s（%(position)s）"),
    "evaluation.decision": gettext_lazy("记录了决定：%(outcome)s（%(position)s）"),
}

FIELD_LABELS = {
    "full_name": gettext_lazy("姓名"), "phone": gettext_lazy("手机号"), "email": gettext_lazy("邮箱"),
    "id_number": gettext_lazy("身份证号"), "address": gettext_lazy("地址"), "source": gettext_lazy("来源"),
    "tags": gettext_lazy("标签"), "skills": gettext_lazy("技能"), "resume": gettext_lazy("简历"),
}


# Codes stored in params, shown as their label in the reader's language.
PARAM_CHOICES = {
    ("resume_uploaded", "status"): Candidate.ResumeStatus,
    ("document_uploaded", "type"): Document.Type,
    ("document_reviewed", "type"): Document.Type,
    ("document_reviewed", "status"): Document.Review,
    ("application_updated", "status"): Application.Status,
    ("background_check", "status"): BackgroundCheck.Status,
}


# Codes of other apps' models, looked up when shown (this module must not import those apps).
LAZY_PARAM_CHOICES = {
    ("evaluation.decision", "outcome"): ("evaluations", "Decision", "Outcome"),
}


def _lazy_choices(app_label: str, model: str, attr: str):
    from django.apps import apps

    try:
        return getattr(apps.get_model(app_label, model), attr)
    except LookupError:
        return None


def register_timeline_kind(kind: str, text) -> None:
    """The text of a kind no event declares. An event's own entry takes its text from the event's declaration
    (``Event.timeline``, issue 23 §2): registering it here as well would make two homes, so it is refused."""
    if kind in events.EVENTS and events.EVENTS[kind].timeline:
        raise ValueError(f"the timeline text of {kind!r} is declared on its event (core.events)")
    KIND_TEXTS[kind] = text


def kind_text(kind: str):
    """The text of a timeline kind: its event's declaration, else what the app registered (None: unknown)."""
    declared = events.EVENTS.get(kind)
    return (declared.timeline if declared is not None else None) or KIND_TEXTS.get(kind)


def timeline_add(*, candidate: Candidate, kind: str, actor=None, by_candidate: bool = False, params: dict | None = None) -> TimelineEvent:
    """``actor``: a user, a PortalActor or LinkActor (the candidate through their portal or another link of theirs) or a
    SystemActor. ``by_candidate`` is for the candidate's steps that build no actor yet (opening a link, submitting)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return TimelineEvent.objects.create(
        organization_id=candidate.organization_id, candidate=candidate, kind=kind, actor=actor if authenticated else None,
        by_candidate=by_candidate or isinstance(actor, (PortalActor, LinkActor)), params=params or {},
    )


def timeline_text(event: TimelineEvent) -> str:
    params = dict(event.params or {})
    if "fields" in params and isinstance(params["fields"], list):
        params["fields"] = _("、").join(str(FIELD_LABELS.get(f, f)) for f in params["fields"])  # en: ", "
    for (kind, key), choices in PARAM_CHOICES.items():
        if kind == event.kind and params.get(key) in choices.values:
            params[key] = str(choices(params[key]).label)
    for (kind, key), ref in LAZY_PARAM_CHOICES.items():
        choices = _lazy_choices(*ref) if kind == event.kind else None
        if choices is not None and params.get(key) in choices.values:
            params[key] = str(choices(params[key]).label)
    template = kind_text(event.kind)
    if template is None:
        return str(params.get("summary") or event.kind)
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template).split("%(")[0].rstrip("：:（( ")


def timeline_who(event: TimelineEvent) -> str:
    if event.by_candidate:
        return _("候选人本人")
    if event.actor_id:
        return event.actor.full_name or event.actor.email
    return _("系统")
