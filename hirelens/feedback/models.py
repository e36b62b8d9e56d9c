"""Automatic result feedback (V2) and satisfaction surveys (V3).

* ``FeedbackRule``: per organization, optionally per position and stage (``stage_key`` is stable across
  process versions): the deadline (default 24 h), whether shareable scores go out, next steps per outcome.
* ``FeedbackCase``: one promise — "you hear from us within N hours" — for one application and stage.
  ``first_sent_at ≤ due_at`` means the promise was kept (a result, or a "still under review" update).
* ``Survey`` / ``SurveyResponse``: a one-time, expiring link (only a hash of its token is stored) and
  the answers. ``SurveyRule``: "over X % of responses say Y" → a suggestion shown to HR.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.fields import EncryptedTextField
from hirelens.core.models import TenantOwnedModel
from hirelens.core.tokens import LinkKind, link_kind

DEFAULT_DEADLINE_HOURS = 24
MIN_GROUP = 5  # survey results are shown only for groups of at least this many answers


class FeedbackRule(TenantOwnedModel):
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    stage_key = models.CharField(_("环节"), max_length=32, blank=True, help_text=_("为空表示所有环节"))
    deadline_hours = models.PositiveIntegerField(_("反馈时限（小时）"), default=DEFAULT_DEADLINE_HOURS)
    update_before_hours = models.PositiveIntegerField(_("截止前多少小时发送“仍在评估”"), default=2)
    share_scores = models.BooleanField(_("告知可分享的分数"), default=True)
    next_steps_advance = models.TextField(_("进入下一轮时的下一步"), blank=True)
    next_steps_hold = models.TextField(_("待定时的下一步"), blank=True)
    next_steps_reject = models.TextField(_("未通过时的下一步"), blank=True)
    send_survey = models.BooleanField(_("发送满意度调查"), default=True)

    class Meta:
        ordering = ["position_id", "stage_key"]


class FeedbackCase(TenantOwnedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("待反馈")
        UPDATED = "updated", _("已告知仍在评估")
        SENT = "sent", _("已发送结果")

    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="feedback_cases")
    stage = models.ForeignKey("workflows.Stage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    stage_key = models.CharField(max_length=32, blank=True)
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    update_sent_at = models.DateTimeField(null=True, blank=True)
    result_sent_at = models.DateTimeField(null=True, blank=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey("evaluations.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["application", "stage_key"], name="feedback_case_one_per_stage")]
        indexes = [models.Index(fields=["organization", "opened_at"])]

    @property
    def kept(self) -> bool | None:
        """The promise is a result by the deadline; a holding update does not keep it."""
        if self.result_sent_at is None:
            return None
        return self.result_sent_at <= self.due_at


class Survey(TenantOwnedModel):
    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="surveys")
    stage_key = models.CharField(max_length=32, blank=True)
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    # Answered or not (stops repeated reminders), never when nor what: the answers are stored without the link (issue 20)
    answered = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["application", "stage_key"], name="survey_one_per_stage")]


# The survey's link (core/tokens.py): one-time (answered), not withdrawn by anyone (no revocation column).
SURVEY_LINK = link_kind(LinkKind(name="feedback.survey", model=Survey, revoked_field=None, used_field="answered",
                                 select_related=("position", "application__candidate")))


class SurveyResponse(TenantOwnedModel):
    class Length(models.TextChoices):
        TOO_SHORT = "too_short", _("太短")
        JUST_RIGHT = "just_right", _("合适")
        TOO_LONG = "too_long", _("太长")

    class Stability(models.TextChoices):
        STABLE = "stable", _("稳定")
        MINOR = "minor", _("偶有卡顿")
        UNSTABLE = "unstable", _("不稳定")

    # Anonymous in fact (issue 20): no link to the survey, the application or the candidate; only what groups the
    # answers (position, stage, month). Results are shown only for groups of at least MIN_GROUP answers.
    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="+")
    stage_key = models.CharField(max_length=32, blank=True)
    period = models.DateField(help_text="the first day of the month the answer came in")
    process_length = models.CharField(_("流程时长"), max_length=12, choices=Length.choices)
    stability = models.CharField(_("系统稳定性"), max_length=12, choices=Stability.choices)
    professionalism = models.PositiveSmallIntegerField(_("面试官专业程度"))  # 1..5
    nps = models.PositiveSmallIntegerField(_("推荐意愿"))  # 0..10
    comment = EncryptedTextField(_("其他意见"), blank=True, plaintext_max_length=2000)

    class Meta:
        ordering = ["-period", "pk"]
        indexes = [models.Index(fields=["organization", "period"], name="feedback_su_org_period_idx")]


class SurveyRule(TenantOwnedModel):
    class Metric(models.TextChoices):
        TOO_LONG = "too_long", _("认为流程太长的比例")
        UNSTABLE = "unstable", _("认为系统不稳定的比例")
        LOW_PROFESSIONALISM = "low_professionalism", _("认为面试官不专业（1–2 分）的比例")
        DETRACTORS = "detractors", _("贬损者（推荐意愿 0–6）的比例")

    metric = models.CharField(_("指标"), max_length=24, choices=Metric.choices)
    threshold_pct = models.PositiveSmallIntegerField(_("阈值（%）"))
    min_responses = models.PositiveSmallIntegerField(_("最少答卷数"), default=5)
    per_position = models.BooleanField(_("按职位统计"), default=True)
    suggestion = models.CharField(_("建议"), max_length=300, blank=True)  # typed by HR, in their words
    # A suggestion the system wrote (the seeded rules): a code, written in the reader's language when shown.
    suggestion_code = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["metric", "threshold_pct"]

    SUGGESTIONS = {
        "shorten_ai_rounds": _("超过 %(threshold)s%% 的候选人认为流程太长：建议减少该职位的AI面试轮次。"),
        "check_system": _("超过 %(threshold)s%% 的候选人反映系统不稳定：请检查面试系统（网络、上传、视频）。"),
    }

    @property
    def suggestion_text(self) -> str:
        """HR's own words as typed; a system suggestion in the reader's language."""
        template = self.SUGGESTIONS.get(self.suggestion_code)
        if template is None:
            return self.suggestion
        return str(template) % {"threshold": self.threshold_pct}
