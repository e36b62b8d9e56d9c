from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.fields import EncryptedTextField
from hirelens.core.models import TenantOwnedModel


def batch_upload_to(instance, filename: str) -> str:
    return f"org{instance.organization_id}/imports/{uuid.uuid4().hex}.bin"


class ImportBatch(TenantOwnedModel):
    """One uploaded spreadsheet in the sandbox: nothing reaches the candidate records until commit.

    The file is kept encrypted; ``report`` holds per-row findings (row numbers, columns, messages, never
    the values), ``preview_json`` the first cleaned rows (encrypted: they are personal data)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("待映射")
        VALIDATED = "validated", _("已校验")
        COMMITTED = "committed", _("已导入")
        DISCARDED = "discarded", _("已放弃")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=batch_upload_to, max_length=255)
    filename = EncryptedTextField(_("文件名"), plaintext_max_length=255)
    file_kind = models.CharField(max_length=8)
    encoding = models.CharField(max_length=20, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    preview_json = EncryptedTextField(blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import #{self.pk}"

    # The batch's state rules, read by the services and the batch page alike (issue 23 §7).
    @property
    def can_map(self) -> bool:
        """Not committed or discarded: the columns may still be mapped and the rows checked again."""
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATED)

    @property
    def can_commit(self) -> bool:
        """Checked and neither committed nor discarded: the valid rows may be imported."""
        return self.status == self.Status.VALIDATED
