from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A tenant: one company. Every piece of tenant data points at exactly one organization."""

    name = models.CharField(_("名称"), max_length=200)
    slug = models.SlugField(_("标识"), max_length=64, unique=True)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    default_language = models.CharField(_("默认语言"), max_length=10, default="zh-hans")
    facial_analysis_enabled = models.BooleanField(
        _("启用面部分析"), default=True, help_text=_("某些司法辖区禁止面部分析：关闭后不解码任何视频帧。")
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


class AuditChainHead(models.Model):
    """The latest seq and hash of each chain: appends lock this row, and it reveals a cut-off tail."""

    chain = models.CharField(max_length=32, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


def audit_chain_key(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id else "platform"


