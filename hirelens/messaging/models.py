"""Messages to candidates and staff, their delivery attempts, durable reminders, WeChat bindings and
the candidate help desk.

Personal content (rendered texts, variables, openids, help-desk messages) is encrypted at rest; what the
database can filter on (status, kind, channel, due time) stays in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.fields import BlindIndexField, EncryptedTextField
from hirelens.core.models import TenantOwnedModel
from hirelens.core.tokens import LinkKind, link_kind


class Channel(models.TextChoices):
    WECHAT_TEMPLATE = "wechat_template", _("微信模板消息")
    WECHAT_SUBSCRIBE = "wechat_subscribe", _("微信订阅消息")
    WECHAT_CUSTOM = "wechat_custom", _("微信客服消息")
    WECOM = "wecom", _("企业微信")
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")


class Kind(models.TextChoices):
    INVITATION = "invitation", _("面试邀请")
    REMINDER = "reminder", _("面试提醒")
    DELAY = "delay", _("面试延迟")
    SUBSTITUTE = "substitute", _("更换面试官")
    BACKUP_LINK = "backup_link", _("备用链接")
    VOICE_ONLY = "voice_only", _("切换为语音面试")
    RESCHEDULE = "reschedule", _("面试改期")
    CANCELLATION = "cancellation", _("面试取消")
    RESULT = "result", _("结果反馈")
    SURVEY = "survey", _("满意度调查")
    HELPDESK_REPLY = "helpdesk_reply", _("问题回复")
    INTERVIEWER_NOTICE = "interviewer_notice", _("面试官通知")
    AI_INTERVIEW_INVITE = "ai_interview.invite", _("AI视频面试邀请")
    AI_INTERVIEW_REMINDER = "ai_interview.reminder", _("AI视频面试提醒")
    PRIVACY_RECEIPT = "privacy.receipt", _("个人信息请求回执")  # hirelens/privacy: the candidate's request was handled
    PRIVACY_REMINDER = "privacy.reminder", _("个人信息请求到期提醒")  # hirelens/privacy: to HR, due within 3 days


class ChannelAccount(TenantOwnedModel):
    """An organization's own WeChat Official Account or WeCom app. Secrets are encrypted at rest.

    Fields left empty fall back to the deployment-wide settings (HIRELENS_WECHAT_* / HIRELENS_WECOM_*),
    so a single-company install can be configured from the environment alone.
    """

    class Provider(models.TextChoices):
        WECHAT = "wechat", _("微信公众号")
        WECOM = "wecom", _("企业微信")

    provider = models.CharField(_("类型"), max_length=16, choices=Provider.choices)
    app_id = models.CharField(_("AppID / CorpID"), max_length=64, blank=True)
    secret = EncryptedTextField(_("AppSecret"), blank=True)
    token = EncryptedTextField(_("回调 Token"), blank=True)
    encoding_aes_key = EncryptedTextField(_("EncodingAESKey"), blank=True)
    agent_id = models.CharField(_("应用 AgentID"), max_length=32, blank=True)
    original_id = models.CharField(_("原始 ID"), max_length=64, blank=True)
    # Empty: the deployment's HIRELENS_WECHAT_API_BASE / HIRELENS_WECOM_API_BASE (a proxy or a test server may differ).
    api_base = models.URLField(_("接口地址"), max_length=200, blank=True)
    # message kind -> {"template_id": "...", "fields": {"thing1": "{position}", "time2": "{time}"}}
    templates = models.JSONField(_("模板映射"), default=dict, blank=True)
    subscribe_templates = models.JSONField(_("订阅消息模板映射"), default=dict, blank=True)
    quota_exhausted_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "provider"], name="messaging_account_unique")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.app_id}"


class AccessToken(models.Model):
    """The one shared copy of a WeChat/WeCom access token (中控): every web and worker process reads it
    here, and only the process holding the row lock refreshes it."""

    key = models.CharField(max_length=64, unique=True)  # sha256(provider|base|app id)
    token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    refresh_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.key[:12]


class MessagingPolicy(TenantOwnedModel):
    """Per organization: the channel order for each kind of message and the reminder offsets."""

    fallback = models.JSONField(_("渠道顺序"), default=dict, blank=True)  # kind -> [channel, ...]
    reminder_offsets = models.JSONField(_("提醒时间（开始前分钟数）"), default=list, blank=True)
    keyword_replies = models.JSONField(_("关键词自动回复"), default=list, blank=True)  # [{"keyword","reply"}]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="messaging_policy_unique")]


class MessageTemplate(TenantOwnedModel):
    """An organization's own wording for one kind of message in one language (defaults live in code)."""

    kind = models.CharField(_("消息类型"), max_length=32, choices=Kind.choices)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "language"], name="messaging_template_unique")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.language}"


