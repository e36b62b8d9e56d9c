"""The stage module registry (modules.py): every kind has a spec, and a new spec is all a new kind needs to show up."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import get_template
from pydantic import BaseModel, Field

from hirelens.workflows import modules, services
from hirelens.workflows.models import ModuleType


def test_every_module_type_has_a_spec_with_a_partial_and_valid_defaults():
    assert set(modules.MODULES) == set(ModuleType.values)
    for module, spec in modules.MODULES.items():
        assert spec.module == module and str(spec.label) == str(ModuleType(module).label)
        get_template(spec.partial)  # the designer form's fields exist
        modules.default_settings(module)  # a new stage's settings are valid
        modules.settings_clean(module, spec.parse(QueryDict()))  # an empty form parses into valid settings
    # the capabilities the other apps ask for (scheduling, interviews, question audio)
    assert [s.module for s in modules.module_specs() if s.schedulable] == [ModuleType.LIVE]
    assert [s.module for s in modules.module_specs() if s.has_ai_plan] == [ModuleType.AI_VIDEO]
    assert [s.module for s in modules.module_specs() if s.question_audio] == [ModuleType.AI_VIDEO]
    with pytest.raises(ValidationError, match="未知的环节模块"):
        modules.module_spec("telepathy")


class _ReferenceSettings(BaseModel):
    referees: int = Field(2, ge=1, le=5)


PARTIAL = "workflows/modules/reference_check.html"


@pytest.fixture
def reference_check(monkeypatch, settings):
    """A module that exists only in this test: its spec and its partial (a template held in memory)."""
    monkeypatch.setattr(modules, "MODULES", dict(modules.MODULES))  # the registry comes back after the test
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader",
         {PARTIAL: '{% load i18n %}<p data-testid="referees">{{ s.referees }} · {{ stage.title }}</p>'}),
        "django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
    settings.TEMPLATES = templates
    return modules.register(modules.ModuleSpec(
        module="reference_check", label="背景调查", hint="联系候选人提供的推荐人", settings_model=_ReferenceSettings,
        parse=lambda post: {"referees": post.get("referees") or None}, partial=PARTIAL, defaults={"referees": 3},
        problems=lambda data, name: [f"{name}: {data.referees}"]))


def test_a_registered_spec_appears_in_the_designer_choices_and_stage_form(reference_check, hr_admin, position, client):
    client.force_login(hr_admin)
    process = services.process_create(actor=hr_admin, position=position)
    page = client.get(f"/processes/{process.pk}/designer/").content.decode()
    assert 'data-testid="palette-reference_check"' in page and '<option value="reference_check">背景调查</option>' in page
    html = client.post(f"/processes/{process.pk}/stages/add/", {"module": "reference_check"}, HTTP_HX_REQUEST="true")
    assert html.status_code == 200
    stage = services.process_draft(process).stages.get()
    assert (stage.module, stage.title, stage.settings) == ("reference_check", "背景调查", {"referees": 3})
    form = client.get(f"/processes/stages/{stage.pk}/edit/").content.decode()
    assert '<p data-testid="referees">3 · 背景调查</p>' in form
    assert modules.settings_clean("reference_check", modules.settings_from_post("reference_check", QueryDict("referees=4"))) == {
        "referees": 4}
    assert modules.publish_problems(module="reference_check", title="", settings={"referees": 5}) == [
        "有一个环节没有名称。", "背景调查: 5"]
