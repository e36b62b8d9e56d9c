"""The channel settings page's forms: the WeChat Official Account and the WeCom app as fields, not JSON.

Secrets are write-only: the page says "已设置" and an empty box keeps the stored (encrypted) value."""

from __future__ import annotations

import base64
import binascii
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hirelens.core.params import MAX_ID

from .models import Kind
from .rendering import validate_template

APP_ID = re.compile(r"^wx[0-9A-Za-z]{16}$")
CORP_ID = re.compile(r"^w[wx][0-9A-Za-z]{16}$")
CALLBACK_TOKEN = re.compile(r"^[0-9A-Za-z]{3,32}$")
TEMPLATE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
KEYWORD = re.compile(r"^[a-z]+(?:_[a-z]+)*\d+$")  # thing1, time2, character_string3
# WeChat messages go to candidates: the interviewers' notice goes through WeCom or e-mail.
TEMPLATE_KINDS = [kind for kind in Kind if kind != Kind.INTERVIEWER_NOTICE]


def _secret(label, help_text=""):
    return forms.CharField(label=label, required=False, strip=True, max_length=128, help_text=help_text,
                           widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False))


def clean_aes_key(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return value
    if len(value) != 43 or not re.fullmatch(r"[0-9A-Za-z]{43}", value):
        raise ValidationError(_("EncodingAESKey 必须是 43 个字母或数字（在后台点“随机生成”后整段复制）。"))
    try:
        if len(base64.b64decode(value + "=")) != 32:
            raise ValueError
    except (binascii.Error, ValueError):
        raise ValidationError(_("EncodingAESKey 无法解码，请重新复制。")) from None
    return value


def parse_field_lines(text: str) -> dict[str, str]:
    """"thing1 = {position}" per line → {"thing1": "{position}"}; the keyword names come from the template's
    details in the WeChat back office."""
    fields = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        key, sep, expression = line.partition("=")
        key, expression = key.strip(), expression.strip()
        if not sep or not KEYWORD.match(key) or not expression:
            raise ValidationError(_("第 %(n)d 行应写成“关键词 = 内容”，例如 thing1 = {position}。") % {"n": number})
        try:
            validate_template(expression)
        except ValidationError as exc:
            raise ValidationError(_("第 %(n)d 行：%(error)s") % {"n": number, "error": " ".join(exc.messages)}) from None
        fields[key] = expression
    return fields


def field_lines(fields: dict) -> str:
    return "\n".join(f"{key} = {value}" for key, value in (fields or {}).items())


class _AccountForm(forms.Form):
    api_base = forms.URLField(label=_("接口地址"), required=False, max_length=200, assume_scheme="https",
                              help_text=_("一般留空（使用部署时的设置）；通过代理访问微信时填写代理地址。"))

    def clean_encoding_aes_key(self):
        return clean_aes_key(self.cleaned_data.get("encoding_aes_key", ""))

    def clean_token(self):
        value = self.cleaned_data.get("token", "")
        if value and not CALLBACK_TOKEN.match(value):
            raise ValidationError(_("回调 Token 必须是 3 到 32 个字母或数字。"))
        return value


class WeChatSettingsForm(_AccountForm):
    app_id = forms.CharField(label=_("AppID"), max_length=64, required=False,
                             help_text=_("公众号后台“设置与开发 → 基本配置”中的开发者 ID，以 wx 开头的 18 位。"))
    secret = _secret(_("AppSecret"))
    token = _secret(_("回调 Token"))
    encoding_aes_key = _secret(_("EncodingAESKey"))
    original_id = forms.CharField(label=_("原始 ID"), max_length=64, required=False, help_text=_("以 gh_ 开头。"))

    field_order = ["app_id", "secret", "token", "encoding_aes_key", "original_id", "api_base"]

    def __init__(self, *args, account=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if account is not None:
            initial.update(app_id=account.app_id, original_id=account.original_id, api_base=account.api_base)
        super().__init__(*args, **kwargs)
        templates = getattr(account, "templates", None) or {}
        subscribe = getattr(account, "subscribe_templates", None) or {}
        self.kind_rows = []
        for index, kind in enumerate(TEMPLATE_KINDS):
            own, sub = templates.get(kind.value, {}), subscribe.get(kind.value, {})
            names = (f"tpl_{index}", f"tplmap_{index}", f"sub_{index}", f"submap_{index}")
            self.fields[names[0]] = forms.CharField(label=_("模板消息 ID"), required=False, max_length=64,
                                                    initial=own.get("template_id", ""))
            self.fields[names[1]] = forms.CharField(label=_("模板字段"), required=False, initial=field_lines(own.get("fields")),
                                                    widget=forms.Textarea(attrs={"rows": 3, "placeholder": "thing1 = {position}"}))
            self.fields[names[2]] = forms.CharField(label=_("订阅消息模板 ID"), required=False, max_length=64,
                                                    initial=sub.get("template_id", ""))
            self.fields[names[3]] = forms.CharField(label=_("订阅消息字段"), required=False, initial=field_lines(sub.get("fields")),
                                                    widget=forms.Textarea(attrs={"rows": 3, "placeholder": "thing1 = {position}"}))
            self.kind_rows.append({"kind": kind, "label": kind.label, "names": names,
                                   "configured": bool(own.get("template_id") or sub.get("template_id"))})

    def rows(self):
        """For the template: each kind with its four bound fields."""
        return [{**row, "fields": [self[name] for name in row["names"]]} for row in self.kind_rows]

    def clean_app_id(self):
        value = self.cleaned_data.get("app_id", "").strip()
        if value and not APP_ID.match(value):
            raise ValidationError(_("AppID 应以 wx 开头，共 18 位字母或数字。"))
        return value

    def clean_original_id(self):
        value = self.cleaned_data.get("original_id", "").strip()
        if value and not re.fullmatch(r"gh_[0-9a-f]{12}", value):
            raise ValidationError(_("原始 ID 应以 gh_ 开头，后跟 12 位字母或数字。"))
        return value

    def clean(self):
        data = super().clean()
        self.templates, self.subscribe_templates = {}, {}
        for row in self.kind_rows:
            tpl, tplmap, sub, submap = row["names"]
            for id_name, map_name, target in ((tpl, tplmap, self.templates), (sub, submap, self.subscribe_templates)):
                template_id = (data.get(id_name) or "").strip()
                try:
                    fields = parse_field_lines(data.get(map_name, ""))
                except ValidationError as exc:
                    self.add_error(map_name, exc)
                    continue
                if template_id and not TEMPLATE_ID.match(template_id):
                    self.add_error(id_name, _("模板 ID 只能包含字母、数字、下划线和短横线。"))
                elif fields and not template_id:
                    self.add_error(id_name, _("填写了字段，请同时填写模板 ID。"))
                elif template_id and not fields:
                    self.add_error(map_name, _("请填写模板的字段，例如 thing1 = {position}。"))
                elif template_id:
                    target[row["kind"].value] = {"template_id": template_id, "fields": fields}
        return data


class WeComSettingsForm(_AccountForm):
    app_id = forms.CharField(label=_("企业 ID（CorpID）"), max_length=64, required=False,
                             help_text=_("企业微信管理后台“我的企业”页底部，以 ww 开头的 18 位。"))
    agent_id = forms.CharField(label=_("应用 AgentID"), max_length=32, required=False)
    secret = _secret(_("应用 Secret"))
    token = _secret(_("回调 Token"))
    encoding_aes_key = _secret(_("EncodingAESKey"))

    field_order = ["app_id", "agent_id", "secret", "token", "encoding_aes_key", "api_base"]

    def __init__(self, *args, account=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if account is not None:
            initial.update(app_id=account.app_id, agent_id=account.agent_id, api_base=account.api_base)
        super().__init__(*args, **kwargs)

    def clean_app_id(self):
        value = self.cleaned_data.get("app_id", "").strip()
        if value and not CORP_ID.match(value):
            raise ValidationError(_("企业 ID 应以 ww 开头，共 18 位字母或数字。"))
        return value

    def clean_agent_id(self):
        value = self.cleaned_data.get("agent_id", "").strip()
        if value and not re.fullmatch(r"\d{1,10}", value):
            raise ValidationError(_("AgentID 是一串数字，例如 1000002。"))
        return value


ORDER_SLOTS = 4


class PolicyForm(forms.Form):
    """Reminder times, the channel order per message kind (chosen from lists) and the keyword auto-replies (rows)."""

    reminder_offsets = forms.CharField(label=_("提醒时间（开始前分钟数）"), max_length=200,
                                       help_text=_("用逗号分隔，例如 1440, 60 表示提前一天和提前一小时。"))

    def __init__(self, *args, policy=None, offsets=(), **kwargs):
        from .models import Channel

        initial = kwargs.setdefault("initial", {})
        initial.setdefault("reminder_offsets", ", ".join(str(o) for o in offsets))
        super().__init__(*args, **kwargs)
        fallback = getattr(policy, "fallback", None) or {}
        choices = [("", _("（不使用）"))] + list(Channel.choices)
        self.order_rows = []
        for index, kind in enumerate(Kind):
            current = list(fallback.get(kind.value, []))
            names = [f"order_{index}_{slot}" for slot in range(ORDER_SLOTS)]
            for slot, name in enumerate(names):
                self.fields[name] = forms.ChoiceField(label=_("第 %(n)d 个渠道") % {"n": slot + 1}, required=False,
                                                      choices=choices, initial=current[slot] if slot < len(current) else "")
            self.order_rows.append({"kind": kind, "label": kind.label, "names": names, "custom": bool(current)})
        replies = list(getattr(policy, "keyword_replies", None) or [])
        self.reply_names = []
        for index in range(len(replies) + 2):
            row = replies[index] if index < len(replies) else {}
            self.fields[f"kw_{index}"] = forms.CharField(label=_("关键词"), required=False, max_length=30, initial=row.get("keyword", ""))
            self.fields[f"reply_{index}"] = forms.CharField(label=_("自动回复"), required=False, max_length=600,
                                                            initial=row.get("reply", ""),
                                                            widget=forms.Textarea(attrs={"rows": 2}))
            self.reply_names.append((f"kw_{index}", f"reply_{index}"))

    def orders(self):
        return [{**row, "fields": [self[name] for name in row["names"]]} for row in self.order_rows]

    def replies(self):
        return [(self[kw], self[reply]) for kw, reply in self.reply_names]

    def clean_reminder_offsets(self):
        raw = self.cleaned_data["reminder_offsets"].replace("，", ",")
        try:
            return [int(value) for value in raw.split(",") if value.strip()]
        except ValueError:
            raise ValidationError(_("请填写分钟数，用逗号分隔，例如 1440, 60。")) from None

    def clean(self):
        data = super().clean()
        self.fallback = {}
        for row in self.order_rows:
            chosen = [data.get(name) for name in row["names"] if data.get(name)]
            if len(set(chosen)) != len(chosen):
                self.add_error(row["names"][0], _("同一个渠道只能选一次。"))
            elif chosen:
                self.fallback[row["kind"].value] = chosen
        self.keyword_replies = []
        for kw, reply in self.reply_names:
            keyword, text = (data.get(kw) or "").strip(), (data.get(reply) or "").strip()
            if keyword and not text:
                self.add_error(reply, _("请填写这个关键词的回复内容。"))
            elif text and not keyword:
                self.add_error(kw, _("请填写关键词。"))
            elif keyword:
                self.keyword_replies.append({"keyword": keyword, "reply": text})
        return data


# --- the help desk and the message templates (typed input at the edge, issue 23 §4) ----------------------------------
# Text is handed on as typed: the services strip it, refuse a blank one with their own message and cut it.

TICKET_MISSING = _("找不到这条对话。")


def _text() -> forms.CharField:
    return forms.CharField(required=False, strip=False)


class TicketReplyForm(forms.Form):
    """HR's answer on the ticket page (the API's ``ReplyIn`` carries the same ``body``)."""

    body = _text()


class HelpForm(forms.Form):
    """The candidate's help page: a follow-up in one of their threads (``ticket``) or a new question with the page and
    step it was asked from. A ticket that is not a whole number is the service's "not found" message, as a foreign
    one; the service finds the ticket through the help link, never by its id alone."""

    ticket = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, error_messages={
        "invalid": TICKET_MISSING, "min_value": TICKET_MISSING, "max_value": TICKET_MISSING})
    body = _text()
    page = _text()
    step = _text()

    def clean_page(self) -> str:
        return self.cleaned_data["page"][:300]

    def clean_step(self) -> str:
        return self.cleaned_data["step"][:64]


class NewLinkForm(forms.Form):
    """"Ask for a new link" from a dead-link page: a note and, for an unknown link, a contact."""

    body = _text()
    contact = _text()


class TemplateEditForm(forms.Form):
    """A message template's draft subject and body (checked and previewed by ``services.config``)."""

    subject = _text()
    body = _text()


class SettingsSectionForm(forms.Form):
    """Which part of the settings page a POST saves (issue 23 §4): one of the page's own forms, nothing else."""

    SECTIONS = ("wechat", "wecom", "policy")

    section = forms.ChoiceField(choices=[(name, name) for name in SECTIONS],
                                error_messages={"required": _("未知的设置项，请刷新页面后重试。"),
                                                "invalid_choice": _("未知的设置项，请刷新页面后重试。")})
