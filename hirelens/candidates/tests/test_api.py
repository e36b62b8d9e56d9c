import json

import pytest

from hirelens.candidates import services
from hirelens.candidates.models import Candidate
from hirelens.core.models import AuditEvent
from hirelens.positions.tests.factories import PositionAssignmentFactory, PositionFactory

from . import documents as d
from .factories import ApplicationFactory


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_create_read_update_search(hr_admin, client):
    client.force_login(hr_admin)
    response = post_json(client, "/api/v1/candidates/", {"full_name": "张伟", "phone": "+86 138 0013 8000", "tags": ["校招"]})
    assert response.status_code == 201
    body = response.json()
    assert (body["full_name"], body["phone"], body["source"], body["tags"]) == ("张伟", "13800138000", "api", ["校招"])
    cid = body["id"]
    duplicate = post_json(client, "/api/v1/candidates/", {"full_name": "又一个", "phone": "13800138000"})
    assert duplicate.status_code == 422 and duplicate.json()["duplicates"] == [cid]
    assert duplicate.json()["fields"]["__all__"] == ["已有 1 位候选人的手机号、邮箱或身份证号相同。"]
    bad = post_json(client, "/api/v1/candidates/", {"full_name": "x", "id_number": "110105194912310021"})
    assert bad.status_code == 422 and bad.json()["fields"] == {"id_number": ["身份证号校验位或出生日期不正确。"]}
    patched = post_json(client, f"/api/v1/candidates/{cid}", {"email": "ZW@example.com"}, method="patch").json()
    assert patched["email"] == "zw@example.com"
    found = client.get("/api/v1/candidates/", {"q": "张伟"}).json()
    assert found["count"] == 1 and found["items"][0]["id"] == cid
    assert client.get("/api/v1/candidates/", {"q": "zw@example.com"}).json()["count"] == 1
    timeline = client.get(f"/api/v1/candidates/{cid}/timeline").json()
    assert [e["kind"] for e in timeline] == ["updated", "created"] and timeline[0]["text"] == "修改了：邮箱"
    # the timeline read is audited too (issue 15, item 8); each search is one bulk entry naming the candidate (issue 16)
    assert AuditEvent.objects.filter(action="read", object_id=str(cid)).count() == 1 + 1
    bulk = AuditEvent.objects.filter(action="read", targets__icontains=f'"candidates.candidate:{cid}"')
    assert [(e.object_id, e.targets, e.fields) for e in bulk] == [("", [f"candidates.candidate:{cid}"], ["email", "full_name", "phone", "skills"])] * 2


def test_documents_and_applications(hr_admin, client):
    client.force_login(hr_admin)
    c = services.candidate_create(actor=hr_admin, full_name="甲", phone="13800138001")
    position = PositionFactory(organization=hr_admin.organization)
    response = client.post(f"/api/v1/candidates/{c.pk}/documents", {"doc_type": "certificate", "file": d.upload(d.png_bytes(), "证书.png")})
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    doc_id = response.json()["id"]
    assert [x["id"] for x in client.get(f"/api/v1/candidates/{c.pk}/documents").json()] == [doc_id]
    assert b"".join(client.get(f"/api/v1/candidates/{c.pk}/documents/{doc_id}/file").streaming_content) == d.png_bytes()
    bad = client.post(f"/api/v1/candidates/{c.pk}/documents", {"doc_type": "other", "file": d.upload(b"#!/bin/sh", "a.pdf")})
    assert bad.status_code == 422
    app = post_json(client, f"/api/v1/candidates/{c.pk}/applications", {"position_id": position.pk, "stage": "初筛"}).json()
    assert (app["position"], app["stage"], app["status"]) == (position.title, "初筛", "active")
    # Hiring is a decision (S1): refused without a reason, accepted with one (here flagged as made without evaluation).
    url = f"/api/v1/candidates/{c.pk}/applications/{app['id']}"
    assert post_json(client, url, {"status": "hired"}, method="patch").status_code == 422
    app = post_json(client, url, {"status": "hired", "reason": "试用项目完成得很好，团队一致认可",
                                  "without_evaluation": True, "without_evaluation_reason": "内部推荐，已在实习期间长期考察"},
                    method="patch").json()
    assert app["status"] == "hired"


def test_api_scoped_like_the_pages(hr_admin, interviewer, outsider, client):
    mine = ApplicationFactory(candidate__organization=hr_admin.organization)
    other = ApplicationFactory(candidate=mine.candidate)
    hidden = ApplicationFactory(candidate__organization=hr_admin.organization)
    PositionAssignmentFactory(position=mine.position, user=interviewer, role="interviewer")
    cid = mine.candidate.pk
    client.force_login(outsider)
    for url in (f"/api/v1/candidates/{cid}", f"/api/v1/candidates/{cid}/documents", f"/api/v1/candidates/{cid}/timeline",
                f"/api/v1/candidates/{cid}/applications"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/candidates/").json()["count"] == 0
    assert post_json(client, f"/api/v1/candidates/{cid}", {"full_name": "x"}, method="patch").status_code == 404
    client.force_login(interviewer)
    assert [i["id"] for i in client.get("/api/v1/candidates/").json()["items"]] == [cid]
    assert client.get(f"/api/v1/candidates/{hidden.candidate.pk}").status_code == 404
    apps = client.get(f"/api/v1/candidates/{cid}/applications").json()
    assert [a["id"] for a in apps] == [mine.pk] and other.pk not in [a["id"] for a in apps]
    before = Candidate.objects.get(pk=cid).full_name
    assert post_json(client, f"/api/v1/candidates/{cid}", {"full_name": "x"}, method="patch").status_code == 404
    assert post_json(client, "/api/v1/candidates/", {"full_name": "x"}).status_code == 403
    assert Candidate.objects.get(pk=cid).full_name == before and Candidate.objects.count() == 2


@pytest.mark.django_db
def test_api_requires_login(client):
    assert client.get("/api/v1/candidates/").status_code == 401
