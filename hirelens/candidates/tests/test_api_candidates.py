"""Candidates over the open API with an API key (issue 21): the list as the house rule (cursor / limit / next, plus
count), ETag and If-Match, idempotent creates, documents and their review, tags, status labels; tenants, roles
and scopes as the pages."""

from __future__ import annotations

import json

import pytest

from hirelens.candidates import services
from hirelens.candidates.models import Application, Candidate, Document
from hirelens.core.models import AuditEvent
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.positions.tests.factories import PositionAssignmentFactory, PositionFactory

from . import documents as d
from .factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def send(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def test_list_pages_by_cursor_with_count_labels_and_one_audit_entry(hr, hr_admin, django_assert_max_num_queries):
    for i in range(5):
        services.candidate_create(actor=hr_admin, full_name=f"候选人{i}", phone=f"1380013800{i}", tags=["校招"] if i < 2 else [])
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(12):
        first = hr.get("/api/v1/candidates/", {"limit": 2})
    body = first.json()
    assert first.status_code == 200 and body["count"] == 5 and len(body["items"]) == 2 and body["next"]
    assert (body["items"][0]["source"], body["items"][0]["source_label"]) == ("manual", "手动录入")
    assert body["items"][0]["resume_status_label"] == "未上传"
    entries = list(AuditEvent.objects.filter(pk__gt=last, action="read"))
    assert len(entries) == 1 and len(entries[0].targets) == 2
    seen, cursor = [c["id"] for c in body["items"]], body["next"]
    while cursor:
        page = hr.get("/api/v1/candidates/", {"limit": 2, "cursor": cursor}).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next"]
    assert sorted(seen) == sorted(Candidate.objects.values_list("pk", flat=True))
    tagged = hr.get("/api/v1/candidates/", {"tag": "校招"}).json()
    assert tagged["count"] == 2 and all(c["tags"] == ["校招"] for c in tagged["items"])
    bad = hr.get("/api/v1/candidates/", {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    assert bad["Content-Type"] == "application/problem+json"
    assert hr.get("/api/v1/candidates/", {"limit": 500}).status_code == 400
    assert [t["name"] for t in hr.get("/api/v1/candidates/tags").json()] == ["校招"]


def test_etag_if_match_and_idempotent_create(hr, hr_admin):
    data = {"full_name": "张伟", "phone": "13800138000", "tags": ["校招"]}
    created = send(hr, "post", "/api/v1/candidates/", data, HTTP_IDEMPOTENCY_KEY="cand-1")
    assert created.status_code == 201
    again = send(hr, "post", "/api/v1/candidates/", data, HTTP_IDEMPOTENCY_KEY="cand-1")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"] and Candidate.objects.count() == 1
    url = f"/api/v1/candidates/{created.json()['id']}"
    etag = hr.get(url)["ETag"]
    assert etag.startswith('"')
    patched = send(hr, "patch", url, {"email": "ZW@example.com", "tags": ["社招"]}, HTTP_IF_MATCH=etag)
    assert patched.status_code == 200 and patched["ETag"] != etag
    assert (patched.json()["email"], patched.json()["tags"]) == ("zw@example.com", ["社招"])
    stale = send(hr, "patch", url, {"address": "上海"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert Candidate.objects.get().address == ""
    assert send(hr, "patch", url, {"id_number": "110105194912310021"}).status_code == 422
    assert send(hr, "patch", url, {"tags": "not-a-list"}).status_code == 400
    position = PositionFactory(organization=hr_admin.organization)
    apps = [send(hr, "post", f"{url}/applications", {"position_id": position.pk}, HTTP_IDEMPOTENCY_KEY="app-1") for _ in range(2)]
    assert [a.status_code for a in apps] == [201, 201] and Application.objects.count() == 1
    assert (apps[0].json()["status"], apps[0].json()["status_label"]) == ("active", "进行中")


def test_documents_list_and_review(hr, hr_admin):
    c = services.candidate_create(actor=hr_admin, full_name="甲", phone="13800138001")
    uploaded = hr.post(f"/api/v1/candidates/{c.pk}/documents", {"doc_type": "degree", "file": d.upload(d.pdf_bytes(["学位证书"]), "学位.pdf")})
    assert uploaded.status_code == 201
    doc = uploaded.json()
    assert (doc["doc_type_label"], doc["review_status"], doc["review_status_label"]) == ("学位证书", "pending", "待审核")
    listed = hr.get(f"/api/v1/candidates/{c.pk}/documents").json()
    assert [x["id"] for x in listed] == [doc["id"]]
    url = f"/api/v1/candidates/{c.pk}/documents/{doc['id']}/review"
    reviewed = send(hr, "post", url, {"status": "approved", "note": "学信网已核验"})
    assert reviewed.status_code == 200 and (reviewed.json()["review_status_label"], reviewed.json()["review_note"]) == ("已通过", "学信网已核验")
    stale = send(hr, "post", url, {"status": "rejected"}, HTTP_IF_MATCH='"old"')
    assert stale.status_code == 412 and Document.objects.get().review_status == "approved"
    bad = send(hr, "post", url, {"status": "maybe"})
    assert bad.status_code == 422 and "status" in bad.json()["fields"]
    assert send(hr, "post", url, {}).status_code == 400


def test_tenants_roles_scopes_and_english(hr_admin, interviewer, outsider):
    mine = ApplicationFactory(candidate__organization=hr_admin.organization)
    PositionAssignmentFactory(position=mine.position, user=interviewer, role="interviewer")
    doc = Document.objects.create(organization=hr_admin.organization, candidate=mine.candidate, filename="a.pdf",
                                  content_type="application/pdf", size=3, file=d.upload(b"%PDF", "a.pdf"))
    cid = mine.candidate.pk
    stranger = api_client(make_api_key(outsider)[1])
    assert stranger.get(f"/api/v1/candidates/{cid}").status_code == 404
    assert send(stranger, "post", f"/api/v1/candidates/{cid}/documents/{doc.pk}/review", {"status": "approved"}).status_code == 404
    assert stranger.get("/api/v1/candidates/tags").json() == []
    panel = api_client(make_api_key(interviewer)[1])
    assert panel.get(f"/api/v1/candidates/{cid}").status_code == 200
    assert send(panel, "post", f"/api/v1/candidates/{cid}/documents/{doc.pk}/review", {"status": "approved"}).status_code == 404
    assert send(panel, "post", "/api/v1/candidates/", {"full_name": "x"}).status_code == 403
    assert Document.objects.get().review_status == "pending" and Candidate.objects.count() == 1
    english = api_client(make_api_key(hr_admin, ["candidates:read"])[1], language="en")
    got = english.get(f"/api/v1/candidates/{cid}")
    assert got.status_code == 200 and got.json()["applications"][0]["status_label"] == "In progress"
    denied = send(english, "patch", f"/api/v1/candidates/{cid}", {"address": "Shanghai"})
    assert denied.status_code == 403 and denied.json()["required_scope"] == "candidates:write"
    assert denied["Content-Language"] == "en"
    assert api_client(make_api_key(hr_admin, ["positions:read"])[1]).get("/api/v1/candidates/").status_code == 403
