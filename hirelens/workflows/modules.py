"""The stage modules: one ``ModuleSpec`` per kind of stage (the registry ``MODULES``) and the shape of each module's
``Stage.settings``. Code that depends on the kind asks ``module_spec(stage.module)``, never compares the name.

Stored format (what the interview, analysis and portal apps read):

``ai_video``      {"questions": [{"id", "text", "audio_asset_id"|null, "prep_seconds", "answer_seconds", "retakes"}],
                   "practice": {"text", "prep_seconds", "answer_seconds"} | null, "materials": "one item per line"}
``scenario``      {"brief", "counterpart", "prep_seconds", "answer_seconds", "retakes"}
``case_analysis`` {"case", "answer_formats": ["video"|"text"|"file", ...], "time_limit_minutes", "answer_seconds"}
``coding``        {"mode": "external"|"builtin", "platform_url", "score_import": "api"|"upload", "max_score",
                   "language", "task", "starter_code", "time_limit_minutes"}
``live``          {"duration_minutes", "notes", "backup_url": external meeting URL (http/https) sent when the candidate's
                   network fails (empty: a backup link to the room itself), "ice_breakers": ["warm-up prompt", ...]}
``questionnaire`` {"questions": [{"id", "text", "kind": "text"|"choice"|"scale", "options": [...]}]}
``material_upload`` {"instructions", "accepted_types": [".pdf", ...], "max_size_mb", "presentation_minutes"}

Drafts may be incomplete (a question without a time limit yet); ``publish_problems`` is the strict check.
Times are seconds unless the key says minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError

from . import forms
from .models import ModuleType


def _qid() -> str:
    return uuid.uuid4().hex[:8]


class _Base(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class VideoQuestion(_Base):
    id: str = Field(default_factory=_qid, max_length=16)
    text: str = Field("", max_length=2000)
    audio_asset_id: int | None = None
    prep_seconds: int | None = Field(None, ge=0, le=900)
    answer_seconds: int | None = Field(None, ge=10, le=3600)
    retakes: int = Field(0, ge=0, le=10)


class PracticeQuestion(_Base):
    text: str = Field("", max_length=2000)
    prep_seconds: int | None = Field(30, ge=0, le=900)
    answer_seconds: int | None = Field(60, ge=10, le=3600)


class AiVideoSettings(_Base):
    questions: list[VideoQuestion] = Field(default_factory=list, max_length=50)
    practice: PracticeQuestion | None = None
    # what the candidate should prepare, one item per line (listed in the invitation and the reminders)
    materials: str = Field("", max_length=2000)


class ScenarioSettings(_Base):
    brief: str = Field("", max_length=5000)
    counterpart: str = Field("", max_length=200)
    prep_seconds: int | None = Field(60, ge=0, le=1800)
    answer_seconds: int | None = Field(300, ge=10, le=3600)
    retakes: int = Field(0, ge=0, le=10)


class CaseSettings(_Base):
    case: str = Field("", max_length=20000)
    answer_formats: list[Literal["video", "text", "file"]] = Field(default_factory=lambda: ["text"])
    time_limit_minutes: int | None = Field(60, ge=1, le=24 * 60)
    answer_seconds: int | None = Field(None, ge=10, le=3600)


class CodingSettings(_Base):
    mode: Literal["external", "builtin"] = "external"
    platform_url: str = Field("", max_length=500)
    score_import: Literal["api", "upload"] = "upload"
    max_score: int = Field(100, ge=1, le=10000)
    language: str = Field("python", max_length=40)
    task: str = Field("", max_length=20000)
    starter_code: str = Field("", max_length=20000)
    time_limit_minutes: int | None = Field(60, ge=5, le=24 * 60)


MAX_ICE_BREAKERS = 20


class LiveSettings(_Base):
    duration_minutes: int = Field(45, ge=5, le=480)
    notes: str = Field("", max_length=5000)
    # an external meeting (e.g. Tencent Meeting) for a candidate whose network fails in the room; empty: a
    # fresh backup link to the room itself (live/incidents.py)
    backup_url: str = Field("", max_length=500)
    # warm-up prompts shown to the interviewers when the room opens
    ice_breakers: list[str] = Field(default_factory=list)

    @field_validator("backup_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
            raise PydanticCustomError("backup_url", _("备用会议链接必须是以 http:// 或 https:// 开头的完整网址。"))
        return value

    @field_validator("ice_breakers")
    @classmethod
    def _prompts(cls, value: list[str]) -> list[str]:
        prompts = [p for p in (" ".join(str(p).split()) for p in value) if p]
        if len(prompts) > MAX_ICE_BREAKERS:
            raise PydanticCustomError("ice_breakers", _("破冰问题最多 %(n)d 个。") % {"n": MAX_ICE_BREAKERS})
        if any(len(p) > 500 for p in prompts):
            raise PydanticCustomError("ice_breakers", _("每个破冰问题最多 500 个字。"))
        return prompts


class SurveyQuestion(_Base):
    id: str = Field(default_factory=_qid, max_length=16)
    text: str = Field("", max_length=1000)
    kind: Literal["text", "choice", "scale"] = "text"
    options: list[str] = Field(default_factory=list, max_length=20)


class QuestionnaireSettings(_Base):
    questions: list[SurveyQuestion] = Field(default_factory=list, max_length=100)


class MaterialSettings(_Base):
    instructions: str = Field("", max_length=5000)
    accepted_types: list[str] = Field(default_factory=lambda: [".pdf", ".pptx"], max_length=20)
    max_size_mb: int = Field(50, ge=1, le=2048)
    presentation_minutes: int | None = Field(None, ge=1, le=240)


# --- Problems that stop publishing, one function per module (``ModuleSpec.problems``) ---------------------
# Each takes the validated settings and the stage's name as people see it.

def _ai_video_problems(data: AiVideoSettings, name: str) -> list[str]:
    problems = []
    if not data.questions:
        problems.append(_("环节“%(stage)s”没有题目。") % {"stage": name})
    for index, question in enumerate(data.questions, start=1):
        if not question.text:
            problems.append(_("环节“%(stage)s”的第 %(n)d 题没有内容。") % {"stage": name, "n": index})
        if not question.answer_seconds:
            problems.append(_("环节“%(stage)s”的第 %(n)d 题没有作答时间限制。") % {"stage": name, "n": index})
        if question.prep_seconds is None:
            problems.append(_("环节“%(stage)s”的第 %(n)d 题没有准备时间。") % {"stage": name, "n": index})
    if data.practice is not None and data.practice.text and not data.practice.answer_seconds:
        problems.append(_("环节“%(stage)s”的练习题没有作答时间限制。") % {"stage": name})
    return problems


def _scenario_problems(data: ScenarioSettings, name: str) -> list[str]:
    problems = []
    if not data.brief:
        problems.append(_("环节“%(stage)s”没有情景说明。") % {"stage": name})
    if not data.answer_seconds:
        problems.append(_("环节“%(stage)s”没有作答时间限制。") % {"stage": name})
    return problems


def _case_problems(data: CaseSettings, name: str) -> list[str]:
    problems = []
    if not data.case:
        problems.append(_("环节“%(stage)s”没有案例内容。") % {"stage": name})
    if not data.answer_formats:
        problems.append(_("环节“%(stage)s”没有选择作答方式。") % {"stage": name})
    if "video" in data.answer_formats and not data.answer_seconds:
        problems.append(_("环节“%(stage)s”允许视频作答，但没有作答时间限制。") % {"stage": name})
    return problems


def _coding_problems(data: CodingSettings, name: str) -> list[str]:
    problems = []
    if data.mode == "external" and not data.platform_url.startswith(("https://", "http://")):
        problems.append(_("环节“%(stage)s”需要外部编程平台的链接。") % {"stage": name})
    if data.mode == "builtin" and not data.task:
        problems.append(_("环节“%(stage)s”没有编程题目。") % {"stage": name})
    return problems


def _questionnaire_problems(data: QuestionnaireSettings, name: str) -> list[str]:
    problems = []
    if not data.questions:
        problems.append(_("环节“%(stage)s”没有问题。") % {"stage": name})
    for index, question in enumerate(data.questions, start=1):
        if not question.text:
            problems.append(_("环节“%(stage)s”的第 %(n)d 个问题没有内容。") % {"stage": name, "n": index})
        if question.kind == "choice" and len(question.options) < 2:
            problems.append(_("环节“%(stage)s”的第 %(n)d 个问题至少需要两个选项。") % {"stage": name, "n": index})
    return problems


def _material_problems(data: MaterialSettings, name: str) -> list[str]:
    return [_("环节“%(stage)s”没有说明需要上传什么。") % {"stage": name}] if not data.instructions else []


def _no_problems(data: BaseModel, name: str) -> list[str]:
    return []


# --- The registry ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModuleSpec:
    """Everything the code knows about one kind of stage (docs/architecture.md, "Stage module specs").

    A new kind is one ``register(ModuleSpec(...))`` below, its settings model, its parser in forms.py and its three
    partial templates (designer fields, card summary, candidate preview) plus its ``ModuleType`` choice, the stored
    value (test_modules.py checks the two list the same modules); no other place branches on the module's name: code
    asks the spec (``module_spec(stage.module)``, ``modules_where(...)`` for a query), templates the ``module_spec``
    filter (``{% load workflows_tags %}``).
    """

    module: str  # the value stored in ``Stage.module``
    label: str | Promise  # the kind's name, localized
    hint: str | Promise  # one line under the name in the designer's palette
    settings_model: type[BaseModel]  # the shape of ``Stage.settings`` (``settings_clean``)
    parse: Callable[[QueryDict], dict]  # the designer form's fields -> settings (forms.py)
    partial: str  # the designer form's settings fields (a template reading ``s``, the settings, and ``stage``)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # the settings of a newly added stage
    problems: Callable[[Any, str], list[str]] = _no_problems  # what stops publishing, in words (validated settings, name)
    schedulable: bool = False  # held at a booked time with interviewers: the scheduling pages preselect such a stage
    has_ai_plan: bool = False  # its settings are an AI-interview question plan (interviews.services.plan_from_stage)
    question_audio: bool = False  # its questions may carry recorded audio (services/assets.py)
    # the designer's stage card summary and the candidate preview's step (templates reading ``s``, the settings, and
    # ``stage``; _stage_card.html and preview.html include them); empty: nothing beyond the title and instructions
    summary_template: str = ""
    preview_template: str = ""
    imports_scores: bool = False  # scored on an outside platform: the board offers its CSV score import
    shows_instructions_on_link: bool = False  # the interview link's process list repeats its ``instructions`` setting
    live_room: bool = False  # its interviews are held in a live room (scheduling's ``Interview.is_live``)
    ai_assisted: bool = False  # assessed with AI (answer analysis, the live AI panel): the fairness report's AI group


MODULES: dict[str, ModuleSpec] = {}


def register(spec: ModuleSpec) -> ModuleSpec:
    if spec.module in MODULES:
        raise ImproperlyConfigured(f"stage module {spec.module!r} is registered twice")
    MODULES[spec.module] = spec
    return spec


def module_spec(module: str) -> ModuleSpec:
    """The spec of a module; an unknown module is a ``ValidationError`` in words (it comes from a form or the API)."""
    spec = MODULES.get(module)
    if spec is None:
        raise ValidationError(_("未知的环节模块：%(module)s") % {"module": module})
    return spec


def find_module_spec(module: str) -> ModuleSpec | None:
    """The spec of a module, or None for an unknown one (templates, and rows a removed module left behind)."""
    return MODULES.get(module)


def modules_where(capability: Callable[[ModuleSpec], bool]) -> list[str]:
    """The modules whose spec has a capability, e.g. ``modules_where(lambda s: s.live_room)``, for a query's ``__in``."""
    return [spec.module for spec in MODULES.values() if capability(spec)]


