"""The webhooks API with a real API key (scope webhooks): endpoints, rotation, the delivery log, resend; another
organization's objects answer 404, other roles and scopes 403, bad input 400/422, problem titles in English."""

from __future__ import annotations

import pytest

from hirelens.core import events
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.webhooks import services
from hirelens.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks"


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin, ["webhooks:write"])[1])


def make(actor, receiver, types=("decision.recorded",)):
    return services.endpoint_create(actor=actor, url=receiver.url, event_types=list(types))[0]


def test_create_read_update_delete_an_endpoint(hr, hr_admin, receiver):
    response = hr.post(f"{BASE}/endpoints", {"url": receiver.url, "event_types": ["interview.analysed", "decision.recorded"],
                                             "description": "HRIS"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
    assert body["event_types"] == ["decision.recorded", "interview.analysed"]
    assert body["event_labels"] == ["已记录决定", "AI 视频面试分析完成"]
    read = hr.get(f"{BASE}/endpoints/{endpoint.pk}")
    assert read.status_code == 200 and "secret" not in read.json() and read["ETag"]
    stale = read["ETag"]
    changed = hr.patch(f"{BASE}/endpoints/{endpoint.pk}", {"active": False}, content_type="application/json", HTTP_IF_MATCH=stale)
    assert changed.status_code == 200 and changed.json()["active"] is False and changed["ETag"] != stale
    again = hr.patch(f"{BASE}/endpoints/{endpoint.pk}", {"active": True}, content_type="application/json", HTTP_IF_MATCH=stale)
    assert again.status_code == 412 and again.json()["code"] == "precondition_failed"
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active is False
    listed = hr.get(f"{BASE}/endpoints?limit=1").json()
    assert [e["id"] for e in listed["items"]] == [endpoint.pk] and listed["next"] is None
    assert hr.delete(f"{BASE}/endpoints/{endpoint.pk}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_create_is_idempotent_with_a_key(hr, receiver):
    payload = {"url": receiver.url, "event_types": ["candidate.created"]}
    first = hr.post(f"{BASE}/endpoints", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    second = hr.post(f"{BASE}/endpoints", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert WebhookEndpoint.objects.count() == 1


def test_rotate_returns_a_new_secret_and_keeps_the_old_one_for_a_day(hr, hr_admin, receiver):
    endpoint, old = services.endpoint_create(actor=hr_admin, url=receiver.url, event_types=["candidate.created"])
    response = hr.post(f"{BASE}/endpoints/{endpoint.pk}/rotate-secret")
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert response.json()["secret"] == endpoint.secret != old and endpoint.previous_secret == old
    assert response.json()["rotation_ends_at"] is not None


def test_delivery_log_filters_pages_shows_tries_and_resends(hr, hr_admin, org, receiver, django_capture_on_commit_callbacks,
                                                            django_assert_max_num_queries):
    endpoint = make(hr_admin, receiver)
    receiver.answer((500, "boom"))
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=n, application_id=100 + n, outcome="hire"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        hr.get(f"{BASE}/endpoints/{endpoint.pk}/deliveries?limit=1")
    with django_assert_max_num_queries(len(one.captured_queries)):  # the page's cost does not grow with its size
        page = hr.get(f"{BASE}/endpoints/{endpoint.pk}/deliveries?limit=2").json()
    assert len(page["items"]) == 2 and page["next"]
    rest = hr.get(f"{BASE}/endpoints/{endpoint.pk}/deliveries?limit=2&cursor={page['next']}").json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    pending = hr.get(f"{BASE}/endpoints/{endpoint.pk}/deliveries?status=pending").json()["items"]
    assert [(d["status"], d["status_label"], d["last_status_code"], d["last_error_label"]) for d in pending] == [
        ("pending", "等待发送", 500, "接收方没有返回 2xx")]
    detail = hr.get(f"{BASE}/endpoints/{endpoint.pk}/deliveries/{pending[0]['id']}")
    assert detail.status_code == 200 and detail["ETag"]
    assert [(t["status_code"], t["response_excerpt"], t["error"]) for t in detail.json()["tries"]] == [(500, "boom", "http_status")]
    delivered = WebhookDelivery.objects.filter(state="delivered").first()
    with django_capture_on_commit_callbacks(execute=True):
        resent = hr.post(f"{BASE}/endpoints/{endpoint.pk}/deliveries/{delivered.pk}/resend")
    assert resent.status_code == 201 and resent.json()["resent_from"] == delivered.pk
    assert receiver.requests[-1].body == delivered.body
    assert hr.get(f"{BASE}/endpoints/{endpoint.pk}/deliveries?status=nonsense").status_code == 400


def test_another_organizations_endpoint_is_not_found(hr, outsider, receiver, org):
    foreign = make(outsider, receiver)
    events.emit(events.DecisionRecorded(organization_id=foreign.organization_id, decision_id=1, application_id=1, outcome="hire"))
    delivery = WebhookDelivery.objects.get()
    for method, url in (("get", f"{BASE}/endpoints/{foreign.pk}"), ("patch", f"{BASE}/endpoints/{foreign.pk}"),
                        ("delete", f"{BASE}/endpoints/{foreign.pk}"), ("post", f"{BASE}/endpoints/{foreign.pk}/rotate-secret"),
                        ("get", f"{BASE}/endpoints/{foreign.pk}/deliveries"),
                        ("post", f"{BASE}/endpoints/{foreign.pk}/deliveries/{delivery.pk}/resend")):
        response = getattr(hr, method)(url, {} if method == "patch" else None, content_type="application/json")
        assert response.status_code == 404, (method, url)
    assert WebhookEndpoint.objects.get(pk=foreign.pk).secret == WebhookEndpoint.objects.get(pk=foreign.pk).secret
    assert WebhookEndpoint.objects.filter(pk=foreign.pk).exists() and WebhookDelivery.objects.count() == 1


def test_other_roles_and_scopes_are_refused(recruiter, hr_admin, receiver):
    endpoint = make(hr_admin, receiver)
    wrong_role = api_client(make_api_key(recruiter, ["webhooks:write"])[1])
    assert wrong_role.get(f"{BASE}/endpoints").status_code == 403
    assert wrong_role.post(f"{BASE}/endpoints/{endpoint.pk}/rotate-secret").status_code == 403
    read_only = api_client(make_api_key(hr_admin, ["webhooks:read"])[1], "en")
    assert read_only.get(f"{BASE}/endpoints").status_code == 200
    refused = read_only.delete(f"{BASE}/endpoints/{endpoint.pk}")
    assert refused.status_code == 403 and WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    other_scope = api_client(make_api_key(hr_admin, ["candidates:write"])[1])
    assert other_scope.get(f"{BASE}/endpoints").status_code == 403


def test_bad_input_is_refused_with_problem_details(hr, hr_admin, receiver):
    missing = hr.post(f"{BASE}/endpoints", {"url": receiver.url}, content_type="application/json")
    assert missing.status_code == 400 and missing["Content-Type"] == "application/problem+json"
    unknown = hr.post(f"{BASE}/endpoints", {"url": receiver.url, "event_types": ["candidate.exploded"]}, content_type="application/json")
    assert unknown.status_code == 422 and "event_types" in unknown.json()["fields"]
    not_url = hr.post(f"{BASE}/endpoints", {"url": "ftp://x", "event_types": ["candidate.created"]}, content_type="application/json")
    assert not_url.status_code == 422 and "url" in not_url.json()["fields"]
    assert not WebhookEndpoint.objects.exists()
    english = api_client(make_api_key(hr_admin, ["webhooks:write"])[1], "en")
    response = english.post(f"{BASE}/endpoints", {"url": "nope", "event_types": []}, content_type="application/json")
    assert response.status_code == 422 and response.json()["title"] == "This cannot be done."
    assert "Please enter a full address starting with https:// or http://." in response.json()["fields"]["url"]
    assert english.get(f"{BASE}/event-types").json()[0] == {"type": "candidate.created", "label": "Candidate created"}
