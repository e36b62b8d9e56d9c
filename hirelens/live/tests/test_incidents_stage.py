"""The live stage's incident settings in the process designer: the external backup meeting URL (http/https only)
and the interviewers' ice-breakers, saved through the stage form and refused in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hirelens.workflows.models import Stage
from hirelens.workflows.services import process_draft
from hirelens.workflows.tests.factories import make_position, published_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_draft(hr_admin, org):
    process, _version = published_process(hr_admin, make_position(org, title="销售代表"), "sales")
    return process_draft(process).stages.get(module="live")


def edit(user, stage, language="zh-hans", **fields):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    data = {"title": stage.title, "instructions": "", "duration_minutes": "45", "notes": "", **fields}
    return client.post(reverse("workflows:stage_edit", args=[stage.pk]), data, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_backup_url_and_ice_breakers_are_saved_and_shown_again(hr_admin, live_draft, language):
    response = edit(hr_admin, live_draft, language, backup_url=" https://meeting.tencent.com/dm/Ab12Cd ",
                    ice_breakers="请先简单介绍一下你自己。\n\n  今天过来路上还顺利吗？  \r\nWhat did you enjoy most in your last role?\n")
    assert response.status_code == 200
    stage = Stage.objects.get(pk=live_draft.pk)
    assert stage.settings["backup_url"] == "https://meeting.tencent.com/dm/Ab12Cd"
    assert stage.settings["ice_breakers"] == ["请先简单介绍一下你自己。", "今天过来路上还顺利吗？",
                                              "What did you enjoy most in your last role?"]
    form = Client()
    form.force_login(hr_admin)
    form.cookies["django_language"] = language
    html = form.get(reverse("workflows:stage_edit", args=[stage.pk])).content.decode()
    assert 'value="https://meeting.tencent.com/dm/Ab12Cd"' in html
    assert "请先简单介绍一下你自己。\n今天过来路上还顺利吗？\nWhat did you enjoy most in your last role?\n</textarea>" in html
    label = "Backup meeting link (optional)" if language == "en" else "备用会议链接（可选）"
    assert label in html


@pytest.mark.parametrize(("language", "message"), [
    ("zh-hans", "备用会议链接必须是以 http:// 或 https:// 开头的完整网址。"),
    ("en", "The backup meeting link must be a full web address starting with http:// or https://."),
])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.com/x", "meeting.tencent.com/dm/1", "https://"])
def test_a_backup_url_that_is_not_http_is_refused(hr_admin, live_draft, language, message, url):
    before = dict(live_draft.settings)
    response = edit(hr_admin, live_draft, language, backup_url=url, ice_breakers="你好")
    assert response.status_code == 400  # the stage form comes back with the field's message (typed input, issue 23)
    assert message in response.content.decode()
    assert Stage.objects.get(pk=live_draft.pk).settings == before


def test_the_starter_processes_come_with_ice_breakers(live_draft):
    assert live_draft.settings["ice_breakers"][0] == "先请你简单介绍一下自己，以及为什么对这个职位感兴趣。"
    assert live_draft.settings["backup_url"] == ""


def test_too_many_ice_breakers_are_refused_in_words(hr_admin, live_draft):
    before = dict(live_draft.settings)
    response = edit(hr_admin, live_draft, ice_breakers="\n".join(f"问题 {n}" for n in range(21)))
    assert "破冰问题最多 20 个。" in response.content.decode()
    assert Stage.objects.get(pk=live_draft.pk).settings == before


def test_an_interviewer_cannot_edit_the_stage(interviewer, live_draft):
    before = dict(live_draft.settings)
    response = edit(interviewer, live_draft, backup_url="https://evil.example.com/")
    assert response.status_code in (403, 404)
    assert Stage.objects.get(pk=live_draft.pk).settings == before
