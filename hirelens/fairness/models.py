"""Voluntary self-identification (encrypted), frozen bias audits and the personal-information impact assessment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hirelens.core.fields import EncryptedTextField
from hirelens.core.models import TenantOwnedModel

# Records are kept at least this long (PIPL Art. 56: impact assessments at least three years)
PIA_KEEP_DAYS = 3 * 365 + 1


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    DECLINE = "decline", _("不愿回答")


class Race(models.TextChoices):
    """EEO-1 race/ethnicity categories."""

    HISPANIC_LATINO = "hispanic_latino", _("西班牙裔或拉丁裔")
    WHITE = "white", _("白人")
    BLACK = "black", _("黑人或非裔美国人")
    PACIFIC_ISLANDER = "pacific_islander", _("夏威夷原住民或其他太平洋岛民")
    ASIAN = "asian", _("亚裔")
    NATIVE_AMERICAN = "native_american", _("美洲印第安人或阿拉斯加原住民")
    TWO_OR_MORE = "two_or_more", _("两个或以上种族")
    DECLINE = "decline", _("不愿回答")


SEX_CATEGORIES = [c for c in Sex.values if c != Sex.DECLINE]
RACE_CATEGORIES = [c for c in Race.values if c != Race.DECLINE]
UNKNOWN = "unknown"


class SelfIdentification(TenantOwnedModel):
    """A candidate's answers, given on a page of its own, separate from any application.

    Both answers are one encrypted JSON value ({"sex": ..., "race": ...}): the database shows neither which nor
    how long. Read only by ``fairness.selectors`` to count groups; no page shows one person's answers to staff,
    and nothing that scores or evaluates imports this module (a test checks)."""

    candidate = models.OneToOneField("candidates.Candidate", on_delete=models.CASCADE, related_name="self_identification")
    answers = EncryptedTextField(plaintext_max_length=200)
    notice_version = models.CharField(max_length=20)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("自愿填写的性别与种族/族裔")
        verbose_name_plural = _("自愿填写的性别与种族/族裔")


class FairnessAudit(TenantOwnedModel):
    """A bias audit as it was run: the frozen tables, its dates and the source of the data; publishable."""

    title = models.CharField(pgettext_lazy("报告", "标题"), max_length=200)
    position = models.ForeignKey("positions.Position", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    stage_label = models.CharField(_("环节"), max_length=200)
    period_start = models.DateField(_("开始日期"), null=True, blank=True)
    period_end = models.DateField(_("结束日期"), null=True, blank=True)
    audit_date = models.DateField(_("审计日期"), default=timezone.localdate)
    distribution_date = models.DateField(_("使用开始日期"), null=True, blank=True)
    data_source = models.TextField(_("数据来源"))
    # NYC DCWP rules § 5-301(d): where a category under 2 % of the data is left out of the impact ratios, the summary
    # gives the auditor's reason (the category's applicants and rate stay in the tables)
    exclusion_justification = models.TextField(_("排除类别的理由"), blank=True)
    tables = models.JSONField(default=dict)  # aggregates only, never one person's row
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    public_token = models.CharField(_("公开链接"), max_length=40, blank=True, db_index=True)
    published_at = models.DateTimeField(_("公开发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-audit_date", "-pk"]
        verbose_name = _("偏差审计")
        verbose_name_plural = _("偏差审计")

    @property
    def is_published(self) -> bool:
        return bool(self.public_token and self.published_at)


class PIAVersion(TenantOwnedModel):
    """One saved version of the personal-information impact assessment. Never edited; deletable after 3 years."""

    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)  # {"sections": [{"heading": ..., "text": ...}], "language": ...}
    note = models.CharField(_("版本说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    keep_until = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("影响评估版本")
        verbose_name_plural = _("影响评估版本")
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="pia_version_number_unique")]

    def save(self, *args, **kwargs):
        if self.keep_until is None:
            self.keep_until = (self.created_at or timezone.now()) + timedelta(days=PIA_KEEP_DAYS)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # The keep rule holds whoever deletes (a shell, the admin): not only the service refuses.
        if timezone.now() < self.keep_until:
            raise ValidationError(_("影响评估记录至少保存三年，%(date)s 之前不能删除。") % {"date": self.keep_until.date()})
        return super().delete(*args, **kwargs)


# The text of the link to the self-identification page, shown by the portal's and the AI interview's templates: kept
# here so that this app's catalogue holds its translation.
SELF_ID_LINK_TEXT = _("自愿填写性别与种族/族裔（用于偏差审计，不影响评估）")
