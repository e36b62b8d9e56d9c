"""The stage module registry (modules.py): every kind has a spec, and a new spec is all a new kind needs to show up."""

import copy
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import get_template
from django.utils import translation
from pydantic import BaseModel, Field

from hirelens.workflows import modules, services
from hirelens.workflows.models import ModuleType


def test_every_module_type_has_a_spec_with_a_partial_and_valid_defaults():
    # the stored choices (a TextChoices: migrations) and the registry name the same modules, each once
    assert sorted(modules.MODULES) == sorted(ModuleType.values)
    for module, spec in modules.MODULES.items():
        assert spec.module == module and str(spec.label) == str(ModuleType(module).label)
        get_template(spec.partial)  # the designer form's fields exist
        modules.default_settings(module)  # a new stage's settings are valid
        modules.settings_clean(module, spec.parse(QueryDict()))  # an empty form parses into valid settings
    # the capabilities the other apps ask for (scheduling, interviews, question audio)
    assert [s.module for s in modules.module_specs() if s.schedulable] == [ModuleType.LIVE]
    assert [s.module for s in modules.module_specs() if s.has_ai_plan] == [ModuleType.AI_VIDEO]
    assert [s.module for s in modules.module_specs() if s.question_audio] == [ModuleType.AI_VIDEO]
    assert modules.modules_where(lambda s: s.imports_scores) == [ModuleType.CODING]
    assert modules.modules_where(lambda s: s.shows_instructions_on_link) == [ModuleType.MATERIAL_UPLOAD]
    assert modules.modules_where(lambda s: s.live_room) == [ModuleType.LIVE]
    assert modules.modules_where(lambda s: s.ai_assisted) == [ModuleType.AI_VIDEO, ModuleType.LIVE]
    assert modules.find_module_spec("telepathy") is None
    with pytest.raises(ValidationError, match="未知的环节模块"):
        modules.module_spec("telepathy")


# what a stage added with the default settings shows on the designer's card and in the candidate preview
DEFAULT_SUMMARY = {
    "zh-hans": {
        "ai_video": "1 道题 · 准备 30s · 作答 180s · 重录 1 · 含练习题", "coding": "外部平台 — · 满分 100",
        "scenario": "客户在最后一刻拒绝签约，理由是价格太高。请说服客户。",
        "case_analysis": "某区域销售额连续两个季度下滑 20%。请分析原因并提出三条策略。", "live": "45 分钟",
        "questionnaire": "1 个问题", "material_upload": "请上传一份 10 分钟的项目介绍 PPT。"},
    "en": {
        "ai_video": "1 question(s) · prep 30s · answer 180s · retakes 1 · with practice question",
        "coding": "External platform — · Maximum score 100", "live": "45 minutes", "questionnaire": "1 question(s)"},
}


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_spec_names_its_summary_and_preview_and_they_render_for_a_new_stage(hr_admin, position, language):
    process = services.process_create(actor=hr_admin, position=position)
    for spec in modules.module_specs():
        stage = services.stage_add(actor=hr_admin, version=services.process_draft(process), module=spec.module)
        assert (spec.summary_template, spec.preview_template) == (
            f"workflows/modules/{spec.module}_summary.html", f"workflows/modules/{spec.module}_preview.html")
        context = {"s": stage.settings, "stage": stage}
        with translation.override(language):
            summary = _words(get_template(spec.summary_template).render(context))
            preview = _words(get_template(spec.preview_template).render(context))
        expected = DEFAULT_SUMMARY[language].get(spec.module, DEFAULT_SUMMARY["zh-hans"][spec.module])
        assert summary == expected, spec.module
        assert preview, spec.module  # the candidate sees what the step asks of them
    with translation.override(language):
        preview = _words(get_template(modules.module_spec(ModuleType.MATERIAL_UPLOAD).preview_template).render(
            {"s": modules.default_settings(ModuleType.MATERIAL_UPLOAD)}))
        live = _words(get_template(modules.module_spec(ModuleType.LIVE).preview_template).render(
            {"s": modules.default_settings(ModuleType.LIVE)}))
    assert preview == "请上传一份 10 分钟的项目介绍 PPT。 .pdf, .pptx · ≤ 50 MB"
    assert live == {"zh-hans": "与面试官的视频面试，约 45 分钟。请选择合适的时间。",
                    "en": "A video interview with the interviewers, about 45 minutes. Please choose a time."}[language]


class _ReferenceSettings(BaseModel):
    referees: int = Field(2, ge=1, le=5)


PARTIAL = "workflows/modules/reference_check.html"
SUMMARY = "workflows/modules/reference_check_summary.html"
PREVIEW = "workflows/modules/reference_check_preview.html"


@pytest.fixture
def reference_check(monkeypatch, settings):
    """A module that exists only in this test: its spec and its partial (a template held in memory)."""
    monkeypatch.setattr(modules, "MODULES", dict(modules.MODULES))  # the registry comes back after the test
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader",
         {PARTIAL: '{% load i18n %}<p data-testid="referees">{{ s.referees }} · {{ stage.title }}</p>',
          SUMMARY: '<span data-testid="referees-summary">{{ s.referees }} referees</span>',
          PREVIEW: '<p data-testid="referees-preview">{{ s.referees }} referees for {{ stage.title }}</p>'}),
        "django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
    settings.TEMPLATES = templates
    return modules.register(modules.ModuleSpec(
        module="reference_check", label="背景调查", hint="联系候选人提供的推荐人", settings_model=_ReferenceSettings,
        parse=lambda post: {"referees": post.get("referees") or None}, partial=PARTIAL, defaults={"referees": 3},
        summary_template=SUMMARY, preview_template=PREVIEW,
        problems=lambda data, name: [f"{name}: {data.referees}"]))


def test_a_registered_spec_appears_in_the_designer_choices_and_stage_form(reference_check, hr_admin, position, client):
    client.force_login(hr_admin)
    process = services.process_create(actor=hr_admin, position=position)
    page = client.get(f"/processes/{process.pk}/designer/").content.decode()
    assert 'data-testid="palette-reference_check"' in page and '<option value="reference_check">背景调查</option>' in page
    html = client.post(f"/processes/{process.pk}/stages/add/", {"module": "reference_check"}, HTTP_HX_REQUEST="true")
    assert html.status_code == 200
    assert '<p class="muted stage-summary"><span data-testid="referees-summary">3 referees</span></p>' in html.content.decode()
    preview = client.get(f"/processes/{process.pk}/preview/").content.decode()
    assert '<p data-testid="referees-preview">3 referees for 背景调查</p>' in preview
    stage = services.process_draft(process).stages.get()
    assert (stage.module, stage.title, stage.settings) == ("reference_check", "背景调查", {"referees": 3})
    form = client.get(f"/processes/stages/{stage.pk}/edit/").content.decode()
    assert '<p data-testid="referees">3 · 背景调查</p>' in form
    assert modules.settings_clean("reference_check", modules.settings_from_post("reference_check", QueryDict("referees=4"))) == {
        "referees": 4}
    assert modules.publish_problems(module="reference_check", title="", settings={"referees": 5}) == [
        "有一个环节没有名称。", "背景调查: 5"]
