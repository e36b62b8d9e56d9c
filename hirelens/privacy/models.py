"""Candidates' rights requests (PIPL Art. 44-47, GDPR Art. 15-17, Illinois AIVIA §15) as tracked cases, the
per-organization deadlines, and the export archives built for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hirelens.core.fields import EncryptedTextField
from hirelens.core.jurisdictions import Jurisdiction, rules_for
from hirelens.core.models import Organization, TenantOwnedModel
from hirelens.core.tokens import LinkKind, link_kind


class RequestKind(models.TextChoices):
    ACCESS = "access", _("查阅个人信息")
    EXPORT = "export", _("导出个人信息")
    CORRECT = "correct", _("更正个人信息")
    DELETE = "delete", _("删除个人信息")
    WITHDRAW_CONSENT = "withdraw_consent", _("撤回同意")


class ConsentKind(models.TextChoices):
    AI_ANALYSIS = "ai_analysis", _("AI分析")
    BIOMETRIC = "biometric", _("面部/生物特征分析")
    RECORDING = "recording", _("录音录像")


# Deadline in calendar days per kind, per jurisdiction: each jurisdiction's default (hirelens.core.jurisdictions)
JURISDICTION_DAYS = {code: dict.fromkeys(RequestKind.values, rules_for(code).request_days) for code in Jurisdiction.values}
EXPORT_LINK_DAYS = 7


class PrivacySettings(models.Model):
    """One organization's jurisdiction and deadlines (created on demand with the PIPL defaults)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="privacy_settings")
    jurisdiction = models.CharField(_("适用法域"), max_length=16, choices=Jurisdiction.choices, default=Jurisdiction.CN)
    days_access = models.PositiveSmallIntegerField(_("查阅期限（天）"), default=15)
    days_export = models.PositiveSmallIntegerField(_("导出期限（天）"), default=15)
    days_correct = models.PositiveSmallIntegerField(_("更正期限（天）"), default=15)
    days_delete = models.PositiveSmallIntegerField(_("删除期限（天）"), default=15)
    days_withdraw_consent = models.PositiveSmallIntegerField(_("撤回同意期限（天）"), default=15)
    export_link_days = models.PositiveSmallIntegerField(_("导出下载链接有效期（天）"), default=EXPORT_LINK_DAYS)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"privacy settings of organization {self.organization_id}"

    def days_for(self, kind: str) -> int:
        return int(getattr(self, f"days_{kind}"))


class PrivacyRequest(TenantOwnedModel):
    """One request of one candidate: a case with a legal deadline, a history and a receipt.

    ``candidate`` is SET_NULL: after an erasure the row stays, without personal data (the details are cleared and
    ``tombstone`` keeps the pseudonymous id that the erasure wrote to the audit log)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        IN_PROGRESS = "in_progress", _("处理中")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("已拒绝")

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="privacy_requests")
    kind = models.CharField(_("请求类型"), max_length=20, choices=RequestKind.choices)
    consent_kind = models.CharField(_("撤回的同意"), max_length=16, choices=ConsentKind.choices, blank=True)
    details = EncryptedTextField(_("说明"), blank=True, plaintext_max_length=2000)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    refusal_reason = EncryptedTextField(_("拒绝理由"), blank=True, plaintext_max_length=2000)
    outcome = EncryptedTextField(_("处理结果"), blank=True, plaintext_max_length=2000)
    by_candidate = models.BooleanField(_("候选人本人提出"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    language = models.CharField(max_length=10, default="zh-hans")  # the candidate's, for the receipt
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    receipt_sent_at = models.DateTimeField(_("回执发送时间"), null=True, blank=True)
    tombstone = models.CharField(max_length=64, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["organization", "status", "due_at"])]

    def __str__(self) -> str:
        return f"privacy request #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED)

    @property
    def can_start(self) -> bool:
        """Not yet taken up: a handler may start it (``services.privacy_request_start``, the request page)."""
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_at < timezone.now()

    @property
    def kind_label(self) -> str:
        label = str(self.get_kind_display())
        if self.kind == RequestKind.WITHDRAW_CONSENT and self.consent_kind:
            label += f" · {self.get_consent_kind_display()}"
        return label


class PrivacyRequestEvent(TenantOwnedModel):
    """One line of a case's history (who did what, when). ``note`` may hold personal data: encrypted."""

    class Kind(models.TextChoices):
        CREATED = "created", _("收到请求")
        STARTED = "started", _("开始处理")
        EXPORT_QUEUED = "export_queued", _("开始生成导出文件")
        EXPORT_READY = "export_ready", _("导出文件已生成")
        EXPORT_FAILED = "export_failed", _("导出文件生成失败")
        ERASED = "erased", _("已删除全部个人信息")
        DERIVED_ERASED = "derived_erased", _("已删除相关的派生数据")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("已拒绝")
        RECEIPT_SENT = "receipt_sent", _("已向候选人发送回执")
        REMINDED = "reminded", _("已提醒负责人")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_candidate = models.BooleanField(default=False)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


def export_upload_to(instance, filename: str) -> str:
    """``privacy-exports/org<org>/candidate-<id>/<random>.zip``: the folder the erasure deletes for the candidate
    (``hirelens.core.erasure.candidate_export_prefix``), so no archive outlives an erasure."""
    import uuid

    return f"privacy-exports/org{instance.organization_id}/candidate-{instance.candidate_id or 0}/{uuid.uuid4().hex}.zip"


class PrivacyExport(TenantOwnedModel):
    """One ZIP archive of everything held about a candidate, built by a job and stored encrypted.

    The job claims the row with a lease; a build whose worker died is taken again by the sweep and starts over
    (building is idempotent: the archive is written to a new file and only a finished one is recorded)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        BUILDING = "building", _("生成中")
        READY = "ready", _("可下载")
        FAILED = "failed", _("生成失败")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="exports")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to=export_upload_to, blank=True, max_length=255)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    sections = models.JSONField(default=list, blank=True)  # names of the sections written
    # the download link (core/tokens.py): SHA-256 of its token; the token itself kept encrypted so HR and the portal
    # can show the same link again (erasure empties both)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


# No one withdraws a download link (an erased export has none); an archive not built yet answers 404 (services).
EXPORT_LINK = link_kind(LinkKind(name="privacy.export", model=PrivacyExport, revoked_field=None,
                                 select_related=("candidate", "request__organization")))
