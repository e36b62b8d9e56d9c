"""Interview processes (W1), stage permissions (W2) and each application's way through them.

A ``Process`` belongs to a position (or to the organization's library when ``position`` is empty).
It has at most one *draft* ``ProcessVersion`` that HR edits in the designer and any number of
*published* versions, which are never changed again. An application is pinned to the published
version it started with (``ApplicationProgress.version``), so publishing a new version never moves a
running candidate. ``Stage.key`` stays the same when a stage is copied into the next version, which
lets the board line up stages across versions.
"""

from __future__ import annotations

import uuid

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hirelens.core.models import TenantOwnedModel
from hirelens.core.roles import AssignmentRole
from hirelens.positions.models import Position


class ModuleType(models.TextChoices):
    AI_VIDEO = "ai_video", _("AI视频面试")
    CODING = "coding", _("在线编程")
    SCENARIO = "scenario", _("情景模拟")
    CASE_ANALYSIS = "case_analysis", _("战略分析")
    LIVE = "live", _("直播面试")
    QUESTIONNAIRE = "questionnaire", _("问卷")
    MATERIAL_UPLOAD = "material_upload", _("资料上传")


def new_key() -> str:
    return uuid.uuid4().hex[:12]


class Process(TenantOwnedModel):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, null=True, blank=True, related_name="processes")
    name = models.CharField(_("流程名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("用于新申请"), default=False)
    cloned_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    starter = models.CharField(_("来源模板"), max_length=32, blank=True)

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["position"], condition=Q(is_active=True), name="process_one_active_per_position"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessVersion(TenantOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("版本说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["process", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="process_version_number_unique"),
            models.UniqueConstraint(fields=["process"], condition=Q(status="draft"), name="process_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.process} v{self.number}" if self.number else f"{self.process} (draft)"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Stage(TenantOwnedModel):
    """One step of a process version. ``settings`` holds the module's own settings (see modules.py).

    Permissions: ``view_roles``/``view_users`` and ``score_roles``/``score_users`` name who may see and who
    may score this stage; the roles are the person's *assignment* roles on the position. Empty means
    "everyone on the position's panel" (see access.py for the exact rule).
    """

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(max_length=32, default=new_key, db_index=True)
    order = models.PositiveIntegerField(default=0)
    module = models.CharField(_("模块"), max_length=32, choices=ModuleType.choices)
    title = models.CharField(_("环节名称"), max_length=200)
    instructions = models.TextField(_("给候选人的说明"), blank=True)
    settings = models.JSONField(default=dict, blank=True)
    view_roles = models.JSONField(_("可查看的角色"), default=list, blank=True)
    score_roles = models.JSONField(_("可评分的角色"), default=list, blank=True)
    view_users = models.ManyToManyField(django_settings.AUTH_USER_MODEL, blank=True, related_name="+")
    score_users = models.ManyToManyField(django_settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["version", "order", "pk"]
        indexes = [models.Index(fields=["version", "order"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_restricted(self) -> bool:
        return bool(self.view_roles) or self.view_users.exists()


class StageAsset(TenantOwnedModel):
    """A file a stage offers (a question's prepared audio, a case document). Stored encrypted."""

    stage_key = models.CharField(max_length=32, db_index=True)
    file = models.FileField(upload_to="stage-assets/%Y/%m/", max_length=255)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)


class ApplicationProgress(TenantOwnedModel):
    """Where one application stands in the process version it started with."""

    class State(models.TextChoices):
        ACTIVE = "active", _("进行中")
        ON_HOLD = "on_hold", _("暂停")
        COMPLETED = "completed", _("流程完成")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    application = models.OneToOneField("candidates.Application", on_delete=models.CASCADE, related_name="progress")
    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="progresses")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.ACTIVE)

    # Which moves each state allows: the pipeline services refuse by these, the board and the progress page offer
    # by these (issue 23 §7: the rule has one home, not one per template).
    OPEN_STATES = frozenset({State.ACTIVE, State.ON_HOLD})  # still running: a hire may complete it
    MOVABLE_STATES = OPEN_STATES | {State.COMPLETED}  # not ended: reject, withdraw, or put on a stage

    class Meta:
        # the board's stage columns: one stage's applications, last move first (selectors.position_board)
        indexes = [models.Index(fields=["organization", "state"]),
                   models.Index(fields=["stage", "-updated_at", "-id"], name="progress_board_order")]

    @property
    def is_open(self) -> bool:
        """Active or on hold: the process still runs."""
        return self.state in self.OPEN_STATES

    @property
    def can_move(self) -> bool:
        """Not rejected or withdrawn: HR may still reject, withdraw or put it on a stage."""
        return self.state in self.MOVABLE_STATES

    @property
    def can_advance(self) -> bool:
        """Active: it may go to the next stage or be put on hold."""
        return self.state == self.State.ACTIVE

    @property
    def can_resume(self) -> bool:
        """On hold: it may be resumed."""
        return self.state == self.State.ON_HOLD


class PipelineEvent(TenantOwnedModel):
    """Every move of an application, by a person, with a reason: the pipeline part of the timeline."""

    class Action(models.TextChoices):
        START = "start", _("开始流程")
        ADVANCE = "advance", _("进入下一环节")
        MOVE = "move", _("调整环节")
        HOLD = "hold", _("暂停")
        RESUME = "resume", _("恢复")
        REJECT = "reject", _("不通过")
        WITHDRAW = "withdraw", _("撤回")
        COMPLETE = "complete", _("完成流程")
        SCORE = "score", _("记录环节得分")

    progress = models.ForeignKey(ApplicationProgress, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("原因"), blank=True)
    actor = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]


class StageResult(TenantOwnedModel):
    """The score of one stage for one application (e.g. an imported coding-test score)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("人工录入")
        API = "api", _("接口导入")
        UPLOAD = "upload", _("文件导入")

    progress = models.ForeignKey(ApplicationProgress, on_delete=models.CASCADE, related_name="results")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="results")
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=2, default=100)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    comment = models.TextField(_("说明"), blank=True)
    external_ref = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["progress", "stage"], name="stage_result_unique")]


ASSIGNMENT_ROLE_VALUES = tuple(AssignmentRole.values)
