"""Interview slots, interviewer availability, scheduled interviews and their signed links (W3).

All instants are stored in UTC; ``time_zone`` says in which zone the slot was planned (the position's),
so pages can show both that and the viewer's own zone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from hirelens.core.models import TenantOwnedModel
from hirelens.core.tokens import LinkKind, link_kind
from hirelens.positions.models import Position


class Availability(TenantOwnedModel):
    """A window in which an interviewer can interview. Someone with no windows is treated as always free."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availabilities")
    start_at = models.DateTimeField(_("开始"))
    end_at = models.DateTimeField(_("结束"))
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")

    class Meta:
        ordering = ["start_at"]
        indexes = [models.Index(fields=["user", "start_at"])]
        constraints = [models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="availability_positive")]


class InterviewSlot(TenantOwnedModel):
    """A time offered to candidates of a position (optionally to one application only)."""

    class Status(models.TextChoices):
        OPEN = "open", _("可预约")
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="slots")
    stage = models.ForeignKey("workflows.Stage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="+", help_text=_("为空表示该职位的任何候选人都可以预约"))
    start_at = models.DateTimeField(_("开始"))
    end_at = models.DateTimeField(_("结束"))
    time_zone = models.CharField(_("时区"), max_length=64)
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["start_at"]
        indexes = [models.Index(fields=["organization", "position", "status", "start_at"])]
        constraints = [models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="slot_positive")]

    @property
    def is_open(self) -> bool:
        """Offered and not booked: HR may still withdraw it (``services.slot_cancel``, the position page)."""
        return self.status == self.Status.OPEN


class InterviewQuerySet(models.QuerySet):
    """The SQL side of ``Interview.is_open`` / ``Interview.is_pending``: built from the same constants, so a filter and
    the Python check cannot drift apart (issue 23 §7)."""

    def open(self) -> InterviewQuerySet:
        return self.filter(status__in=Interview.OPEN_STATUSES)

    def pending(self, *, now=None) -> InterviewQuerySet:
        return self.open().filter(end_at__gt=now or timezone.now())


class Interview(TenantOwnedModel):
    """A scheduled meeting of one application (a live interview or a deadline for an async stage)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        CANCELLED = "cancelled", _("已取消")
        COMPLETED = "completed", _("已完成")

    #: the one definition of "open", shared by ``is_open`` and ``Interview.objects.open()``
    OPEN_STATUSES = (Status.SCHEDULED,)

    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="interviews")
    stage = models.ForeignKey("workflows.Stage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    slot = models.ForeignKey(InterviewSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="interviews")
    title = models.CharField(_("标题"), max_length=200)
    start_at = models.DateTimeField(_("开始"))
    end_at = models.DateTimeField(_("结束"))
    time_zone = models.CharField(_("时区"), max_length=64)
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="scheduled_interviews", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.CharField(max_length=100, unique=True, default="")
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: +1 on every change sent out")
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["start_at"]
        indexes = [
            models.Index(fields=["organization", "status", "start_at"]),
            models.Index(fields=["status", "start_at", "end_at"]),
            # the interview lists' keyset order (soonest or latest first): a page stops after its rows
            models.Index(fields=["organization", "start_at", "id"], name="interview_org_start"),
        ]
        constraints = [models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="interview_positive")]

    def save(self, *args, **kwargs):
        if not self.uid:
            self.uid = f"{uuid.uuid4().hex}@hirelens"
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Scheduled (not cancelled or completed): it may be rescheduled, cancelled or completed, its links issued and
        its live room entered. The services refuse by it and the pages offer by it (issue 23 §7)."""
        return self.status in self.OPEN_STATUSES

    def is_pending(self, *, now=None) -> bool:
        """Open and not over yet (to be held or under way): a link may still be sent for it, the portal offers it and
        the help desk keeps its ticket actionable. ``Interview.objects.pending()`` is the same rule in SQL."""
        return self.is_open and self.end_at > (now or timezone.now())

    @property
    def is_live(self) -> bool:
        """Held in a room (hirelens.live): an interview of a live stage, or one HR scheduled without a stage."""
        from hirelens.workflows.modules import find_module_spec

        if self.stage_id is None:
            return True
        spec = find_module_spec(self.stage.module)
        return spec is not None and spec.live_room

    @property
    def display_title(self) -> str:
        """The title in the reader's language. A title the system made ("面试 · 销售代表": no stage, no title given;
        or one stored in another language) is rebuilt with the active language's word; a title HR typed or a
        stage's name is shown as it is."""
        word = self.default_word()
        return f"{word} · {self.application.position.title}" if word is not None else self.title

    @property
    def own_name(self) -> str:
        """What the title says besides the position: "复试" of "复试 · 销售代表", "" for the default title (the
        kind of interview already says it), the whole title when it does not name the position."""
        if self.default_word() is not None:
            return ""
        suffix = f" · {self.application.position.title}"
        return self.title[: -len(suffix)] if self.title.endswith(suffix) else self.title

    def default_word(self) -> str | None:
        """The active language's word for an interview when the title is the default one, else None."""
        from django.utils import translation

        suffix = f" · {self.application.position.title}"
        if not self.title.endswith(suffix):
            return None
        head = self.title[: -len(suffix)]
        known = {DEFAULT_TITLE_WORD, "Interview", "Interviews"}  # stored by earlier versions in HR's language
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                known.add(interview_word())
        return interview_word() if head in known else None


DEFAULT_TITLE_WORD = "面试"  # the stored default title is "面试 · <position>" (untranslated); shown in the reader's language


def interview_word() -> str:
    return pgettext("面试标题", "面试")


class InterviewLink(TenantOwnedModel):
    """An expiring, revocable link (core/tokens.py: a random token, only its hash stored, shown once)."""

    class Kind(models.TextChoices):
        CANDIDATE = "candidate", _("候选人链接")
        INTERVIEWER = "interviewer", _("面试官链接")
        BACKUP = "backup", _("备用链接")
        BOOKING = "booking", _("预约链接")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, null=True, blank=True, related_name="links")
    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # SHA-256 of the token; for a link issued before the one scheme (a signed {id, secret}), of its secret
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


INTERVIEW_LINK = link_kind(LinkKind(name="scheduling.link", model=InterviewLink, legacy_signed=True,
                                    select_related=("interview", "application__position", "application__candidate", "user"),
                                    # an interviewer's link names no candidate: it builds no LinkActor
                                    candidate=lambda link: None if link.kind == InterviewLink.Kind.INTERVIEWER
                                    else link.application.candidate,
                                    words=_("面试安排链接")))
