"""Message wording: default templates per kind (zh-Hans msgids, English in the catalogue), organization
overrides, ``{variable}`` substitution with a closed list of variables, and time written in the
recipient's zone with the zone spelled out."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Kind

VARIABLES = {
    "name": gettext_lazy("收件人姓名"),
    "organization": gettext_lazy("公司名称"),
    "position": gettext_lazy("职位"),
    "time": gettext_lazy("面试时间（收件人时区，写明时区）"),
    "link": gettext_lazy("面试链接"),
    "backup_link": gettext_lazy("备用链接"),
    "steps": gettext_lazy("面试流程"),
    "materials": gettext_lazy("需准备的资料"),
    "interviewer": gettext_lazy("面试官"),
    "minutes": gettext_lazy("延迟分钟数"),
    "result": gettext_lazy("结果"),
    "next_steps": gettext_lazy("后续安排"),
    "survey_link": gettext_lazy("问卷链接"),
    "reply": gettext_lazy("回复内容"),
    "ticket": gettext_lazy("工单编号"),
    "when": gettext_lazy("距开始时间"),
    "deadline": gettext_lazy("截止时间（收件人时区，写明时区）"),
    "notice": gettext_lazy("录制和分析说明"),
    "help_link": gettext_lazy("求助对话链接"),
}

# kind -> (subject, body). The msgids are the zh-Hans wording; the English catalogue holds the rest.
DEFAULTS = {
    Kind.INVITATION: (
        gettext_lazy("面试邀请：{position}"),
        gettext_lazy("{name}，您好！\n{organization}邀请您参加「{position}」的面试。\n时间：{time}\n链接：{link}\n"
                     "流程：{steps}\n请准备：{materials}\n如有问题，请直接回复本消息。"),
    ),
    Kind.REMINDER: (
        gettext_lazy("面试提醒：{position}（{when}后开始）"),
        gettext_lazy("{name}，您好！您的「{position}」面试将于{when}后开始。\n时间：{time}\n链接：{link}\n请准备：{materials}"),
    ),
    Kind.DELAY: (
        gettext_lazy("面试延迟：{position}"),
        gettext_lazy("{name}，您好！很抱歉，面试官将晚到，「{position}」的面试将推迟约 {minutes} 分钟开始。\n新的开始时间：{time}\n"
                     "请保持面试页面打开，面试官到达后会请您进入。\n链接：{link}"),
    ),
    Kind.SUBSTITUTE: (
        gettext_lazy("面试官变更：{position}"),
        gettext_lazy("{name}，您好！「{position}」的面试将改由{interviewer}主持。\n面试时间：{time}\n"
                     "请使用原链接进入，无需重新预约。\n链接：{link}"),
    ),
    Kind.BACKUP_LINK: (
        gettext_lazy("备用面试链接：{position}"),
        gettext_lazy("{name}，您好！如果原链接无法打开，请使用备用链接进入「{position}」的面试：{backup_link}"),
    ),
    Kind.VOICE_ONLY: (
        gettext_lazy("面试改为语音：{position}"),
        gettext_lazy("{name}，您好！「{position}」的面试将改为语音进行，无需开启摄像头，请留在面试页面继续。\n链接：{link}"),
    ),
    Kind.RESCHEDULE: (
        gettext_lazy("面试改期：{position}"),
        gettext_lazy("{name}，您好！「{position}」的面试时间已调整。\n新时间：{time}\n链接：{link}\n备用链接：{backup_link}"),
    ),
    Kind.CANCELLATION: (
        gettext_lazy("面试取消：{position}"),
        gettext_lazy("{name}，您好！原定于{time}的「{position}」面试已取消，我们会另行联系您。"),
    ),
    Kind.RESULT: (
        gettext_lazy("面试结果：{position}"),
        gettext_lazy("{name}，您好！感谢您参加「{position}」的面试。\n结果：{result}\n后续安排：{next_steps}"),
    ),
    Kind.SURVEY: (
        gettext_lazy("请评价您的面试体验"),
        gettext_lazy("{name}，您好！请花一分钟评价「{position}」的面试体验：{survey_link}"),
    ),
    Kind.HELPDESK_REPLY: (
        gettext_lazy("关于您的问题（工单 {ticket}）"),
        gettext_lazy("{reply}\n查看完整对话并回复：{help_link}"),
    ),
    Kind.INTERVIEWER_NOTICE: (
        gettext_lazy("面试安排：{position}"),
        gettext_lazy("{name}，您好！您有一场「{position}」的面试。\n时间：{time}\n链接：{link}"),
    ),
    Kind.AI_INTERVIEW_INVITE: (
        gettext_lazy("AI视频面试邀请：{position}"),
        gettext_lazy("{name}，您好！\n{organization}邀请您参加「{position}」的AI视频面试，请在截止时间前用手机或电脑完成。\n"
                     "截止时间：{deadline}\n链接：{link}\n请准备：{materials}\n录制和分析说明：{notice}\n如有问题，请直接回复本消息。"),
    ),
    Kind.AI_INTERVIEW_REMINDER: (
        gettext_lazy("AI视频面试提醒：{position}（{when}后截止）"),
        gettext_lazy("{name}，您好！您的「{position}」AI视频面试将在{when}后截止，请尽快完成。\n截止时间：{deadline}\n"
                     "链接：{link}\n请准备：{materials}"),
    ),
    Kind.PRIVACY_RECEIPT: (
        gettext_lazy("您的个人信息请求已处理"),
        gettext_lazy("{name}，您好！\n{organization}已处理您的个人信息请求。\n结果：{result}\n下载链接（有效期至{deadline}）：{link}\n"
                     "如有疑问，请直接回复本消息。"),
    ),
    Kind.PRIVACY_REMINDER: (
        gettext_lazy("个人信息请求即将到期"),
        gettext_lazy("{name}，您好！以下个人信息请求即将到期或已逾期，请按时处理：\n{result}\n处理页面：{link}"),
    ),
}

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def template_variables(text: str) -> set[str]:
    return {m.group(1).strip() for m in _PLACEHOLDER.finditer(text) if m.group(1) is not None}


def validate_template(text: str) -> None:
    unknown = sorted(v for v in template_variables(text) if v not in VARIABLES)
    if unknown:
        raise ValidationError(_("模板中有未知变量：%(names)s") % {"names": ", ".join("{" + v + "}" for v in unknown)})
    stripped = _PLACEHOLDER.sub("", text)
    if "{" in stripped or "}" in stripped:
        raise ValidationError(_("花括号不成对：字面的花括号请连写两次。"))


def render_text(text: str, variables: dict) -> str:
    """Substitute ``{variable}``. A line whose every variable is empty is left out (e.g. "请准备：" when
    nothing needs preparing), so one template serves interviews with and without materials."""
    validate_template(text)

    def replace(match):
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(variables.get(match.group(1).strip(), "") or "")

    lines = []
    for line in text.split("\n"):
        names = template_variables(line)
        if names and not any(str(variables.get(name, "") or "") for name in names):
            continue
        lines.append(_PLACEHOLDER.sub(replace, line))
    return "\n".join(lines)


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def format_time(starts_at: datetime, zone_name: str, language: str) -> str:
    """'2026年12月1日（周二）14:00 北京时间（UTC+08:00）' / 'Tue 01 Dec 2026, 14:00 Beijing time (UTC+08:00)' —
    the zone is always written out in words (``hirelens.core.timezones.zone_label``) with its offset."""
    from hirelens.core.timezones import zone_label

    zone = zone_of(zone_name)
    local = starts_at.astimezone(zone)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}"
    words = zone_label(zone.key, language)
    if language.startswith("en"):
        return f"{local:%a %d %b %Y, %H:%M} {words} ({offset})"
    weekdays = "一二三四五六日"
    return f"{local.year}年{local.month}月{local.day}日（周{weekdays[local.weekday()]}）{local:%H:%M} {words}（{offset}）"


def format_offset(minutes: int, language: str) -> str:
    with translation.override(language):
        if minutes % 1440 == 0:
            days = minutes // 1440
            return _("%(n)d 天") % {"n": days} if days != 1 else _("1 天")
        if minutes % 60 == 0:
            return _("%(n)d 小时") % {"n": minutes // 60}
        return _("%(n)d 分钟") % {"n": minutes}


def prepare_variables(variables: dict, *, language: str) -> dict:
    """Fill the derived variables: ``time`` from ``starts_at`` + ``time_zone``; lists joined."""
    result = dict(variables)
    starts = result.get("starts_at")
    if starts and not result.get("time"):
        moment = parse_datetime(starts) if isinstance(starts, str) else starts
        if moment is not None:
            result["time"] = format_time(moment, result.get("time_zone") or "Asia/Shanghai", language)
    separator = "；" if not language.startswith("en") else "; "
    for key in ("steps", "materials"):
        if isinstance(result.get(key), (list, tuple)):
            result[key] = separator.join(str(item) for item in result[key])
    if isinstance(result.get("offset_minutes"), int) and not result.get("when"):
        result["when"] = format_offset(result["offset_minutes"], language)
    return result


def default_template(kind: str, language: str) -> tuple[str, str]:
    subject, body = DEFAULTS[kind]
    with translation.override(language):
        return str(subject), str(body)
