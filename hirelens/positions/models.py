from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.jurisdictions import Jurisdiction, rules_for
from hirelens.core.models import TenantOwnedModel
from hirelens.core.roles import AssignmentRole

# Scorecard dimensions a new position starts with (V1); HR may rename, remove or add custom ones.
DEFAULT_SCORECARD_DIMENSIONS = ["沟通能力", "专业技能", "团队协作", "学习能力"]


def default_scorecard_dimensions() -> list[str]:
    return list(DEFAULT_SCORECARD_DIMENSIONS)


class Position(TenantOwnedModel):
    """A job opening. The process, scorecard and scheduling issues extend it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("招聘中")
        CLOSED = "closed", _("已关闭")

    title = models.CharField(_("职位名称"), max_length=200)
    department = models.CharField(_("部门"), max_length=200, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    # {keyword: [synonym, ...]}: a mention of a synonym counts for its keyword in the answer analysis
    keyword_synonyms = models.JSONField(_("关键词同义词"), default=dict, blank=True)
    description = models.TextField(_("职位描述"), blank=True)
    scorecard_dimensions = models.JSONField(_("评分维度"), default=default_scorecard_dimensions, blank=True)

    Jurisdiction = Jurisdiction  # the one list (hirelens.core.jurisdictions), reachable as Position.Jurisdiction

    class Facial(models.TextChoices):
        INHERIT = "inherit", _("沿用公司设置")
        ON = "on", _("开启")
        OFF = "off", _("关闭")

    # where the role is (issue 20): sets the default advance notice of AI interviews and is shown to HR
    jurisdiction = models.CharField(_("适用法域"), max_length=8, choices=Jurisdiction.choices, default=Jurisdiction.OTHER)
    # face, expression and posture analysis for this position: the company's switch, or on / off here
    facial_analysis = models.CharField(_("面部分析"), max_length=8, choices=Facial.choices, default=Facial.INHERIT)
    # business days between the AI interview's invitation and the earliest start; empty: the jurisdiction's default
    advance_notice_days = models.PositiveSmallIntegerField(_("提前告知（工作日）"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def facial_enabled(self) -> bool:
        """Face, expression and posture analysis allowed for this position: its own switch, else the company's."""
        if self.facial_analysis == self.Facial.INHERIT:
            return bool(self.organization.facial_analysis_enabled)
        return self.facial_analysis == self.Facial.ON

    @property
    def advance_notice(self) -> int:
        """Business days an AI interview's invitation must precede its start (NYC Local Law 144: 10)."""
        if self.advance_notice_days is not None:
            return self.advance_notice_days
        return rules_for(self.jurisdiction).advance_notice_days


def add_business_days(moment, days: int):
    """``moment`` moved ``days`` business days (Monday–Friday) later, same time of day."""
    from datetime import timedelta

    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


class PositionAssignment(TenantOwnedModel):
    """Who recruits for, interviews for or decides on a position: scopes what interviewers see."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("角色"), max_length=32, choices=AssignmentRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["position", "user", "role"], name="position_assignment_unique")
        ]
