"""Applications over the open API with an API key: the list across positions (filters, names, one audit entry
per page), one application (ETag), and its moves through the pipeline and the decision rules of the board."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.models import Application
from hirelens.core.models import AuditEvent
from hirelens.evaluations.models import Decision
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.workflows import services
from hirelens.workflows.models import ApplicationProgress

from .factories import assign, make_application, make_position, published_process

pytestmark = pytest.mark.django_db
REASON = "技术面试表现稳定，代码质量好，团队一致认可"


def send(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def world(org, hr_admin):
    position = make_position(org, title="后端工程师")
    _process, version = published_process(hr_admin, position)
    applications = [make_application(position, name) for name in ("王芳", "李强", "张伟")]
    for application in applications[:2]:
        services.pipeline_start(actor=hr_admin, application=application)
    other = make_position(org, title="销售代表")
    make_application(other, "赵磊")
    return {"position": position, "version": version, "apps": applications, "other": other}


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def test_list_filters_names_and_audit(hr, world, django_assert_max_num_queries):
    first_stage = world["version"].stages.order_by("order").first()
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(12):
        response = hr.get("/api/v1/applications/", {"limit": 3})
    body = response.json()
    assert response.status_code == 200 and len(body["items"]) == 3 and body["next"]
    entries = list(AuditEvent.objects.filter(pk__gt=last, action="read"))
    assert len(entries) == 1 and sorted(entries[0].targets) == sorted(
        f"candidates.candidate:{a['candidate_id']}" for a in body["items"])
    rest = hr.get("/api/v1/applications/", {"limit": 3, "cursor": body["next"]}).json()
    assert sorted(a["candidate_name"] for a in body["items"] + rest["items"]) == sorted(["王芳", "李强", "张伟", "赵磊"])
    mine = hr.get("/api/v1/applications/", {"position": world["position"].pk}).json()["items"]
    row = next(a for a in mine if a["candidate_name"] == "王芳")
    assert (row["position_title"], row["status"], row["status_label"], row["state"], row["state_label"]) == (
        "后端工程师", "active", "进行中", "active", "进行中")
    assert (row["stage"]["key"], row["stage"]["title"], row["version_number"]) == (first_stage.key, first_stage.title, 1)
    on_stage = hr.get("/api/v1/applications/", {"stage": first_stage.key}).json()["items"]
    assert sorted(a["candidate_name"] for a in on_stage) == ["李强", "王芳"]
    by_candidate = hr.get("/api/v1/applications/", {"candidate": world["apps"][2].candidate_id}).json()["items"]
    assert [a["id"] for a in by_candidate] == [world["apps"][2].pk] and by_candidate[0]["stage"] is None
    assert hr.get("/api/v1/applications/", {"status": "hired"}).json()["items"] == []
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert hr.get("/api/v1/applications/", {"updated_since": future}).json()["items"] == []
    assert hr.get("/api/v1/applications/", {"updated_since": "yesterday"}).status_code == 400
    assert hr.get("/api/v1/applications/", {"cursor": "nope"}).status_code == 400


def test_get_advance_move_with_if_match(hr, world):
    app = world["apps"][0]
    stages = list(world["version"].stages.order_by("order"))
    url = f"/api/v1/applications/{app.pk}"
    got = hr.get(url)
    assert got.status_code == 200 and got.json()["candidate_name"] == "王芳"
    etag = got["ETag"]
    advanced = send(hr, "post", f"{url}/advance", {"reason": "初筛通过"}, HTTP_IF_MATCH=etag)
    assert advanced.status_code == 200 and advanced.json()["stage"]["id"] == stages[1].pk
    assert advanced["ETag"] != etag
    stale = send(hr, "post", f"{url}/advance", {"reason": "再进一步"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert ApplicationProgress.objects.get(application=app).stage_id == stages[1].pk
    back = send(hr, "post", f"{url}/move-to", {"stage_key": stages[0].key, "reason": "补做笔试"}, HTTP_IF_MATCH=advanced["ETag"])
    assert back.status_code == 200 and back.json()["stage"]["key"] == stages[0].key
    wrong = send(hr, "post", f"{url}/move-to", {"stage_key": "nosuchstage", "reason": "x"})
    assert wrong.status_code == 422 and wrong.json()["fields"]["stage_id"] == ["该申请所用的流程版本中没有这个环节。"]
    assert send(hr, "post", f"{url}/advance", {}).status_code == 400  # the reason is required
    blank = send(hr, "post", f"{url}/advance", {"reason": "  "})
    assert blank.status_code == 422 and blank.json()["detail"] == "请填写原因。"
    held = send(hr, "post", f"{url}/hold", {"reason": "等待预算"})
    assert (held.json()["state"], held.json()["state_label"]) == ("on_hold", "暂停")
    assert send(hr, "post", f"{url}/advance", {"reason": "继续"}).status_code == 422
    assert send(hr, "post", f"{url}/resume", {"reason": "预算已批"}).json()["state"] == "active"
    not_started = send(hr, "post", f"/api/v1/applications/{world['apps'][2].pk}/advance", {"reason": "开始"})
    assert not_started.status_code == 422


def test_reject_and_hire_follow_the_decision_rules(hr, world):
    app, other = world["apps"][0], world["apps"][1]
    url = f"/api/v1/applications/{app.pk}"
    weak = send(hr, "post", f"{url}/reject", {"reason": "不行"})
    assert weak.status_code == 422 and "rationale" in weak.json()["fields"]
    unevaluated = send(hr, "post", f"{url}/reject", {"reason": REASON})
    assert unevaluated.status_code == 422 and "without_evaluation" in unevaluated.json()["fields"]
    ai_only = send(hr, "post", f"{url}/reject", {"reason": "AI 分数太低，微笑太少，语速过快，视线飘忽",
                                                 "without_evaluation": True, "without_evaluation_reason": "时间紧张来不及面试"})
    assert ai_only.status_code == 422
    assert Application.objects.get(pk=app.pk).status == "active" and not Decision.objects.exists()
    rejected = send(hr, "post", f"{url}/reject", {"reason": REASON, "without_evaluation": True,
                                                  "without_evaluation_reason": "内部转岗，已在原团队长期考察"})
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["state"]) == ("rejected", "rejected")
    hired = send(hr, "post", f"/api/v1/applications/{other.pk}/hire", {"reason": REASON, "without_evaluation": True,
                                                                        "without_evaluation_reason": "内部推荐，实习期间长期考察"})
    assert hired.status_code == 200 and (hired.json()["status"], hired.json()["status_label"]) == ("hired", "已录用")
    assert list(Decision.objects.order_by("pk").values_list("outcome", flat=True)) == ["reject", "hire"]


def test_panel_tenants_and_scopes(org, world, hr_admin, interviewer, hiring_manager, outsider):
    app = world["apps"][0]
    assign(world["position"], interviewer)
    assign(world["position"], hiring_manager, "hiring_manager")
    stage = world["version"].stages.order_by("order").first()
    stage.view_roles = ["hiring_manager"]
    stage.save()
    panel = api_client(make_api_key(interviewer)[1])
    rows = panel.get("/api/v1/applications/").json()["items"]
    assert sorted(a["candidate_name"] for a in rows) == ["张伟", "李强", "王芳"]  # not the other position's
    assert all(a["stage"] is None for a in rows)  # the stage they may not see is not named
    assert panel.get(f"/api/v1/applications/{world['apps'][0].pk}").json()["stage"] is None
    refused = send(panel, "post", f"/api/v1/applications/{app.pk}/advance", {"reason": "通过"})
    assert refused.status_code == 403
    assert send(panel, "post", f"/api/v1/applications/{app.pk}/reject", {"reason": REASON}).status_code == 403
    manager = api_client(make_api_key(hiring_manager)[1])
    assert manager.get(f"/api/v1/applications/{app.pk}").json()["stage"]["id"] == stage.pk
    assert send(manager, "post", f"/api/v1/applications/{app.pk}/advance", {"reason": "通过初筛"}).status_code == 200
    other_app = Application.objects.get(position=world["other"])
    assert manager.get(f"/api/v1/applications/{other_app.pk}").status_code == 404
    stranger = api_client(make_api_key(outsider)[1], language="en")
    assert stranger.get("/api/v1/applications/").json()["items"] == []
    missing = send(stranger, "post", f"/api/v1/applications/{app.pk}/advance", {"reason": "x"})
    assert missing.status_code == 404 and missing["Content-Language"] == "en"
    reader = api_client(make_api_key(hr_admin, ["applications:read"])[1])
    assert reader.get(f"/api/v1/applications/{app.pk}").status_code == 200
    assert send(reader, "post", f"/api/v1/applications/{app.pk}/hold", {"reason": "等等"}).status_code == 403
    wrong_domain = api_client(make_api_key(hr_admin, ["processes:write"])[1])
    assert wrong_domain.get("/api/v1/applications/").status_code == 403
    assert ApplicationProgress.objects.get(application=app).state == "active"