class WeChatBinding(TenantOwnedModel):
    """A candidate's WeChat openid in this organization's official account."""

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="wechat_bindings",
                                  null=True, blank=True)
    openid = EncryptedTextField(plaintext_max_length=128)
    openid_index = BlindIndexField(source="openid", kind="text")
    followed = models.BooleanField(default=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)  # opens the 48-hour customer-service window
    custom_sent_in_window = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "openid_index"], name="messaging_binding_unique")]


class BindingToken(TenantOwnedModel):
    """A one-time token in a parametric QR code or link: scanning it binds the openid to the candidate. Only the
    token's SHA-256 is stored (hirelens/core/tokens.py); the token itself is in the QR code or link and nowhere else."""

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class SubscribeCredit(TenantOwnedModel):
    """One-time subscribe consents (一次性订阅): each accepted consent allows exactly one later send."""

    binding = models.ForeignKey(WeChatBinding, on_delete=models.CASCADE, related_name="credits")
    template_id = models.CharField(max_length=128)
    remaining = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["binding", "template_id"], name="messaging_credit_unique")]


class StaffContact(TenantOwnedModel):
    """How to reach a staff member outside e-mail (the WeCom userid)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messaging_contact")
    wecom_userid = models.CharField(_("企业微信账号"), max_length=64, blank=True)


class Message(TenantOwnedModel):
    """One notification to one person, delivered through the first channel of its order that works."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        UNDELIVERABLE = "undeliverable", _("无可用渠道")

    kind = models.CharField(_("消息类型"), max_length=32, choices=Kind.choices, db_index=True)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="messages")
    binding = models.ForeignKey("messaging.WeChatBinding", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    address = EncryptedTextField(blank=True)  # an explicit e-mail address (web help-desk visitors)
    subject_type = models.CharField(max_length=64, blank=True, db_index=True)
    subject_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True, null=True)
    variables = EncryptedTextField(blank=True)  # JSON, rendered per channel
    subject = EncryptedTextField(blank=True)
    body = EncryptedTextField(blank=True)
    ics = EncryptedTextField(blank=True)
    channels = models.JSONField(default=list)  # the order tried
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    channel = models.CharField(_("送达渠道"), max_length=32, blank=True)
    error = models.CharField(_("原因"), max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)  # lease of the worker delivering it
    retry_at = models.DateTimeField(null=True, blank=True)  # when a transient failure asked to be retried

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="messaging_message_idempotent"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"

    @property
    def channel_labels(self) -> list[str]:
        """The channels tried, in the reader's language (the stored list holds codes such as wechat_template)."""
        labels = dict(Channel.choices)
        return [str(labels.get(code, code)) for code in self.channels]

    @property
    def channel_label(self) -> str:
        """The channel that delivered it, in the reader's language (empty until sent)."""
        return str(dict(Channel.choices).get(self.channel, "")) if self.channel else ""


