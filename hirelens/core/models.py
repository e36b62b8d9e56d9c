from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .actors import actor_label_text
from .jurisdictions import Jurisdiction


class Organization(models.Model):
    """A tenant: one company. Every piece of tenant data points at exactly one organization."""

    name = models.CharField(_("名称"), max_length=200)
    slug = models.SlugField(_("标识"), max_length=64, unique=True)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    default_language = models.CharField(_("默认语言"), max_length=10, default="zh-hans")
    facial_analysis_enabled = models.BooleanField(
        _("启用面部分析"), default=False, help_text=_("某些司法辖区禁止面部分析：关闭后不解码任何视频帧。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantOwnedModel(models.Model):
    """Base for every row that belongs to one organization.

    There is no "current tenant" global: selectors and ``access_*`` functions filter on the actor's
    organization explicitly, so a missing filter is visible in review and caught by the isolation tests.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    """One entry of the hash-chained, append-only audit log (one chain per organization).

    No foreign keys: deleting a user or candidate must neither cascade into nor rewrite the log.
    Values of personal fields are never stored here, only the names of the fields involved.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        READ = "read", _("查看个人数据")
        READ_FILE = "read_file", _("查看文件或录像")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        INVITE = "invite", _("邀请")
        ROLE_CHANGE = "role_change", _("角色变更")
        KEY_ROTATION = "key_rotation", _("密钥轮换")
        CANDIDATE_ERASED = "candidate_erased", _("候选人数据已删除")
        DERIVED_ERASED = "derived_erased", _("撤回同意：派生数据已删除")
        RETENTION_EXTENDED = "retention_extended", _("延长保留期限")
        API_CALL = "api_call", _("API 调用")  # a call with an API key that wrote no other entry (integrations.middleware)

    chain = models.CharField(max_length=32, db_index=True)
    seq = models.PositiveBigIntegerField()
    organization_id = models.BigIntegerField(null=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    # A bulk entry (audit_record_many, one per list page view) names every object read here as "type:id";
    # null on single-object entries. Nullable without a default so that adding it kept SQLite's append-only trigger.
    targets = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")

    @property
    def actor_text(self) -> str:
        """Who acted, as a reader sees it: a staff e-mail, or the system / the candidate's portal in words."""
        return actor_label_text(self.actor_label)


class AuditChainHead(models.Model):
    """The latest seq and hash of each chain: appends lock this row, and it reveals a cut-off tail."""

    chain = models.CharField(max_length=32, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


def audit_chain_key(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id else "platform"




# --- Deletion and retention (docs/privacy.md "Deletion and retention") -------------------------------------------


class Erasure(models.Model):
    """The erasure ledger: one row per erased candidate, holding no personal data.

    ``candidate_id`` is the internal id the erased rows had, so that a restore of an older backup can delete them
    again (``core.erasure.erasure_reapply``); ``pseudonym`` is random and is what the audit tombstone names.
    ``files`` lists storage names (random uuids) and ``paths`` files under VAR_DIR still to delete: a crash after the
    database commit leaves the row ``pending`` and ``erasure_resume`` finishes it (idempotent).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("删除中")
        DONE = "done", _("已完成")

    class Reason(models.TextChoices):
        REQUEST = "request", _("候选人申请删除")
        RETENTION = "retention", _("保留期限届满")
        HR = "hr", _("HR 删除")
        OTHER = "other", _("其他")

    organization_id = models.BigIntegerField(null=True, db_index=True)
    candidate_id = models.BigIntegerField(db_index=True)
    pseudonym = models.CharField(max_length=32, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.OTHER)
    actor_id = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    counts = models.JSONField(default=dict, blank=True)
    files = models.JSONField(default=list, blank=True)
    paths = models.JSONField(default=list, blank=True)
    queue = models.JSONField(default=dict, blank=True)  # task name -> ids its queued messages name
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"erasure {self.pseudonym}"


class ConsentWithdrawal(models.Model):
    """A candidate withdrew a consent (``ai_analysis`` or ``biometric``): analyses started after it refuse to run
    for sessions created before it (a later session asks for consent again)."""

    organization_id = models.BigIntegerField(db_index=True)
    candidate_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=20)
    actor_id = models.BigIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"withdrawal {self.kind} #{self.candidate_id}"


class DecisionRecord(models.Model):
    """A pseudonymised copy of a human decision taken with AI evidence, kept after its candidate was erased.

    AI-assisted decisions are logged for at least ``DECISION_LOG_DAYS`` (≥ 6 months): erasure copies the decision's
    facts here (no names, no free text) and the retention purge drops the copy at ``keep_until``."""

    organization_id = models.BigIntegerField(db_index=True)
    pseudonym = models.CharField(max_length=32, db_index=True)
    position_id = models.BigIntegerField(null=True)
    stage_id = models.BigIntegerField(null=True)
    outcome = models.CharField(max_length=12)
    decided_by_id = models.BigIntegerField(null=True)
    decided_at = models.DateTimeField()
    ai_assisted = models.BooleanField(default=True)
    scorecards_considered = models.PositiveIntegerField(default=0)
    without_evaluation = models.BooleanField(default=False)
    keep_until = models.DateField(db_index=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"decision {self.pseudonym} {self.outcome}"


class RetentionPolicy(models.Model):
    """How long an organization keeps unsuccessful candidates' data, recordings and analyses (in days).

    ``jurisdiction`` empty is the organization's default; a row with a jurisdiction (one of
    :class:`~hirelens.core.jurisdictions.Jurisdiction`) applies to the positions of that jurisdiction."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="retention_policies")
    jurisdiction = models.CharField(_("适用法域"), max_length=32, blank=True, default="", choices=Jurisdiction.choices)
    recordings_days = models.PositiveIntegerField(_("录像保留天数"), default=180)
    analyses_days = models.PositiveIntegerField(_("分析结果保留天数"), default=180)
    candidates_days = models.PositiveIntegerField(_("未录用候选人数据保留天数"), default=365)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "jurisdiction"], name="retention_policy_unique")]
        ordering = ["organization", "jurisdiction"]

    def __str__(self) -> str:
        return f"retention {self.organization_id}/{self.jurisdiction or '*'}"


class RetentionHold(models.Model):
    """HR kept one candidate's data longer than the policy says, until ``until``, with a reason (audited)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    candidate_id = models.BigIntegerField(db_index=True)
    until = models.DateField()
    reason = models.CharField(_("原因"), max_length=300)
    actor_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until", "-id"]

    def __str__(self) -> str:
        return f"hold #{self.candidate_id} until {self.until}"
