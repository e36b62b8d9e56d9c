"""Typed input at the edge (issue 23 §4): every POST of the designer, the board and the progress page is read
through a form (``workflows/forms.py``), the API binds the same forms, and the services take typed values. A
malformed number is a localized message (a 400 where the page or fragment is answered in place), never a 500, and
nothing is written."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from hirelens.workflows import services
from hirelens.workflows.models import PipelineEvent, Process, StageResult

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_score_page_refuses_a_bad_number_in_place_and_writes_nothing(tech, hiring_manager, client):
    application, coding = tech["application"], tech["coding"]
    url = f"/processes/applications/{application.pk}/stages/{coding.pk}/score/"
    client.force_login(hiring_manager)
    response = client.post(url, {"score": "九十", "comment": "三题全对"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "得分必须是数字。" in page and 'value="九十"' in page and 'value="三题全对"' in page
    assert 'aria-invalid="true"' in page
    response = client.post(url, {"score": "101"})
    assert response.status_code == 400 and "得分必须在 0 到 100 之间。" in response.content.decode()
    assert not StageResult.objects.filter(stage=coding).exists()
    assert not PipelineEvent.objects.filter(action=PipelineEvent.Action.SCORE).exists()

    response = client.post(url, {"score": " 86.5 ", "comment": "三题全对"})
    assert response.status_code == 302 and _flashed(response) == ["得分已保存。"]
    result = StageResult.objects.get(stage=coding)
    assert (result.score, result.comment, result.source) == (Decimal("86.50"), "三题全对", StageResult.Source.MANUAL)


def test_score_api_binds_the_same_form(tech, hiring_manager):
    from hirelens.integrations.testing import api_client, make_api_key

    api = api_client(make_api_key(hiring_manager)[1])
    url = f"/api/v1/processes/applications/{tech['application'].pk}/stages/{tech['coding'].pk}/result"
    response = api.post(url, json.dumps({"score": "101"}), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"score": ["得分必须在 0 到 100 之间。"]}
    response = api.post(url, json.dumps({"score": "many"}), content_type="application/json")
    assert response.status_code == 400  # not a number at all: the Schema's type, named
    assert not StageResult.objects.filter(stage=tech["coding"]).exists()
    response = api.post(url, json.dumps({"score": "88", "external_ref": "hackerrank-1"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["score"] == "88.00"


def test_service_takes_a_number_not_text(tech, hiring_manager):
    with pytest.raises(TypeError):
        services.stage_result_record(actor=hiring_manager, progress=tech["progress"], stage=tech["coding"], score="80")
    assert not StageResult.objects.exists()


def test_stage_add_and_reorder_refuse_malformed_numbers(hr_admin, position, client):
    process = services.process_create(actor=hr_admin, position=position)
    draft = services.process_draft(process)
    first = services.stage_add(actor=hr_admin, version=draft, module="live")
    client.force_login(hr_admin)
    response = client.post(f"/processes/{process.pk}/stages/add/", {"module": "coding", "index": "top"}, **HTMX)
    assert response.status_code == 400 and response.content.decode() == "请填写整数。"
    assert draft.stages.count() == 1
    response = client.post(f"/processes/{process.pk}/stages/add/", {"module": "coding", "index": ""}, **HTMX)
    assert response.status_code == 200
    second = draft.stages.get(module="coding")
    assert list(draft.stages.order_by("order").values_list("pk", flat=True)) == [first.pk, second.pk]
    response = client.post(f"/processes/{process.pk}/stages/reorder/", {"stage": [str(second.pk), "x"]}, **HTMX)
    assert response.status_code == 400 and response.content.decode() == "环节顺序无效。"
    assert list(draft.stages.order_by("order").values_list("pk", flat=True)) == [first.pk, second.pk]


def test_stage_form_refuses_an_unknown_role_and_drops_unknown_members(hr_admin, interviewer, position, client):
    process = services.process_create(actor=hr_admin, position=position)
    stage = services.stage_add(actor=hr_admin, version=services.process_draft(process), module="live")
    client.force_login(hr_admin)
    url = f"/processes/stages/{stage.pk}/edit/"
    response = client.post(url, {"title": "终面", "duration_minutes": "60", "view_roles": ["owner"]}, **HTMX)
    assert response.status_code == 400 and "无效的角色。" in response.content.decode()
    stage.refresh_from_db()
    assert (stage.title, stage.settings["duration_minutes"]) == ("直播面试", 45)
    response = client.post(url, {"title": "终面", "duration_minutes": "60", "view_roles": ["interviewer"],
                                 "view_users": [str(interviewer.pk), "abc", "999999"]}, **HTMX)
    assert response.status_code == 200
    stage.refresh_from_db()
    assert (stage.title, stage.settings["duration_minutes"], stage.view_roles) == ("终面", 60, ["interviewer"])
    assert list(stage.view_users.all()) == [interviewer]


def test_clone_with_a_malformed_position_is_a_message_and_nothing_is_copied(hr_admin, position, client):
    process = services.process_create(actor=hr_admin, position=position, name="技术流程", starter="technical")
    client.force_login(hr_admin)
    response = client.post(f"/processes/{process.pk}/clone/", {"position": "12abc", "name": "副本"})
    assert response.status_code == 302 and response["Location"] == f"/processes/{process.pk}/designer/"
    assert _flashed(response) == ["请填写整数。"]
    assert Process.objects.count() == 1
    response = client.post(f"/processes/{process.pk}/clone/", {"position": str(position.pk), "name": "副本"})
    copy = Process.objects.get(name="副本")
    assert response["Location"] == f"/processes/{copy.pk}/designer/" and copy.position_id == position.pk


def test_publish_note_over_its_length_is_refused(hr_admin, position, client):
    process = services.process_create(actor=hr_admin, position=position, starter="technical")
    client.force_login(hr_admin)
    response = client.post(f"/processes/{process.pk}/publish/", {"note": "长" * 301})
    assert response.status_code == 302 and len(_flashed(response)) == 1
    assert not process.versions.filter(number__isnull=False).exists()


def test_moves_read_through_the_form(tech, hr_admin, client):
    application, progress = tech["application"], tech["progress"]
    client.force_login(hr_admin)
    url = f"/processes/applications/{application.pk}/move/"
    assert client.post(url, {"action": "jump", "reason": "x"}).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    response = client.post(url, {"action": "hold", "reason": "等待预算", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/processes/applications/{application.pk}/"
    progress.refresh_from_db()
    assert progress.state == "on_hold"
    response = client.post(url, {"action": "resume", "reason": "预算已批", "next": f"/processes/position/{application.position_id}/board/"})
    assert response["Location"] == f"/processes/position/{application.position_id}/board/"
    response = client.post(f"/processes/applications/{application.pk}/move-to/", {"stage_key": "k" * 40, "reason": "补做"})
    assert response.status_code == 400
    progress.refresh_from_db()
    assert (progress.state, progress.stage_id) == ("active", tech["version"].stages.order_by("order").first().pk)


def test_score_import_without_a_file_is_the_message(tech, hiring_manager, client):
    client.force_login(hiring_manager)
    response = client.post(f"/processes/stages/{tech['coding'].pk}/import-scores/", {})
    assert response.status_code == 302 and _flashed(response) == ["请选择 CSV 文件。"]


def test_stage_update_writes_only_what_changed(hr_admin, position):
    from datetime import UTC, datetime

    from hirelens.workflows.models import Stage

    process = services.process_create(actor=hr_admin, position=position)
    stage = services.stage_add(actor=hr_admin, version=services.process_draft(process), module="live")
    old = datetime(2026, 1, 1, tzinfo=UTC)
    Stage.objects.filter(pk=stage.pk).update(updated_at=old)
    stage.refresh_from_db()
    services.stage_update(actor=hr_admin, stage=stage, title=stage.title + " ", settings=dict(stage.settings), view_roles=[])
    stage.refresh_from_db()
    assert stage.updated_at == old  # the same values: nothing written (core.forms.model_update)
    services.stage_update(actor=hr_admin, stage=stage, title=" 终面 ", score_roles=["hiring_manager", "interviewer"])
    stage.refresh_from_db()
    assert (stage.title, stage.score_roles) == ("终面", ["interviewer", "hiring_manager"]) and stage.updated_at > old