class DeliveryAttempt(TenantOwnedModel):
    """The delivery log: one row per try on one channel."""

    class Status(models.TextChoices):
        SENT = "sent", _("已发送")
        RETRY = "retry", _("稍后重试")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("不可用，已跳过")
        UNKNOWN = "unknown", _("结果未知")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    channel = models.CharField(max_length=32, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    error_code = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Reminder(TenantOwnedModel):
    """A reminder planned for a generic subject (e.g. "scheduling.interview", 42): sent once when due."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已计划")
        SENT = "sent", _("已发送")
        CANCELLED = "cancelled", _("已取消")
        SUPERSEDED = "superseded", _("已重新计划")
        EXPIRED = "expired", _("已过期（面试已开始）")

    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField()
    offset_minutes = models.PositiveIntegerField()
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True)
    variables = EncryptedTextField(blank=True)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    late_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["organization", "subject_type", "subject_id"]),
        ]

    @property
    def is_late(self) -> bool:
        return bool(self.late_seconds and self.late_seconds > 60)


class InboundEvent(TenantOwnedModel):
    """Callbacks already handled (WeChat retries a push three times): dedupe by MsgId or openid+CreateTime."""

    dedupe_key = models.CharField(max_length=128)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "dedupe_key"], name="messaging_inbound_unique")]


class CallbackNonce(models.Model):
    """Nonces of accepted callbacks, kept for the replay window."""

    scope = models.CharField(max_length=64)
    nonce = models.CharField(max_length=128)
    timestamp = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "nonce", "timestamp"], name="messaging_nonce_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.nonce}"


class Ticket(TenantOwnedModel):
    """A candidate's problem report (help desk)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已回复")
        CLOSED = "closed", _("已关闭")

    class Source(models.TextChoices):
        WECHAT = "wechat", _("微信")
        WEB = "web", _("网页")

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, null=True, blank=True, related_name="tickets")
    binding = models.ForeignKey(WeChatBinding, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    page = models.CharField(_("页面"), max_length=300, blank=True)
    step = models.CharField(_("步骤"), max_length=64, blank=True)
    # What the ticket is about (one thread per candidate and subject): "interviews.session", "scheduling.link",
    # "scheduling.interview", "feedback.survey", "portal.link" or "" (a general question) with the row's id, and a
    # label in words fixed when the ticket opens (the link itself may be gone by the time HR reads it).
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(_("事由"), max_length=200, blank=True)
    language = models.CharField(max_length=10, blank=True)  # the candidate's page language: resend texts follow it
    new_link_requested = models.BooleanField(default=False)  # "ask for a new link" from a dead-link page
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)  # rate limit per IP (keyed hash, no address kept)
    contact = EncryptedTextField(blank=True)  # e-mail given on the web form when no candidate is known
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        indexes = [models.Index(fields=["candidate", "subject_type", "subject_id"], name="ticket_thread_idx")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def subject_display(self) -> str:
        """What the thread is about, in the reader's language ("AI视频面试链接", or "一般问题")."""
        from hirelens.messaging.services.deadlinks import SUBJECT_NAMES

        return str(SUBJECT_NAMES.get(self.subject_type, _("一般问题")))

    @property
    def step_display(self) -> str:
        from hirelens.messaging.services.deadlinks import step_words

        return step_words(self.step)

    @property
    def first_response_seconds(self) -> int | None:
        if self.first_response_at is None:
            return None
        return int((self.first_response_at - self.created_at).total_seconds())


class TicketMessage(TenantOwnedModel):
    class Direction(models.TextChoices):
        INBOUND = "in", _("候选人")
        OUTBOUND = "out", _("HR")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    body = EncryptedTextField(plaintext_max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outbound = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]


class HelpLink(TenantOwnedModel):
    """The "need help?" link of a candidate's pages, on the one link scheme (core/tokens.py): one row per candidate and
    subject (what the page was about), or per visitor's ticket (the thread link in HR's answer to someone without a
    record). Every candidate page shows it, so it is got-or-created (``helpdesk.help_url``): the token is kept
    encrypted to render the same link again, lookups go through ``token_hash`` (as the AI interview's ``link_token``).
    It cascades with the candidate or the ticket (erasure)."""

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subject_type = models.CharField(max_length=40, blank=True)  # as Ticket.subject_type ("" : no subject)
    subject_id = models.BigIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(candidate__isnull=False, ticket__isnull=True)
                                   | models.Q(candidate__isnull=True, ticket__isnull=False), name="messaging_helplink_one_owner"),
            models.UniqueConstraint(fields=["candidate", "subject_type", "subject_id"], name="messaging_helplink_subject",
                                    condition=models.Q(candidate__isnull=False, subject_id__isnull=False)),
            models.UniqueConstraint(fields=["candidate"], name="messaging_helplink_candidate",
                                    condition=models.Q(candidate__isnull=False, subject_id__isnull=True)),
            models.UniqueConstraint(fields=["ticket"], name="messaging_helplink_ticket", condition=models.Q(ticket__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"help link #{self.pk}"


HELP_LINK = link_kind(LinkKind(name="messaging.help", model=HelpLink, select_related=("candidate",),
                               candidate=lambda link: link.candidate, words=_("帮助页链接")))
