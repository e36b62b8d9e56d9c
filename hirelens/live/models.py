"""The live interview room of one scheduled live interview (``scheduling.Interview``).

A room is created when the first person opens it (``services.room_for_interview``) and closes for good when
an interviewer ends it. Everything said and done in it is kept here: the timeline (``RoomEvent``), the
interviewers' annotations (``RoomNote``), the candidate's questions (``RoomQuestion``), incidents with their
messages (``RoomIncident``), and the recording (encrypted, like AI-interview answers) with its analysis.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.models import TenantOwnedModel


def recording_upload_to(instance, filename: str) -> str:
    return f"live/{instance.organization_id}/{instance.pk}/{filename}"


class LiveRoom(TenantOwnedModel):
    class State(models.TextChoices):
        WAITING = "waiting", _("等待开始")
        OPEN = "open", _("进行中")
        ENDED = "ended", _("已结束")

    class Analysis(models.TextChoices):
        NONE = "none", _("未分析")
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("分析中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("未录制")

    interview = models.OneToOneField("scheduling.Interview", on_delete=models.CASCADE, related_name="room")
    application = models.ForeignKey("candidates.Application", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.WAITING, db_index=True)
    voice_only = models.BooleanField(_("仅语音"), default=False)
    candidate_admitted = models.BooleanField(default=False)
    candidate_admitted_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # the candidate's consents in the room (same notices as the AI interview): {"recording": bool, "biometric": bool, ...}
    consents = models.JSONField(default=dict, blank=True)
    answer_language = models.CharField(_("回答语言"), max_length=4, default="auto")  # auto / zh / en, as the AI interview
    # the recording of the candidate's audio+video (and the interviewers' audio), only with recording consent
    recording = models.FileField(upload_to=recording_upload_to, blank=True, max_length=255)
    recording_size = models.BigIntegerField(default=0)
    recording_duration_s = models.FloatField(null=True, blank=True)
    recording_started_at = models.DateTimeField(null=True, blank=True, help_text="wall time of media time 0")
    recording_media = models.JSONField(default=dict, blank=True)
    live_summary = models.JSONField(null=True, blank=True)  # analysis.live.LiveSummary at the end
    analysis_status = models.CharField(max_length=10, choices=Analysis.choices, default=Analysis.NONE)
    analysis = models.JSONField(null=True, blank=True)
    analysis_error = models.CharField(max_length=300, blank=True)
    analysis_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        # the API's list pages rooms newest first within an organization (core.apitools.cursor_page)
        indexes = [models.Index(fields=["organization", "state"]),
                   models.Index(fields=["organization", "-created_at", "-id"], name="live_room_org_newest")]

    def __str__(self) -> str:
        return str(self.interview)

    @property
    def ai_declined(self) -> bool:
        """The candidate answered the consents and did not accept AI analysis: no AI signals in the room, none after."""
        return bool(self.consents) and not self.consents.get("ai_analysis")


class RoomEvent(TenantOwnedModel):
    """One line of the room's timeline: who joined, left, was admitted, reconnected, switched to voice only,
    an incident, the end. ``media_time_s`` places it on the recording when one runs."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_candidate = models.BooleanField(default=False)
    media_time_s = models.FloatField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["room", "created_at"])]


class RoomNote(TenantOwnedModel):
    """An interviewer's annotation: shared live with the other interviewers, never with the candidate."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("批注"), blank=True, max_length=2000)
    tags = models.JSONField(default=list, blank=True)  # quick tags, keys of services.NOTE_TAGS
    media_time_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class RoomQuestion(TenantOwnedModel):
    """A question the candidate typed in the room, and the interviewers' answer (text, or said aloud)."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("问题"), max_length=1000)
    media_time_s = models.FloatField(null=True, blank=True)
    answer = models.TextField(_("回答"), blank=True, max_length=2000)
    answered_by_voice = models.BooleanField(default=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def answered_aloud(self) -> bool:
        """The interviewers answered by saying it in the room, with no words written down."""
        return self.answered_by_voice and not self.answer


class RoomIncident(TenantOwnedModel):
    """One click of an interviewer on an incident, with the message it sent the candidate (delivery status
    comes from that message's deliveries)."""

    class Kind(models.TextChoices):
        NETWORK = "network", _("候选人网络不佳：发送备用链接")
        DEVICE = "device", _("摄像头或设备故障：切换为仅语音")
        LATE = "late", _("面试官迟到：通知候选人")
        SUBSTITUTE = "substitute", _("更换面试官：通知候选人")

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)  # backup url, new time, substitute's name, minutes late
    message = models.ForeignKey("messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    media_time_s = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
