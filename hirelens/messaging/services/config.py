"""HR admins configure messaging for their organization: accounts, wording, channel order, reminders."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm
from hirelens.messaging.models import Channel, ChannelAccount, Kind, MessageTemplate, MessagingPolicy, StaffContact
from hirelens.messaging.rendering import VARIABLES, prepare_variables, render_text, validate_template

from .messages import template_for

SECRET_FIELDS = ("secret", "token", "encoding_aes_key")


@transaction.atomic
def channel_account_save(*, actor, provider: str, app_id: str = "", secret: str = "", token: str = "",
                         encoding_aes_key: str = "", agent_id: str = "", original_id: str = "",
                         templates: dict | None = None, subscribe_templates: dict | None = None,
                         api_base: str | None = None) -> ChannelAccount:
    """Create or update the organization's account. An empty secret field keeps the stored value;
    ``api_base`` None keeps the stored base URL, "" means the deployment's."""
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    if provider not in ChannelAccount.Provider.values:
        raise ValidationError(_("未知的账号类型。"))
    if encoding_aes_key and len(encoding_aes_key) != 43:
        raise ValidationError(_("EncodingAESKey 必须是 43 个字符。"))
    for mapping in (templates or {}, subscribe_templates or {}):
        for kind, spec in mapping.items():
            if kind not in Kind.values or not isinstance(spec, dict) or not spec.get("template_id"):
                raise ValidationError(_("模板映射无效：%(kind)s") % {"kind": kind})
            for expression in (spec.get("fields") or {}).values():
                validate_template(str(expression))
    account, _created = ChannelAccount.objects.get_or_create(organization_id=actor.organization_id, provider=provider)
    account.app_id, account.agent_id, account.original_id = app_id.strip(), agent_id.strip(), original_id.strip()
    if api_base is not None:
        api_base = api_base.strip().rstrip("/")
        if api_base and not api_base.startswith(("https://", "http://")):
            raise ValidationError(_("接口地址必须以 https:// 或 http:// 开头。"))
        account.api_base = api_base
    changed = []
    for name, value in (("secret", secret), ("token", token), ("encoding_aes_key", encoding_aes_key)):
        if value:
            setattr(account, name, value.strip())
            changed.append(name)
    if templates is not None:
        account.templates = templates
    if subscribe_templates is not None:
        account.subscribe_templates = subscribe_templates
    account.save()
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=account, fields=changed + ["app_id", "api_base", "templates"])
    return account


@transaction.atomic
def message_template_save(*, actor, kind: str, language: str, subject: str, body: str) -> MessageTemplate:
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    if kind not in Kind.values:
        raise ValidationError(_("未知的消息类型：%(kind)s") % {"kind": kind})
    if language not in ("zh-hans", "en"):
        raise ValidationError(_("不支持的语言。"))
    validate_template(subject)
    validate_template(body)
    template, _created = MessageTemplate.objects.update_or_create(
        organization_id=actor.organization_id, kind=kind, language=language,
        defaults={"subject": subject.strip()[:200], "body": body.strip()})
    return template


@transaction.atomic
def message_template_reset(*, actor, kind: str, language: str) -> None:
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    MessageTemplate.objects.filter(organization_id=actor.organization_id, kind=kind, language=language).delete()


SAMPLE = {
    "name": "张三", "position": "销售代表", "starts_at": "2026-12-01T06:00:00+00:00", "time_zone": "Asia/Shanghai",
    "link": "https://hirelens.example/i/abc123", "backup_link": "https://hirelens.example/i/abc123?backup=1",
    "steps": ["AI视频面试", "情景模拟", "直播面试"], "materials": ["10 分钟项目 PPT", "身份证"], "interviewer": "李经理",
    "minutes": 15, "result": "通过", "next_steps": "HR 将在 3 个工作日内联系您", "survey_link": "https://hirelens.example/s/xyz",
    "reply": "请换用 Chrome 浏览器再试一次。", "ticket": 1024, "offset_minutes": 60,
    "deadline": "2026年12月8日（周二）23:59 北京时间（UTC+08:00）", "notice": "本次面试将录制您的视频和声音。",
}
# An English template is previewed with English sample values (a person's data stays as entered; these are samples).
SAMPLE_EN = {
    **SAMPLE, "name": "Alex Zhang", "position": "Sales Representative", "interviewer": "Manager Li",
    "steps": ["AI video interview", "Case study", "Live interview"], "materials": ["10-minute project slides", "ID card"],
    "result": "Passed", "next_steps": "HR will contact you within 3 working days.",
    "reply": "Please try again in the latest Chrome browser.",
    "deadline": "Tue 8 Dec 2026, 23:59 Beijing time (UTC+08:00)", "notice": "This interview records your video and voice.",
}


def message_template_preview(*, actor, kind: str, language: str, subject: str | None = None, body: str | None = None) -> dict:
    """Render a template (the stored one, or the given draft) with sample values."""
    require_perm(actor, Perm.MESSAGING_VIEW)
    stored_subject, stored_body = template_for(organization_id=actor.organization_id, kind=kind, language=language)
    subject = stored_subject if subject is None else subject
    body = stored_body if body is None else body
    sample = SAMPLE_EN if language == "en" else SAMPLE
    values = prepare_variables({**sample, "organization": actor.organization.name}, language=language)
    return {"subject": render_text(subject, values), "body": render_text(body, values)}


@transaction.atomic
def messaging_policy_save(*, actor, fallback: dict | None = None, reminder_offsets: list[int] | None = None,
                          keyword_replies: list[dict] | None = None) -> MessagingPolicy:
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    policy, _created = MessagingPolicy.objects.get_or_create(organization_id=actor.organization_id)
    if fallback is not None:
        for kind, order in fallback.items():
            if kind not in Kind.values or not order or any(c not in Channel.values for c in order):
                raise ValidationError(_("渠道顺序无效：%(kind)s") % {"kind": kind})
        policy.fallback = fallback
    if reminder_offsets is not None:
        offsets = sorted({int(o) for o in reminder_offsets}, reverse=True)
        if not offsets or any(o <= 0 or o > 60 * 24 * 14 for o in offsets):
            raise ValidationError(_("提醒时间必须在开始前 1 分钟到 14 天之间。"))
        policy.reminder_offsets = offsets
    if keyword_replies is not None:
        policy.keyword_replies = [{"keyword": str(r["keyword"]).strip(), "reply": str(r["reply"]).strip()}
                                  for r in keyword_replies if str(r.get("keyword", "")).strip() and str(r.get("reply", "")).strip()]
    policy.save()
    return policy


@transaction.atomic
def staff_contact_save(*, actor, user, wecom_userid: str) -> StaffContact:
    require_perm(actor, Perm.MESSAGING_CONFIGURE)
    if user.organization_id != actor.organization_id:
        raise ValidationError(_("员工不属于本组织。"))
    contact, _created = StaffContact.objects.update_or_create(organization_id=actor.organization_id, user=user,
                                                              defaults={"wecom_userid": wecom_userid.strip()})
    return contact


__all__ = ["VARIABLES", "channel_account_save", "message_template_preview", "message_template_reset", "message_template_save",
           "messaging_policy_save", "staff_contact_save"]
