import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from hirelens.candidates.access import access_application, visible_applications
from hirelens.core.testing import assert_tenant_isolated
from hirelens.workflows import selectors, services
from hirelens.workflows.access import (
    access_process,
    access_stage,
    access_stage_for_scoring,
    visible_processes,
    visible_stages,
)
from hirelens.workflows.models import Stage, StageResult

from .factories import assign, make_application, make_position


def test_other_organization_sees_nothing(tech, outsider, client):
    process, version, application = tech["process"], tech["version"], tech["application"]
    assert_tenant_isolated(outsider=outsider, objects=[process], access=access_process, access_kwarg="process_id",
                           selectors=[visible_processes], client=client,
                           urls=[f"/processes/{process.pk}/designer/", f"/processes/{process.pk}/preview/",
                                 f"/processes/position/{process.position_id}/", f"/processes/position/{process.position_id}/board/"])
    assert_tenant_isolated(outsider=outsider, objects=list(version.stages.all()), access=access_stage, access_kwarg="stage_id",
                           client=client, urls=[f"/processes/stages/{s.pk}/edit/" for s in services.process_draft(process).stages.all()])
    assert_tenant_isolated(outsider=outsider, objects=[application], access=access_application, access_kwarg="application_id",
                           selectors=[visible_applications], client=client,
                           urls=[f"/processes/applications/{application.pk}/", f"/api/v1/processes/applications/{application.pk}"])
    response = client.post(f"/processes/applications/{application.pk}/move/", {"action": "reject", "reason": "x"})
    assert response.status_code == 404
    response = client.post(f"/processes/{process.pk}/stages/add/", {"module": "live"})
    assert response.status_code == 404
    response = client.post(f"/processes/applications/{application.pk}/move-to/", {"stage_key": tech["coding"].key, "reason": "x"})
    assert response.status_code == 404
    tech["progress"].refresh_from_db()
    assert tech["progress"].state == "active"
    assert services.process_draft(process).stages.count() == 3


