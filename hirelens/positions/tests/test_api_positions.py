"""Positions over the open API, with an API key: list, get (ETag), create (idempotent), patch (If-Match),
close / reopen; tenants, roles and scopes as the pages."""

from __future__ import annotations

import json

import pytest

from hirelens.integrations.testing import api_client, make_api_key
from hirelens.positions.models import Position
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = pytest.mark.django_db


def send(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def test_list_filters_pages_and_names_the_active_process(hr, hr_admin, org, django_assert_max_num_queries):
    sales = make_position(org, title="销售代表", department="销售部")
    process, version = published_process(hr_admin, sales)
    for i in range(4):
        make_position(org, title=f"工程师{i}", department="技术部", status="closed" if i == 0 else "open")
    make_application(sales, "王芳")
    with django_assert_max_num_queries(8):
        first = hr.get("/api/v1/positions/", {"limit": 3})
    assert first.status_code == 200
    body = first.json()
    assert len(body["items"]) == 3 and body["next"]
    rest = hr.get("/api/v1/positions/", {"limit": 3, "cursor": body["next"]}).json()
    assert rest["next"] is None
    ids = [p["id"] for p in body["items"] + rest["items"]]
    assert len(ids) == 5 == len(set(ids))
    found = hr.get("/api/v1/positions/", {"search": "销售代"}).json()["items"]
    assert [(p["id"], p["status"], p["status_label"], p["application_count"]) for p in found] == [(sales.pk, "open", "招聘中", 1)]
    assert found[0]["process"] == {"id": process.pk, "name": process.name, "version_id": version.pk, "version_number": 1}
    closed = hr.get("/api/v1/positions/", {"status": "closed"}).json()["items"]
    assert [p["title"] for p in closed] == ["工程师0"]
    assert hr.get("/api/v1/positions/", {"cursor": "forged"}).status_code == 400
    assert hr.get("/api/v1/positions/", {"limit": 101}).status_code == 400


def test_get_etag_patch_if_match_close_reopen(hr, org):
    position = make_position(org, title="数据分析师")
    url = f"/api/v1/positions/{position.pk}"
    got = hr.get(url)
    assert got.status_code == 200 and got.json()["process"] is None
    etag = got["ETag"]
    changed = send(hr, "patch", url, {"location": "北京", "keywords": ["SQL", "Python"]}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert (changed.json()["location"], changed.json()["keywords"]) == ("北京", ["SQL", "Python"])
    stale = send(hr, "patch", url, {"location": "深圳"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert Position.objects.get(pk=position.pk).location == "北京"
    closed = send(hr, "post", f"{url}/close", HTTP_IF_MATCH=changed["ETag"])
    assert closed.status_code == 200 and (closed.json()["status"], closed.json()["status_label"]) == ("closed", "已关闭")
    assert send(hr, "post", f"{url}/reopen", HTTP_IF_MATCH=changed["ETag"]).status_code == 412
    reopened = send(hr, "post", f"{url}/reopen")
    assert reopened.json()["status"] == "open" and Position.objects.get(pk=position.pk).status == "open"
    bad = send(hr, "patch", url, {"time_zone": "Mars/Base"})
    assert bad.status_code == 422 and "Mars/Base" in bad.json()["detail"]
    assert send(hr, "patch", url, {"status": "paused"}).status_code == 422
    assert send(hr, "patch", url, {"advance_notice_days": "many"}).status_code == 400


def test_create_is_idempotent_and_validated(hr, hr_admin):
    data = {"title": "产品经理", "department": "产品部", "keywords": ["需求", "原型"]}
    first = send(hr, "post", "/api/v1/positions/", data, HTTP_IDEMPOTENCY_KEY="pos-1")
    assert first.status_code == 201
    again = send(hr, "post", "/api/v1/positions/", data, HTTP_IDEMPOTENCY_KEY="pos-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert Position.objects.filter(title="产品经理").count() == 1
    assert first.json()["scorecard_dimensions"] == ["沟通能力", "专业技能", "团队协作", "学习能力"]
    other = send(hr, "post", "/api/v1/positions/", {"title": "别的"}, HTTP_IDEMPOTENCY_KEY="pos-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert send(hr, "post", "/api/v1/positions/", {"department": "无名"}).status_code == 400
    assert send(hr, "post", "/api/v1/positions/", {"title": "x", "time_zone": "Nowhere"}).status_code == 422


def test_tenants_roles_and_scopes(org, hr_admin, interviewer, outsider):
    mine = make_position(org, title="后端工程师")
    hidden = make_position(org, title="销售代表")
    assign(mine, interviewer)
    stranger = api_client(make_api_key(outsider)[1])
    assert stranger.get(f"/api/v1/positions/{mine.pk}").status_code == 404
    assert stranger.get("/api/v1/positions/").json()["items"] == []
    assert send(stranger, "post", f"/api/v1/positions/{mine.pk}/close").status_code == 404
    panel = api_client(make_api_key(interviewer)[1])
    assert [p["id"] for p in panel.get("/api/v1/positions/").json()["items"]] == [mine.pk]
    assert panel.get(f"/api/v1/positions/{hidden.pk}").status_code == 404
    refused = send(panel, "post", f"/api/v1/positions/{mine.pk}/close")
    assert refused.status_code == 403 and refused.json()["title"] == "没有权限。"
    assert send(panel, "post", "/api/v1/positions/", {"title": "x"}).status_code == 403
    assert Position.objects.get(pk=mine.pk).status == "open" and Position.objects.count() == 2
    read_only = api_client(make_api_key(hr_admin, ["positions:read"])[1], language="en")
    assert read_only.get(f"/api/v1/positions/{mine.pk}").status_code == 200
    denied = send(read_only, "patch", f"/api/v1/positions/{mine.pk}", {"title": "改名"})
    assert denied.status_code == 403 and denied.json()["code"] == "insufficient_scope"
    assert denied["Content-Language"] == "en" and denied.json()["required_scope"] == "positions:write"
    other_scope = api_client(make_api_key(hr_admin, ["candidates:write"])[1])
    assert other_scope.get("/api/v1/positions/").status_code == 403
    assert Position.objects.get(pk=mine.pk).title == "后端工程师"


def test_english_labels_and_problems(hr_admin, org):
    position = make_position(org, title="Designer", status="closed")
    en = api_client(make_api_key(hr_admin)[1], language="en")
    assert en.get(f"/api/v1/positions/{position.pk}").json()["status_label"] == "Closed"
    missing = en.get("/api/v1/positions/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found" and missing["Content-Language"] == "en"
