from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hirelens.core.fields import BlindIndexField, EncryptedTextField
from hirelens.core.models import TenantOwnedModel
from hirelens.positions.models import Position

# Fields holding personal data: reading them is audited, and they are encrypted at rest.
PERSONAL_FIELDS = ("full_name", "phone", "email", "id_number", "address")


def _random_name(instance, folder: str, filename: str) -> str:
    # Random names: the original filename can itself be personal data.
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"org{instance.organization_id}/{folder}/{uuid.uuid4().hex}.{suffix}"


def resume_upload_to(instance, filename: str) -> str:
    return _random_name(instance, "resumes", filename)


def document_upload_to(instance, filename: str) -> str:
    return _random_name(instance, "documents", filename)


def report_upload_to(instance, filename: str) -> str:
    return _random_name(instance, "background", filename)


class Tag(TenantOwnedModel):
    name = models.CharField(_("标签"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="candidate_tag_unique")]

    def __str__(self) -> str:
        return self.name


class Skill(TenantOwnedModel):
    """The organization's skill dictionary: resumes are matched against names and aliases."""

    name = models.CharField(_("技能"), max_length=100)
    aliases = models.JSONField(_("别名"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="candidate_skill_unique")]

    def __str__(self) -> str:
        return self.name


class Candidate(TenantOwnedModel):
    """One person's record: contact data, resume, documents, history, applications, timeline."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("手动录入")
        WEBSITE = "website", _("官网投递")
        REFERRAL = "referral", _("内部推荐")
        JOB_BOARD = "job_board", _("招聘网站")
        CAMPUS = "campus", _("校园招聘")
        HEADHUNTER = "headhunter", _("猎头")
        WECHAT = "wechat", _("微信")
        IMPORT = "import", _("数据导入")
        API = "api", _("API 同步")

    class ResumeStatus(models.TextChoices):
        NONE = "none", _("未上传")
        PARSED = "parsed", _("已解析")
        NO_TEXT = "no_text", _("扫描件（无文字）")

    full_name = EncryptedTextField(_("姓名"), plaintext_max_length=200)
    phone = EncryptedTextField(_("手机号"), blank=True, plaintext_max_length=40)
    email = EncryptedTextField(_("邮箱"), blank=True, plaintext_max_length=254)
    id_number = EncryptedTextField(_("身份证号"), blank=True, plaintext_max_length=32)
    address = EncryptedTextField(_("地址"), blank=True, plaintext_max_length=300)
    phone_index = BlindIndexField(source="phone", kind="phone")
    email_index = BlindIndexField(source="email", kind="email")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    resume = models.FileField(_("简历"), upload_to=resume_upload_to, blank=True, max_length=255)
    resume_name = EncryptedTextField(_("简历文件名"), blank=True)
    resume_content_type = models.CharField(max_length=100, blank=True)
    resume_text = EncryptedTextField(_("简历文本"), blank=True)
    resume_parsed_json = EncryptedTextField(blank=True)
    resume_status = models.CharField(_("简历状态"), max_length=16, choices=ResumeStatus.choices, default=ResumeStatus.NONE)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL, db_index=True)
    skills = models.JSONField(_("技能"), default=list, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="candidates", verbose_name=_("标签"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"]), models.Index(fields=["organization", "-updated_at"]),
                   # the duplicates page groups one organization's records by each blind index: a covering index scan
                   # (SQLite, 100,000 records: 918 ms -> about 70 ms a field) instead of a lookup of every row
                   models.Index(fields=["organization", "phone_index"], name="candidate_org_phone"),
                   models.Index(fields=["organization", "email_index"], name="candidate_org_email"),
                   models.Index(fields=["organization", "id_number_index"], name="candidate_org_id_number")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def resume_parsed(self) -> dict:
        return json.loads(self.resume_parsed_json) if self.resume_parsed_json else {}


class SearchToken(models.Model):
    """Keyed hash of one word of a candidate's searchable text (see ``search.py``)."""

    organization_id = models.BigIntegerField()
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    token = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization_id", "token", "candidate"], name="cand_search_token")]

    def __str__(self) -> str:
        return f"{self.candidate_id}:{self.token}"


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
        # the API's and lists' newest-first keyset pages (created_at, then id) and the funnel's period scans
        indexes = [models.Index(fields=["organization", "-created_at", "-id"], name="application_org_created"),
                   # the evaluations index's keyset pages: newest change first
                   models.Index(fields=["organization", "-updated_at", "-id"], name="application_org_updated"),
                   # one position's board: its counts, and its "not started" column newest first (workflows.selectors)
                   models.Index(fields=["organization", "position", "-created_at", "-id"], name="application_board_order")]

    @property
    def is_open(self) -> bool:
        """Not decided (hired, rejected) or withdrawn: recruiting still runs, so the pages offer HR an AI interview for it."""
        return self.status == self.Status.ACTIVE


