"""The asynchronous AI video interview (I1): sessions, consents, answers and their uploaded chunks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.candidates.models import Application
from hirelens.core.fields import EncryptedTextField
from hirelens.core.models import Organization, TenantOwnedModel
from hirelens.core.tokens import LinkKind, link_kind


class ConsentNotice(models.Model):
    """A versioned notice text. Organization-specific notices override the platform's (organization null)."""

    class Kind(models.TextChoices):
        RECORDING = "recording", _("录音录像")
        AI_ANALYSIS = "ai_analysis", _("AI分析")
        BIOMETRIC = "biometric", _("面部/生物特征分析")
        # what the invitation says before the interview (issue 20): AI is used, what it measures, how, the alternative
        INVITATION_AI = "invitation_ai", _("邀请中的AI使用说明")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField()
    text_zh = models.TextField()
    text_en = models.TextField()
    required = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "version"], name="consent_notice_version_unique")]
        ordering = ["kind", "-version"]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


def _questions_default():
    return []


class InterviewSession(TenantOwnedModel):
    """One candidate's run through an AI-video stage. The question plan is a snapshot: changing the
    process later never changes an interview already sent."""

    class State(models.TextChoices):
        INVITED = "invited", _("已邀请")
        STARTED = "started", _("已开始")
        ANSWERING = "answering", _("作答中")
        SUBMITTED = "submitted", _("已提交")
        ANALYSED = "analysed", _("已分析")
        CANCELLED = "cancelled", _("已取消")

    # the states in which the candidate still answers and changes their choices (services.sessions.OPEN_STATES)
    OPEN_STATES = (State.INVITED, State.STARTED, State.ANSWERING)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interview_sessions")
    # The AI-video stage of the process this session runs (W1/W2: its permissions apply to the answers).
    stage = models.ForeignKey("workflows.Stage", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("环节"), max_length=200, default="AI视频面试")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.INVITED, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # The link's token itself, encrypted at rest (AES-GCM, like every personal field): a re-sent invitation and the
    # candidate portal's "start" button carry the same link. Lookups still go through token_hash.
    link_token = EncryptedTextField(blank=True)
    # what to prepare (one item per line), copied from the AI-video stage's settings when the interview is sent
    materials = models.TextField(_("需准备的资料"), blank=True)
    invitations_sent = models.PositiveIntegerField(_("邀请发送次数"), default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # [{"text": str, "prep_s": int, "answer_s": int, "retakes": int}]
    questions = models.JSONField(default=_questions_default)
    practice_question = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")

    class AnswerLanguage(models.TextChoices):
        AUTO = "auto", _("按每个回答自动识别（含中英混说）")
        ZH = "zh", _("普通话")
        EN = "en", _("英语")

    # the language the answers are transcribed in (the invitation's language above is the candidate's UI language)
    answer_language = models.CharField(_("回答语言"), max_length=4, choices=AnswerLanguage.choices, default=AnswerLanguage.AUTO)
    # accommodations (per candidate)
    extra_prep_s = models.PositiveIntegerField(_("额外准备时间（秒）"), default=0)
    text_answers_allowed = models.BooleanField(_("允许文字作答"), default=False)
    # consent: {"recording": {"version": 1, "at": iso}, ...}; biometric may be declined
    consents = models.JSONField(default=dict, blank=True)
    biometric_allowed = models.BooleanField(default=False)

    class AiAnalysis(models.TextChoices):
        PENDING = "pending", _("尚未选择")
        ACCEPTED = "accepted", _("同意AI辅助分析")
        DECLINED = "declined", _("由面试官人工评估")

    # the candidate's choice on the consent step (issue 20): declined = recordings reviewed by people only, no analysis
    ai_analysis = models.CharField(_("AI分析"), max_length=10, choices=AiAnalysis.choices, default=AiAnalysis.PENDING)
    # the invitation notice the candidate was sent: {"kind": "invitation_ai", "version": n, "organization": bool, "at": iso}
    invitation_notice = models.JSONField(default=dict, blank=True)
    # advance notice (issue 20): the interview cannot be started before this moment (e.g. 10 business days, NYC)
    opens_at = models.DateTimeField(_("开放时间"), null=True, blank=True)
    # accommodation granted by HR: added to every question's answer time
    extra_answer_s = models.PositiveIntegerField(_("额外作答时间（秒）"), default=0)
    audio_only = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"session #{self.pk}"

    @property
    def is_open(self) -> bool:
        """Not submitted, analysed or cancelled, and its link not withdrawn: the candidate may still answer and change
        their choices, and HR may send the invitation again."""
        return self.revoked_at is None and self.state in self.OPEN_STATES

    @property
    def ai_declined(self) -> bool:
        """The candidate chose no AI analysis: people review the recordings, nothing is analysed (issue 20)."""
        return self.ai_analysis == self.AiAnalysis.DECLINED


# The candidate's link (core/tokens.py): a cancelled interview withdraws it; once submitted it keeps opening after the
# deadline (the candidate's "done" page and their choices stay reachable).
SESSION_LINK = link_kind(LinkKind(
    name="interviews.session", model=InterviewSession, select_related=("application__position", "application__candidate"),
    withdrawn=lambda s: s.state == InterviewSession.State.CANCELLED,
    outlives_expiry=lambda s: s.state in (InterviewSession.State.SUBMITTED, InterviewSession.State.ANALYSED),
    candidate=lambda s: s.application.candidate, words=_("AI视频面试链接")))


def answer_upload_to(instance, filename: str) -> str:
    import uuid

    return f"org{instance.organization_id}/answers/{uuid.uuid4().hex}.{instance.extension}"


class Answer(TenantOwnedModel):
    class Kind(models.TextChoices):
        VIDEO = "video", _("视频")
        AUDIO = "audio", _("仅音频")
        TEXT = "text", _("文字")

    class Status(models.TextChoices):
        RECORDING = "recording", _("录制中")
        COMPLETE = "complete", _("已完成")
        FAILED = "failed", _("失败")
        DISCARDED = "discarded", _("已重录")

    class Analysis(models.TextChoices):
        NONE = "none", _("未开始")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("分析中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="answers")
    question_index = models.IntegerField(help_text="-1 is the practice question")
    attempt = models.PositiveIntegerField(default=1)
    technical_retake = models.BooleanField(default=False)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.VIDEO)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECORDING, db_index=True)
    mime_type = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)
    recording = models.FileField(upload_to=answer_upload_to, blank=True, max_length=255)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    media = models.JSONField(default=dict, blank=True)  # codecs, resolution, streams, as PyAV saw them
    failure = models.CharField(max_length=300, blank=True)
    analysis_status = models.CharField(max_length=10, choices=Analysis.choices, default=Analysis.NONE)
    analysis_error = models.CharField(max_length=300, blank=True, help_text="technical detail, for operators")
    # what HR reads is chosen from this code in the reader's language (analysis_display.analysis_error_text)
    analysis_error_code = models.CharField(max_length=32, blank=True)
    analysis = models.JSONField(null=True, blank=True)
    # Durable analysis (issue 15): a worker claims the answer with a lease it renews while it works; a
    # sweep re-queues an expired lease. Every claim counts an attempt, which also fences a stale worker's result.
    analysis_lease_until = models.DateTimeField(null=True, blank=True)
    analysis_attempts = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Technical interruptions of this take, shown to HR (issue 19): [{"kind": "page" | "offline", "at": iso,
    # "recorded_s": float, "offline_s": float (offline only), "choice": "keep" | "again" | "continued" (page only, once chosen)}].
    # A take recorded again after an interruption carries the earlier take's list on.
    interruptions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["session", "question_index", "attempt"]
        indexes = [models.Index(fields=["session", "question_index"])]

    @property
    def extension(self) -> str:
        return "mp4" if "mp4" in self.mime_type else "webm"


class UploadChunk(TenantOwnedModel):
    """A piece of an answer as it arrives (encrypted like every stored file). Idempotent by (answer, index)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    offset = models.BigIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.FileField(upload_to="chunks/", max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "index"], name="upload_chunk_unique")]
        ordering = ["answer", "index"]


class CandidateRequest(TenantOwnedModel):
    """A candidate's request about their AI interview (issue 20): an accommodation (extra time, text answers, another
    format, a live interview instead, other) or a human review of a decision. HR answers it; the candidate is told."""

    class Kind(models.TextChoices):
        EXTRA_TIME = "extra_time", _("延长作答时间")
        TEXT_ANSWERS = "text_answers", _("以文字作答")
        OTHER_FORMAT = "other_format", _("其他面试形式")
        LIVE_INTERVIEW = "live_interview", _("改为真人面试")
        OTHER = "other", _("其他便利安排")
        HUMAN_REVIEW = "human_review", _("人工复核决定")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        GRANTED = "granted", _("已同意")
        DECLINED = "declined", _("未同意")

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    details = EncryptedTextField(_("说明"), blank=True, plaintext_max_length=2000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = EncryptedTextField(_("答复"), blank=True, plaintext_max_length=2000)
    extra_seconds = models.PositiveIntegerField(_("增加的作答时间（秒）"), default=0)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    # a granted "live interview instead": the booking link sent to the candidate (scheduling's self-booking); the
    # interview they book with it (or HR schedules) is the application's first interview since ``answered_at``
    booking_link = models.ForeignKey("scheduling.InterviewLink", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"])]

    @property
    def is_review(self) -> bool:
        return self.kind == self.Kind.HUMAN_REVIEW

    @property
    def is_open(self) -> bool:
        """HR has not answered it yet."""
        return self.status == self.Status.OPEN

    @property
    def is_live_arranged(self) -> bool:
        """A granted "live interview instead": a live interview replaces the AI interview (``choice.request_answer``)."""
        return self.kind == self.Kind.LIVE_INTERVIEW and self.status == self.Status.GRANTED