def module_specs() -> list[ModuleSpec]:
    """Every module, in the designer palette's order (registration order)."""
    return list(MODULES.values())


def _partial(module: str, part: str = "") -> str:
    """A module's template: its designer fields (``workflows/modules/<module>.html``) or another ``part`` of it
    (``workflows/modules/<module>_summary.html``)."""
    return f"workflows/modules/{module}{'_' + part if part else ''}.html"


def _templates(module: str) -> dict[str, str]:
    return {"partial": _partial(module), "summary_template": _partial(module, "summary"),
            "preview_template": _partial(module, "preview")}


register(ModuleSpec(
    module=ModuleType.AI_VIDEO, label=ModuleType.AI_VIDEO.label,
    hint=gettext_lazy("候选人按题目录制视频回答，可设准备时间、作答时间和重录次数"),
    settings_model=AiVideoSettings, parse=forms.ai_video_from_post, **_templates(ModuleType.AI_VIDEO),
    defaults={
        "questions": [{"text": "请用三分钟介绍你自己，以及你为什么申请这个职位。", "prep_seconds": 30, "answer_seconds": 180, "retakes": 1}],
        "practice": {"text": "练习题：用三个词描述你自己。", "prep_seconds": 15, "answer_seconds": 30},
    },
    problems=_ai_video_problems, has_ai_plan=True, question_audio=True, ai_assisted=True))
