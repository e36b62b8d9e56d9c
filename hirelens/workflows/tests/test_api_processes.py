"""Processes over the open API with an API key: list, get with stages (stage permissions), clone, publish,
activate — through the designer's services; tenants, roles and scopes as the pages."""

from __future__ import annotations

import json

import pytest

from hirelens.integrations.testing import api_client, make_api_key
from hirelens.workflows import services
from hirelens.workflows.models import Process, ProcessVersion

from .factories import assign, make_position, published_process

pytestmark = pytest.mark.django_db


def send(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def test_list_and_get_with_stages(hr, hr_admin, org, django_assert_max_num_queries):
    position = make_position(org, title="后端工程师")
    process, version = published_process(hr_admin, position)
    library = services.process_create(actor=hr_admin, position=None, name="通用模板", starter="technical")
    for i in range(3):
        services.process_create(actor=hr_admin, position=position, name=f"备选流程{i}")
    with django_assert_max_num_queries(8):
        first = hr.get("/api/v1/processes/", {"limit": 3})
    body = first.json()
    assert first.status_code == 200 and len(body["items"]) == 3 and body["next"]
    rest = hr.get("/api/v1/processes/", {"limit": 3, "cursor": body["next"]}).json()
    assert {p["id"] for p in body["items"] + rest["items"]} == set(Process.objects.values_list("pk", flat=True))
    mine = hr.get("/api/v1/processes/", {"position": position.pk}).json()["items"]
    active = next(p for p in mine if p["id"] == process.pk)
    assert active["is_active"] is True and active["latest_version"]["id"] == version.pk
    assert [p["id"] for p in hr.get("/api/v1/processes/", {"library": True}).json()["items"]] == [library.pk]
    got = hr.get(f"/api/v1/processes/{process.pk}")
    assert got.status_code == 200 and got["ETag"]
    detail = got.json()
    assert detail["position_title"] == "后端工程师" and [v["number"] for v in detail["versions"]] == [1]
    assert [s["key"] for s in detail["stages"]] == list(version.stages.order_by("order").values_list("key", flat=True))
    assert detail["draft"]["status"] == "draft" and len(detail["draft_stages"]) == len(detail["stages"])
    assert hr.get("/api/v1/processes/", {"cursor": "x"}).status_code == 400


def test_panel_sees_only_the_stages_it_may(org, hr_admin, interviewer, outsider):
    position = make_position(org)
    process, version = published_process(hr_admin, position)
    restricted = version.stages.order_by("order").last()
    restricted.view_roles = ["hiring_manager"]
    restricted.save()
    assign(position, interviewer)
    panel = api_client(make_api_key(interviewer)[1])
    detail = panel.get(f"/api/v1/processes/{process.pk}").json()
    keys = [s["key"] for s in detail["stages"]]
    all_keys = list(version.stages.order_by("order").values_list("key", flat=True))
    assert restricted.key not in keys and set(keys) < set(all_keys) and keys
    assert detail["draft"] is None and detail["draft_stages"] == []  # drafts are for the people who design
    refused = send(panel, "post", f"/api/v1/processes/{process.pk}/publish")
    assert refused.status_code == 403
    assert send(panel, "post", f"/api/v1/processes/{process.pk}/clone", {}).status_code == 403
    assert ProcessVersion.objects.filter(process=process, status="published").count() == 1
    assert Process.objects.count() == 1
    stranger = api_client(make_api_key(outsider)[1])
    assert stranger.get(f"/api/v1/processes/{process.pk}").status_code == 404
    assert stranger.get("/api/v1/processes/").json()["items"] == []
    assert send(stranger, "post", f"/api/v1/processes/{process.pk}/clone", {}).status_code == 404


def test_clone_publish_activate(hr, hr_admin, org):
    source_position, target = make_position(org, title="销售代表"), make_position(org, title="大客户销售")
    process, _version = published_process(hr_admin, source_position)
    cloned = send(hr, "post", f"/api/v1/processes/{process.pk}/clone", {"position_id": target.pk, "name": "销售流程"},
                  HTTP_IDEMPOTENCY_KEY="clone-1")
    assert cloned.status_code == 201
    copy = cloned.json()
    assert (copy["name"], copy["position_id"], copy["cloned_from_id"], copy["latest_version"]) == ("销售流程", target.pk, process.pk, None)
    again = send(hr, "post", f"/api/v1/processes/{process.pk}/clone", {"position_id": target.pk, "name": "销售流程"},
                 HTTP_IDEMPOTENCY_KEY="clone-1")
    assert again.json()["id"] == copy["id"] and Process.objects.filter(name="销售流程").count() == 1
    etag = hr.get(f"/api/v1/processes/{copy['id']}")["ETag"]
    published = send(hr, "post", f"/api/v1/processes/{copy['id']}/publish", {"note": "首个版本"}, HTTP_IF_MATCH=etag)
    assert published.status_code == 201 and (published.json()["number"], published.json()["status"]) == (1, "published")
    stale = send(hr, "post", f"/api/v1/processes/{copy['id']}/publish", {"note": "再发布"}, HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    activated = send(hr, "post", f"/api/v1/processes/{copy['id']}/activate")
    assert activated.status_code == 200 and activated.json()["is_active"] is True
    empty = services.process_create(actor=hr_admin, position=target, name="空流程")
    refused = send(hr, "post", f"/api/v1/processes/{empty.pk}/publish", {})
    assert refused.status_code == 422 and refused.json()["detail"] == "流程至少需要一个环节才能发布。"
    assert send(hr, "post", f"/api/v1/processes/{empty.pk}/activate").status_code == 422
    assert send(hr, "post", f"/api/v1/processes/{process.pk}/clone", {"position_id": "abc"}).status_code == 400


def test_scope_and_english(hr_admin, org):
    position = make_position(org)
    process, _version = published_process(hr_admin, position)
    reader = api_client(make_api_key(hr_admin, ["processes:read"])[1], language="en")
    assert reader.get(f"/api/v1/processes/{process.pk}").status_code == 200
    denied = send(reader, "post", f"/api/v1/processes/{process.pk}/publish", {})
    assert denied.status_code == 403 and denied.json()["required_scope"] == "processes:write"
    assert denied["Content-Language"] == "en"
    stages = reader.get(f"/api/v1/processes/{process.pk}").json()["stages"]
    assert stages and all(s["module"] for s in stages)
