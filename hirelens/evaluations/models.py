"""Structured evaluation after the interview (V1, S1).

* ``ScorecardSettings``: the position's scale and which dimensions may be shared with the candidate
  (the dimensions themselves are ``Position.scorecard_dimensions``, edited on the position page).
* ``Scorecard``: one interviewer's card for one application and one stage. A draft is private; once
  submitted it is locked and changes only through ``ScorecardAmendment`` (audited, with a reason).
* ``ScorecardRating``: one dimension's score and reason. Organization, position, department, interviewer
  and submission time are copied onto each row so that analytics ("average 专业技能 of technical positions
  over 3 months") is one indexed range scan, not a four-table join.
* ``Decision``: advance / hold / reject, always by a person and with a rationale for a rejection.
* ``FitRule``: "communication ≥ 8 and skill ≥ 6 → suits sales", read by the profile synthesis.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hirelens.core.models import TenantOwnedModel

DEFAULT_SCALE_MIN = 1
DEFAULT_SCALE_MAX = 10


class ScorecardSettings(TenantOwnedModel):
    position = models.OneToOneField("positions.Position", on_delete=models.CASCADE, related_name="scorecard_settings")
    scale_min = models.PositiveSmallIntegerField(_("最低分"), default=DEFAULT_SCALE_MIN)
    scale_max = models.PositiveSmallIntegerField(_("最高分"), default=DEFAULT_SCALE_MAX)
    shareable_dimensions = models.JSONField(_("可告知候选人的维度"), default=list, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="scorecard_scale_valid")]


class Scorecard(TenantOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    class Recommendation(models.TextChoices):
        STRONG_YES = "strong_yes", _("强烈推荐")
        YES = "yes", _("推荐")
        NO = "no", _("不推荐")
        STRONG_NO = "strong_no", _("强烈不推荐")

    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="scorecards")
    stage = models.ForeignKey("workflows.Stage", on_delete=models.PROTECT, related_name="scorecards")
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="+")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    scale_min = models.PositiveSmallIntegerField(default=DEFAULT_SCALE_MIN)
    scale_max = models.PositiveSmallIntegerField(default=DEFAULT_SCALE_MAX)
    recommendation = models.CharField(_("总体建议"), max_length=12, choices=Recommendation.choices, blank=True)
    summary = models.TextField(_("总体评价"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "stage", "submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "stage", "interviewer"], name="scorecard_one_per_interviewer")]
        indexes = [models.Index(fields=["application", "stage", "status"])]

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ScorecardRating(TenantOwnedModel):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.CharField(_("维度"), max_length=50)
    score = models.PositiveSmallIntegerField(_("分数"))
    reason = models.TextField(_("理由"))
    # Copies for analytics (set when the card is submitted; never edited by hand).
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="+")
    department = models.CharField(max_length=200, blank=True)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    month = models.CharField(max_length=7, blank=True, default="")  # "YYYY-MM" of submitted_at, in TIME_ZONE
    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, null=True, related_name="+")
    stage = models.ForeignKey("workflows.Stage", on_delete=models.PROTECT, null=True, related_name="+")
    scale_max = models.PositiveSmallIntegerField(default=DEFAULT_SCALE_MAX)
    # The panel on the same item (application, stage, dimension), over submitted cards, kept up to date by the
    # services: calibration and agreement then need one scan and no window function or self-join.
    item_n = models.PositiveSmallIntegerField(default=0)
    item_sum = models.PositiveIntegerField(default=0)
    item_min = models.PositiveSmallIntegerField(default=0)
    item_max = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scorecard", "pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "dimension"], name="rating_one_per_dimension")]
        indexes = [
            # the seed's question (one dimension, some departments, a period); score last: a covering index
            models.Index(fields=["organization", "dimension", "department", "submitted_at", "score"], name="rating_dim_dept_time"),
            # scores per position and month, calibration: a period's rows without touching the table
            models.Index(fields=["organization", "submitted_at", "position", "dimension", "score", "month", "interviewer",
                                 "item_n", "item_sum", "item_min", "item_max"], name="rating_period_cover"),
            models.Index(fields=["organization", "interviewer", "submitted_at"], name="rating_interviewer_time"),
        ]


class ScorecardAmendment(TenantOwnedModel):
    """A change to a submitted card: old and new value, why, and who. Never edited or deleted."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="amendments")
    dimension = models.CharField(max_length=50)
    old_score = models.PositiveSmallIntegerField()
    new_score = models.PositiveSmallIntegerField()
    old_reason = models.TextField()
    new_reason = models.TextField()
    why = models.TextField(_("修改原因"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]


class Decision(TenantOwnedModel):
    class Outcome(models.TextChoices):
        ADVANCE = "advance", _("进入下一轮")
        HOLD = "hold", _("待定")
        REJECT = "reject", _("不通过")
        HIRE = "hire", _("录用")

    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="decisions")
    stage = models.ForeignKey("workflows.Stage", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(_("决定"), max_length=12, choices=Outcome.choices)
    rationale = models.TextField(_("理由"), blank=True)
    next_steps = models.TextField(_("下一步（告知候选人）"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scorecards_considered = models.PositiveIntegerField(default=0)
    # A final decision (reject / hire) with no scorecard and no interview note must say so, with its own
    # reason; reports flag it (S1).
    without_evaluation = models.BooleanField(_("未经评估决定"), default=False)
    without_evaluation_reason = models.TextField(_("未经评估的原因"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "outcome", "created_at"])]


class FitRule(TenantOwnedModel):
    """``conditions``: {dimension: minimum mean score}. The first matching rule (by order) names the fit."""

    label = models.CharField(_("适合方向"), max_length=100)
    conditions = models.JSONField(_("条件"), default=dict)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