register(ModuleSpec(
    module=ModuleType.CODING, label=ModuleType.CODING.label, hint=gettext_lazy("外部平台或内置题目，导入得分"),
    settings_model=CodingSettings, parse=forms.coding_from_post, **_templates(ModuleType.CODING),
    defaults={"mode": "external", "platform_url": "", "score_import": "upload", "max_score": 100, "time_limit_minutes": 90},
    problems=_coding_problems, imports_scores=True))
register(ModuleSpec(
    module=ModuleType.SCENARIO, label=ModuleType.SCENARIO.label, hint=gettext_lazy("角色扮演，例如“客户拒绝签约”，视频作答"),
    settings_model=ScenarioSettings, parse=forms.scenario_from_post, **_templates(ModuleType.SCENARIO),
    defaults={"brief": "客户在最后一刻拒绝签约，理由是价格太高。请说服客户。", "counterpart": "客户",
              "prep_seconds": 60, "answer_seconds": 300, "retakes": 0},
    problems=_scenario_problems))
register(ModuleSpec(
    module=ModuleType.CASE_ANALYSIS, label=ModuleType.CASE_ANALYSIS.label, hint=gettext_lazy("战略案例，视频、文字或文件作答"),
    settings_model=CaseSettings, parse=forms.case_analysis_from_post, **_templates(ModuleType.CASE_ANALYSIS),
    defaults={"case": "某区域销售额连续两个季度下滑 20%。请分析原因并提出三条策略。",
              "answer_formats": ["text", "file"], "time_limit_minutes": 60},
    problems=_case_problems))
