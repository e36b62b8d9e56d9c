from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.fields import BlindIndexField, EncryptedTextField
from hirelens.core.models import TenantOwnedModel
from hirelens.positions.models import Position

# Fields holding personal data: reading them is audited, and they are encrypted at rest.
PERSONAL_FIELDS = ("full_name", "phone", "email", "id_number")


def resume_upload_to(instance, filename: str) -> str:
    # Random names: the original filename can itself be personal data.
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"org{instance.organization_id}/resumes/{uuid.uuid4().hex}.{suffix}"


class Candidate(TenantOwnedModel):
    """The person (the EHR issue grows this into the full record hub)."""

    full_name = EncryptedTextField(_("姓名"), plaintext_max_length=200)
    phone = EncryptedTextField(_("手机号"), blank=True, plaintext_max_length=40)
    email = EncryptedTextField(_("邮箱"), blank=True, plaintext_max_length=254)
    id_number = EncryptedTextField(_("身份证号"), blank=True, plaintext_max_length=32)
    phone_index = BlindIndexField(source="phone", kind="phone")
    email_index = BlindIndexField(source="email", kind="email")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    resume = models.FileField(_("简历"), upload_to=resume_upload_to, blank=True, max_length=255)
    resume_name = EncryptedTextField(_("简历文件名"), blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Application(TenantOwnedModel):
    """A candidate applying to one position."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("进行中")
        HIRED = "hired", _("已录用")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="applications")
    stage = models.CharField(_("环节"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["candidate", "position"], name="application_unique")]