def test_coding_stage_is_hidden_from_interviewers_not_named(tech, interviewer, cto, hiring_manager, hr_admin, client):
    coding, video, application = tech["coding"], tech["video"], tech["application"]
    assert [s.module for s in visible_stages(actor=interviewer, version=tech["version"])] == ["ai_video", "live"]
    assert [s.module for s in visible_stages(actor=cto, version=tech["version"])] == ["ai_video", "coding", "live"]
    assert [s.module for s in visible_stages(actor=hiring_manager, version=tech["version"])] == ["ai_video", "coding", "live"]
    assert [s.module for s in visible_stages(actor=hr_admin, version=tech["version"])] == ["ai_video", "coding", "live"]
    with pytest.raises(Http404):
        access_stage(actor=interviewer, stage_id=coding.pk)
    assert access_stage(actor=cto, stage_id=coding.pk) == coding
    assert access_stage_for_scoring(actor=cto, stage_id=coding.pk) == coding
    assert access_stage_for_scoring(actor=interviewer, stage_id=video.pk) == video
    with pytest.raises(PermissionDenied):
        access_stage_for_scoring(actor=hr_admin, stage_id=coding.pk)  # HR runs the process but is not named to score

    # Pages: the interviewer's application page lists no coding stage, and scoring it is refused.
    services.stage_result_record(actor=cto, progress=tech["progress"], stage=coding, score=92)
    client.force_login(interviewer)
    page = client.get(f"/processes/applications/{application.pk}/").content.decode()
    assert "在线编程" not in page and "92.00" not in page and "AI视频面试" in page
    response = client.post(f"/processes/applications/{application.pk}/stages/{coding.pk}/score/", {"score": "10"})
    assert response.status_code == 404
    assert StageResult.objects.get(stage=coding).score == 92

    # API: same rule.
    data = client.get(f"/api/v1/processes/applications/{application.pk}").json()
    assert [s["module"] for s in data["stages"]] == ["ai_video", "live"] and data["results"] == []
    response = client.post(f"/api/v1/processes/applications/{application.pk}/stages/{coding.pk}/result",
                           json.dumps({"score": "5"}), content_type="application/json")
    assert response.status_code == 404
    assert StageResult.objects.get(stage=coding).score == 92

    client.force_login(cto)
    data = client.get(f"/api/v1/processes/applications/{application.pk}").json()
    assert [(s["module"], s["can_score"]) for s in data["stages"]] == [("ai_video", True), ("coding", True), ("live", True)]
    assert [(r["stage_id"], r["score"]) for r in data["results"]] == [(coding.pk, "92.00")]
    response = client.post(f"/api/v1/processes/applications/{application.pk}/stages/{coding.pk}/result",
                           json.dumps({"score": "88", "external_ref": "hackerrank-1"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["source"] == "api"
    assert str(StageResult.objects.get(stage=coding).score) == "88.00"


def test_unassigned_interviewer_sees_no_process_board_or_application(tech, org, client):
    from hirelens.accounts.tests.factories import UserFactory

    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")
    assert list(visible_processes(actor=stranger)) == []
    assert list(visible_applications(actor=stranger)) == []
    assert visible_stages(actor=stranger, version=tech["version"]) == []
    client.force_login(stranger)
    for url in (f"/processes/position/{tech['process'].position_id}/board/", f"/processes/applications/{tech['application'].pk}/"):
        assert client.get(url).status_code == 404


def test_interviewer_cannot_design_or_move(tech, interviewer, client):
    process, application = tech["process"], tech["application"]
    client.force_login(interviewer)
    draft_stage = services.process_draft(process).stages.get(module="ai_video")
    assert client.get(f"/processes/{process.pk}/designer/").status_code == 403
    assert client.post(f"/processes/{process.pk}/stages/add/", {"module": "live"}).status_code == 403
    assert client.post(f"/processes/{process.pk}/publish/").status_code == 403
    assert client.post(f"/processes/stages/{draft_stage.pk}/edit/", {"title": "改"}).status_code == 403
    response = client.post(f"/processes/applications/{application.pk}/move/", {"action": "reject", "reason": "不合适"})
    assert response.status_code == 403
    response = client.post(f"/api/v1/processes/applications/{application.pk}/move",
                           json.dumps({"action": "reject", "reason": "不合适"}), content_type="application/json")
    assert response.status_code == 403
    response = client.post(f"/processes/applications/{application.pk}/move-to/",
                           {"stage_key": tech["coding"].key, "reason": "拖到编程"})
    assert response.status_code == 403
    tech["progress"].refresh_from_db()
    assert tech["progress"].state == "active"
    assert process.versions.filter(status="published").count() == 2
    assert Stage.objects.get(pk=draft_stage.pk).title == draft_stage.title
    assert services.process_draft(process).stages.count() == 3


def test_board_groups_old_and_new_versions_by_stage_key(tech, hr_admin, interviewer):
    position = tech["application"].position
    services.pipeline_advance(actor=hr_admin, progress=tech["progress"], reason="通过")  # v2 coding stage
    draft = services.process_draft(tech["process"])
    services.stage_add(actor=hr_admin, version=draft, module="questionnaire", index=0, title="问卷")
    services.stage_update(actor=hr_admin, stage=draft.stages.get(module="questionnaire"),
                          settings={"questions": [{"text": "何时入职？"}]})
    services.process_publish(actor=hr_admin, process=tech["process"])
    newer = make_application(position, "新人")
    fresh = make_application(position, "未开始")
    services.pipeline_start(actor=hr_admin, application=newer)
    columns = {c.key: c for c in selectors.position_board(actor=hr_admin, position=position)}
    coding_key = tech["coding"].key
    assert [card.application.pk for card in columns[coding_key].cards] == [tech["application"].pk]
    assert columns[coding_key].cards[0].version_number == 2
    assert [c.application.pk for c in columns["new"].cards] == [fresh.pk]
    interviewer_columns = [c.key for c in selectors.position_board(actor=interviewer, position=position)]
    assert coding_key not in interviewer_columns


def test_api_lists_processes_for_assigned_only(tech, interviewer, outsider, client):
    position_id = tech["process"].position_id
    client.force_login(interviewer)
    data = client.get(f"/api/v1/processes/positions/{position_id}/processes").json()
    assert [(p["name"], p["latest_version"]["number"]) for p in data] == [("技术岗位标准流程", 2)]
    stages = client.get(f"/api/v1/processes/versions/{tech['version'].pk}/stages").json()
    assert [s["module"] for s in stages] == ["ai_video", "live"]
    assert stages[0]["settings"]["questions"][0]["answer_seconds"] == 180
    draft = services.process_draft(tech["process"])
    assert client.get(f"/api/v1/processes/versions/{draft.pk}/stages").status_code == 404  # drafts are not for the panel
    client.force_login(outsider)
    assert client.get(f"/api/v1/processes/positions/{position_id}/processes").status_code == 404
    assert client.get(f"/api/v1/processes/versions/{tech['version'].pk}/stages").status_code == 404


def test_panel_member_of_other_position_cannot_score(org, hr_admin, interviewer, tech):
    other = make_position(org, title="销售")
    assign(other, interviewer, "interviewer")
    with pytest.raises(Http404):
        access_stage(actor=interviewer, stage_id=tech["coding"].pk)


def test_board_drop_needs_a_stage_of_the_own_version_and_a_reason(tech, hr_admin, client):
    application, progress = tech["application"], tech["progress"]
    client.force_login(hr_admin)
    url = f"/processes/applications/{application.pk}/move-to/"
    assert client.post(url, {"stage_key": "nope", "reason": "x"}).content.decode() == "该申请所用的流程版本中没有这个环节。"
    assert client.post(url, {"stage_key": tech["coding"].key, "reason": " "}).status_code == 400
    progress.refresh_from_db()
    assert progress.stage.module == "ai_video"
    assert client.post(url, {"stage_key": tech["coding"].key, "reason": "提前做编程题"}).status_code == 204
    progress.refresh_from_db()
    assert progress.stage == tech["coding"]


def test_openapi_document_lists_process_and_scheduling_routes(hr_admin, client):
    client.force_login(hr_admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/processes/applications/{application_id}", "/api/v1/processes/applications/{application_id}/move",
            "/api/v1/processes/applications/{application_id}/stages/{stage_id}/result",
            "/api/v1/scheduling/interviews"} <= set(paths)