register(ModuleSpec(
    module=ModuleType.LIVE, label=ModuleType.LIVE.label, hint=gettext_lazy("与面试官实时视频面试，需安排时间"),
    settings_model=LiveSettings, parse=forms.live_from_post, **_templates(ModuleType.LIVE),
    defaults={"duration_minutes": 45}, schedulable=True, live_room=True, ai_assisted=True))
register(ModuleSpec(
    module=ModuleType.QUESTIONNAIRE, label=ModuleType.QUESTIONNAIRE.label, hint=gettext_lazy("文字、单选或量表问卷"),
    settings_model=QuestionnaireSettings, parse=forms.questionnaire_from_post, **_templates(ModuleType.QUESTIONNAIRE),
    defaults={"questions": [{"text": "你最早可以何时入职？", "kind": "text"}]}, problems=_questionnaire_problems))
register(ModuleSpec(
    module=ModuleType.MATERIAL_UPLOAD, label=ModuleType.MATERIAL_UPLOAD.label, hint=gettext_lazy("上传资料，例如 10 分钟项目 PPT"),
    settings_model=MaterialSettings, parse=forms.material_upload_from_post, **_templates(ModuleType.MATERIAL_UPLOAD),
    defaults={"instructions": "请上传一份 10 分钟的项目介绍 PPT。", "accepted_types": [".pdf", ".pptx"],
              "max_size_mb": 50, "presentation_minutes": 10},
    problems=_material_problems, shows_instructions_on_link=True))


# settings a person edits by name: their errors name the field as the form does, not by its key
FIELD_LABELS = {
    "backup_url": gettext_lazy("备用会议链接"),
    "ice_breakers": gettext_lazy("破冰问题"),
}


def _messages(exc: PydanticError) -> list[str]:
    out = []
    for error in exc.errors():
        label = FIELD_LABELS.get(str(error["loc"][0])) if error["loc"] else None
        if label is not None and error["type"] in FIELD_LABELS:  # our own validators' message is already in words
            out.append(str(error["msg"]))
            continue
        where = str(label) if label is not None else ".".join(str(part) for part in error["loc"])
        out.append(_("设置项 %(field)s 无效：%(problem)s") % {"field": where, "problem": error["msg"]})
    return out


