"""Live interviews and slots over the open API with an API key: list (filters, names, one audit entry per page),
get (ETag), schedule (idempotent), reschedule and cancel (If-Match), offer and list slots; through the scheduling
services, with their conflict and time checks; tenants, roles and scopes as the pages."""

from __future__ import annotations

import json

import pytest

from hirelens.core.models import AuditEvent
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.scheduling import services
from hirelens.scheduling.models import Interview, InterviewSlot
from hirelens.workflows.tests.factories import make_application, make_position

from .conftest import at, local

pytestmark = pytest.mark.django_db


def send(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def schedule(hr_admin, application, interviewers, day=3, hour=10):
    return services.interview_schedule(actor=hr_admin, application=application, start=at(day, hour), end=at(day, hour + 1),
                                       interviewers=interviewers)


def test_list_filters_names_and_audit(hr, hr_admin, position, interviewer, hiring_manager, org, django_assert_max_num_queries):
    people = [make_application(position, name) for name in ("王芳", "李强", "张伟")]
    for day, application in enumerate(people, start=2):
        schedule(hr_admin, application, [interviewer, hiring_manager] if day == 2 else [hiring_manager], day=day)
    elsewhere = make_position(org, title="财务")
    schedule(hr_admin, make_application(elsewhere, "赵磊"), [hr_admin], day=6)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(10):
        response = hr.get("/api/v1/scheduling/interviews", {"limit": 2})
    body = response.json()
    assert response.status_code == 200 and [i["candidate_name"] for i in body["items"]] == ["王芳", "李强"]
    entries = list(AuditEvent.objects.filter(pk__gt=last, action="read"))
    assert len(entries) == 1 and len(entries[0].targets) == 2
    first = body["items"][0]
    assert [p["name"] for p in first["interviewers"]] == [interviewer.full_name, hiring_manager.full_name]
    assert (first["status"], first["status_label"], first["position_title"]) == ("scheduled", "已安排", "销售代表")
    rest = hr.get("/api/v1/scheduling/interviews", {"limit": 2, "cursor": body["next"]}).json()
    assert [i["candidate_name"] for i in rest["items"]] == ["张伟", "赵磊"] and rest["next"] is None
    by_position = hr.get("/api/v1/scheduling/interviews", {"position": elsewhere.pk}).json()["items"]
    assert [i["candidate_name"] for i in by_position] == ["赵磊"]
    assert [i["candidate_name"] for i in hr.get("/api/v1/scheduling/interviews", {"mine": True}).json()["items"]] == ["赵磊"]
    assert hr.get("/api/v1/scheduling/interviews", {"status": "cancelled"}).json()["items"] == []
    assert len(hr.get("/api/v1/scheduling/interviews", {"upcoming": True}).json()["items"]) == 4
    assert hr.get("/api/v1/scheduling/interviews", {"limit": 0}).status_code == 400
    assert hr.get("/api/v1/scheduling/interviews", {"cursor": "zz"}).status_code == 400


def test_schedule_reschedule_cancel(hr, position, application, interviewer):
    data = {"application_id": application.pk, "start": local(4, 10), "end": local(4, 11), "interviewer_ids": [interviewer.pk],
            "title": "技术复试"}
    created = send(hr, "post", "/api/v1/scheduling/interviews", data, HTTP_IDEMPOTENCY_KEY="iv-1")
    assert created.status_code == 201
    body = created.json()
    assert (body["candidate_name"], body["title"], body["time_zone"], body["interviewer_ids"]) == ("赵磊", "技术复试", "Asia/Shanghai", [interviewer.pk])
    again = send(hr, "post", "/api/v1/scheduling/interviews", data, HTTP_IDEMPOTENCY_KEY="iv-1")
    assert again.json()["id"] == body["id"] and Interview.objects.count() == 1
    clash = send(hr, "post", "/api/v1/scheduling/interviews", {**data, "title": "又一场"})
    assert clash.status_code == 422 and clash.json()["detail"].startswith("时间冲突")
    past = send(hr, "post", "/api/v1/scheduling/interviews", {**data, "start": "2020-01-01T10:00", "end": "2020-01-01T11:00"})
    assert past.status_code == 422 and past.json()["detail"] == "不能安排在过去的时间。"
    stranger_id = send(hr, "post", "/api/v1/scheduling/interviews", {**data, "interviewer_ids": [999999]})
    assert stranger_id.status_code == 422 and "interviewer_ids" in stranger_id.json()["fields"]
    assert send(hr, "post", "/api/v1/scheduling/interviews", {"application_id": application.pk}).status_code == 400
    url = f"/api/v1/scheduling/interviews/{body['id']}"
    got = hr.get(url)
    etag = got["ETag"]
    moved = send(hr, "post", f"{url}/reschedule", {"start": local(5, 14), "end": local(5, 15), "reason": "面试官出差"},
                 HTTP_IF_MATCH=etag)
    assert moved.status_code == 200 and moved.json()["sequence"] == 1 and moved["ETag"] != etag
    stale = send(hr, "post", f"{url}/cancel", {"reason": "候选人已接受其他机会"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and Interview.objects.get(pk=body["id"]).status == "scheduled"
    assert send(hr, "post", f"{url}/cancel", {"reason": "  "}).status_code == 422
    cancelled = send(hr, "post", f"{url}/cancel", {"reason": "候选人已接受其他机会"}, HTTP_IF_MATCH=moved["ETag"])
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "候选人已接受其他机会")
    assert send(hr, "post", f"{url}/reschedule", {"start": local(6, 9), "end": local(6, 10)}).status_code == 422


def test_slots_offer_list_cancel(hr, position, application, interviewer):
    offered = send(hr, "post", "/api/v1/scheduling/slots", {"position_id": position.pk, "start": local(3, 9), "end": local(3, 10),
                                                             "interviewer_ids": [interviewer.pk], "application_id": application.pk},
                   HTTP_IDEMPOTENCY_KEY="slot-1")
    assert offered.status_code == 201 and offered.json()["candidate_name"] == "赵磊"
    general = send(hr, "post", "/api/v1/scheduling/slots", {"position_id": position.pk, "start": local(3, 11), "end": local(3, 12),
                                                             "interviewer_ids": [interviewer.pk]})
    assert general.status_code == 201 and general.json()["candidate_name"] is None
    overlap = send(hr, "post", "/api/v1/scheduling/slots", {"position_id": position.pk, "start": local(3, 9), "end": local(3, 10),
                                                             "interviewer_ids": [interviewer.pk]})
    assert overlap.status_code == 422 and overlap.json()["detail"] == "与同一面试官已开放的时间段重叠。"
    listed = hr.get("/api/v1/scheduling/slots", {"position": position.pk, "open": True}).json()["items"]
    assert [s["id"] for s in listed] == [offered.json()["id"], general.json()["id"]]
    assert listed[0]["status_label"] == "可预约"
    withdrawn = send(hr, "post", f"/api/v1/scheduling/slots/{general.json()['id']}/cancel")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "cancelled"
    assert InterviewSlot.objects.filter(status="open").count() == 1


def test_tenants_roles_scopes_and_english(hr_admin, position, application, interviewer, outsider, org):
    interview = schedule(hr_admin, application, [interviewer])
    hidden = schedule(hr_admin, make_application(make_position(org, title="财务"), "孙悦"), [hr_admin], day=4)
    url = f"/api/v1/scheduling/interviews/{interview.pk}"
    panel = api_client(make_api_key(interviewer)[1])
    assert [i["id"] for i in panel.get("/api/v1/scheduling/interviews").json()["items"]] == [interview.pk]
    assert panel.get(f"/api/v1/scheduling/interviews/{hidden.pk}").status_code == 404
    assert send(panel, "post", f"{url}/cancel", {"reason": "不想面了"}).status_code == 403
    assert send(panel, "post", "/api/v1/scheduling/interviews", {"application_id": application.pk, "start": local(5, 10),
                                                                 "end": local(5, 11), "interviewer_ids": [interviewer.pk]}).status_code == 403
    assert send(panel, "post", "/api/v1/scheduling/slots", {"position_id": position.pk, "start": local(5, 10),
                                                            "end": local(5, 11), "interviewer_ids": [interviewer.pk]}).status_code == 403
    assert Interview.objects.get(pk=interview.pk).status == "scheduled" and Interview.objects.count() == 2
    assert not InterviewSlot.objects.exists()
    stranger = api_client(make_api_key(outsider)[1])
    assert stranger.get(url).status_code == 404 and stranger.get("/api/v1/scheduling/interviews").json()["items"] == []
    assert send(stranger, "post", f"{url}/cancel", {"reason": "x"}).status_code == 404
    reader = api_client(make_api_key(hr_admin, ["scheduling:read"])[1], language="en")
    got = reader.get(url)
    assert got.status_code == 200 and got.json()["status_label"] == "Scheduled"
    denied = send(reader, "post", f"{url}/cancel", {"reason": "cancelled by HR"})
    assert denied.status_code == 403 and denied.json()["required_scope"] == "scheduling:write"
    assert denied["Content-Language"] == "en"