class Document(TenantOwnedModel):
    """Education proofs, certificates and other files of a candidate, with their review."""

    class Type(models.TextChoices):
        EDUCATION = "education", _("学历证明")
        DEGREE = "degree", _("学位证书")
        CERTIFICATE = "certificate", _("资格证书")
        EMPLOYMENT = "employment", _("离职/在职证明")
        PORTFOLIO = "portfolio", _("作品集")
        OTHER = "other", _("其他")

    class Review(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("类型"), max_length=16, choices=Type.choices, default=Type.OTHER)
    file = models.FileField(upload_to=document_upload_to, max_length=255)
    filename = EncryptedTextField(_("文件名"), plaintext_max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    review_status = models.CharField(_("审核状态"), max_length=16, choices=Review.choices, default=Review.PENDING)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_by_candidate = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]


class WorkExperience(TenantOwnedModel):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="work_history")
    employer = EncryptedTextField(_("公司"), plaintext_max_length=200)
    title = EncryptedTextField(_("职务"), blank=True, plaintext_max_length=200)
    start_year = models.PositiveSmallIntegerField(_("开始年份"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("结束年份"), null=True, blank=True)
    current = models.BooleanField(_("至今"), default=False)
    description = EncryptedTextField(_("描述"), blank=True, plaintext_max_length=4000)

    class Meta:
        ordering = ["-current", "-start_year", "-id"]


class Project(TenantOwnedModel):
    """A project with measurable results: ``results`` is a list of {label, value (decimal string), unit}."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="projects")
    name = EncryptedTextField(_("项目名称"), plaintext_max_length=200)
    role = EncryptedTextField(_("担任角色"), blank=True, plaintext_max_length=200)
    description = EncryptedTextField(_("项目描述"), blank=True, plaintext_max_length=4000)
    start_year = models.PositiveSmallIntegerField(_("开始年份"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("结束年份"), null=True, blank=True)
    results = models.JSONField(_("成果数据"), default=list, blank=True)

    class Meta:
        ordering = ["-start_year", "-id"]


class Education(TenantOwnedModel):
    """One school of a candidate (filled by hand or from a reviewed resume: services/resume_apply.py)."""

    class Degree(models.TextChoices):
        DOCTORATE = "doctorate", _("博士")
        MASTER = "master", _("硕士")
        BACHELOR = "bachelor", _("本科")
        ASSOCIATE = "associate", _("大专")
        OTHER = "", _("其他")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="education")
    school = EncryptedTextField(_("学校"), plaintext_max_length=200)
    degree = models.CharField(_("学历"), max_length=16, choices=Degree.choices, blank=True)
    major = EncryptedTextField(_("专业"), blank=True, plaintext_max_length=100)
    start_year = models.PositiveSmallIntegerField(_("开始年份"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("结束年份"), null=True, blank=True)

    class Meta:
        ordering = ["-end_year", "-start_year", "-id"]


class BackgroundCheck(TenantOwnedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("已发起")
        IN_PROGRESS = "in_progress", _("进行中")
        CLEAR = "clear", _("无异常")
        FLAGGED = "flagged", _("有异常")
        CANCELLED = "cancelled", _("已取消")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="background_checks")
    provider = models.CharField(_("服务商"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    result = EncryptedTextField(_("结果"), blank=True, plaintext_max_length=4000)
    report = models.FileField(upload_to=report_upload_to, blank=True, max_length=255)
    report_name = EncryptedTextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class TimelineEvent(TenantOwnedModel):
    """One event in a candidate's life cycle. ``params`` never holds personal data (field names, titles,
    ids): the text is rendered from ``kind`` at display time, in the reader's language."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_candidate = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["candidate", "-created_at"])]


class CandidateMerge(TenantOwnedModel):
    """A duplicate record folded into ``primary`` (services/merge.py).

    ``snapshot`` (encrypted JSON) holds what undo needs for ``MERGE_UNDO_DAYS``: the deleted rows serialized, the
    ids of the rows moved per model, the primary's values before. The daily purge clears it afterwards.
    ``discarded`` (encrypted JSON) keeps the values nobody chose, for the kept record's history, for good."""

    primary = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="merges")
    duplicate_id = models.BigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField()
    snapshot = EncryptedTextField(blank=True)
    discarded = EncryptedTextField(blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        indexes = [models.Index(fields=["organization", "merged_at"])]