def settings_clean(module: str, data: dict | None) -> dict:
    """Validate the structure of a module's settings and return them in the stored format."""
    schema = module_spec(module).settings_model
    try:
        return schema.model_validate(data or {}).model_dump(mode="json")
    except PydanticError as exc:
        raise ValidationError(_messages(exc)) from None


def settings_from_post(module: str, post: QueryDict) -> dict:
    """The designer form's fields as the module's settings (not yet validated: ``settings_clean`` does)."""
    return module_spec(module).parse(post)


def default_settings(module: str) -> dict:
    return settings_clean(module, dict(module_spec(module).defaults))


def publish_problems(*, module: str, title: str, settings: dict) -> list[str]:
    """What stops a stage from being published, in words a recruiter understands (empty when fine)."""
    spec = module_spec(module)
    problems: list[str] = []
    if not (title or "").strip():
        problems.append(_("有一个环节没有名称。"))
    return problems + spec.problems(spec.settings_model.model_validate(settings or {}), title or str(spec.label))


# Built-in starter processes (the seed's technical, sales and management roles).
# Stage tuples: (module, title, settings overrides, view_roles, score_roles).
STARTERS: dict[str, dict] = {
    "technical": {
        "name": gettext_lazy("技术岗位标准流程"),
        "stages": [
            (ModuleType.AI_VIDEO, "AI视频面试", {
                "questions": [
                    {"text": "请介绍一个你主导的技术项目：你的角色、难点和结果。", "prep_seconds": 30, "answer_seconds": 180, "retakes": 1},
                    {"text": "描述一次线上故障，你是如何定位和解决的？", "prep_seconds": 30, "answer_seconds": 180, "retakes": 1},
                ],
                "practice": {"text": "练习题：用三个词描述你自己。", "prep_seconds": 15, "answer_seconds": 30}}, [], []),
            (ModuleType.CODING, "在线编程", {"mode": "builtin", "task": "实现一个 LRU 缓存，支持 get 和 put，时间复杂度 O(1)。",
                                          "starter_code": "class LRUCache:\n    def __init__(self, capacity: int):\n        pass\n",
                                          "time_limit_minutes": 60}, ["hiring_manager"], ["hiring_manager"]),
            (ModuleType.LIVE, "技术面试", {"duration_minutes": 60, "ice_breakers": [
                "先请你用两三分钟介绍一下自己，以及最近在做的项目。",
                "今天的网络和设备都还顺利吗？有任何问题随时告诉我们。"]}, [], []),
        ],
    },
    "sales": {
        "name": gettext_lazy("销售岗位标准流程"),
        "stages": [
            (ModuleType.AI_VIDEO, "AI视频面试", {
                "questions": [
                    {"text": "请分享一次你超额完成销售目标的经历。", "prep_seconds": 30, "answer_seconds": 120, "retakes": 1},
                    {"text": "你如何与团队协作拿下一个大客户？", "prep_seconds": 30, "answer_seconds": 120, "retakes": 1},
                ],
                "practice": {"text": "练习题：用三个词描述你自己。", "prep_seconds": 15, "answer_seconds": 30},
                "materials": "最近一年的销售业绩数据\n安静的环境和稳定的网络"}, [], []),
            (ModuleType.SCENARIO, "情景模拟：客户拒绝签约", {}, [], []),
            (ModuleType.LIVE, "终面", {"duration_minutes": 45, "ice_breakers": [
                "先请你简单介绍一下自己，以及为什么对这个职位感兴趣。",
                "最近一次让你特别有成就感的成交是怎样的？"]}, [], []),
        ],
    },
    "management": {
        "name": gettext_lazy("管理岗位标准流程"),
        "stages": [
            (ModuleType.AI_VIDEO, "AI视频面试", {
                "questions": [
                    {"text": "描述一次你带领团队扭转困难局面的经历。", "prep_seconds": 60, "answer_seconds": 180, "retakes": 1},
                ]}, [], []),
            (ModuleType.CASE_ANALYSIS, "战略案例分析", {"answer_formats": ["video", "text"], "answer_seconds": 600}, [], []),
            (ModuleType.MATERIAL_UPLOAD, "项目汇报材料", {}, [], []),
            (ModuleType.LIVE, "管理层面试", {"duration_minutes": 60, "ice_breakers": [
                "先请你介绍一下目前带领的团队：多少人、负责什么。",
                "你理想中的团队氛围是什么样的？"]}, ["hiring_manager"], ["hiring_manager"]),
        ],
    },
}
