"""The webhook pages (HR admin): list and create (secret shown once), edit, rotate (shown once), delete, the delivery log
with its filter, tries and resend; other roles refused, another organization's endpoint not found; zh and en."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from hirelens.core import events
from hirelens.webhooks import services
from hirelens.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_then_edit_rotate_and_delete(client, hr_admin, receiver):
    client.force_login(hr_admin)
    page = client.get("/settings/webhooks/")
    assert page.status_code == 200 and "还没有 Webhook 地址。" in page.content.decode()
    created = client.post("/settings/webhooks/", {"url": receiver.url, "description": "HRIS", "event_types": ["decision.recorded"]})
    endpoint = WebhookEndpoint.objects.get()
    assert created.status_code == 200 and endpoint.secret in created.content.decode()
    listed = client.get("/settings/webhooks/").content.decode()
    assert receiver.url in listed and "已记录决定" in listed and endpoint.secret not in listed
    detail = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in detail
    saved = client.post(f"/settings/webhooks/{endpoint.pk}/", {"url": receiver.url, "description": "HRIS",
                                                               "event_types": ["decision.recorded", "candidate.created"]})
    assert saved.status_code == 302 and WebhookEndpoint.objects.get().event_types == ["candidate.created", "decision.recorded"]
    assert WebhookEndpoint.objects.get().active is False  # the box left unticked disables it
    rotated = client.post(f"/settings/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret in rotated.content.decode() and endpoint.previous_secret
    assert client.post(f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 302 and not WebhookEndpoint.objects.exists()


def test_bad_input_is_shown_on_the_form(client, hr_admin):
    client.force_login(hr_admin)
    response = client.post("/settings/webhooks/", {"url": "ftp://nope", "event_types": []})
    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()
    with_lang = client.post("/settings/webhooks/", {"url": "ftp://nope", "event_types": ["candidate.created"]},
                            HTTP_ACCEPT_LANGUAGE="en")
    assert with_lang.status_code == 400


def test_delivery_log_filters_shows_tries_and_resends(client, org, hr_admin, receiver, django_capture_on_commit_callbacks):
    endpoint, _ = services.endpoint_create(actor=hr_admin, url=receiver.url, event_types=["decision.recorded"])
    receiver.answer((500, "down for maintenance"))
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=1, application_id=1, outcome="hire"))
        events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=2, application_id=2, outcome="hire"))
    client.force_login(hr_admin)
    page = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert page.count('data-testid="webhook-delivery"') == 2 and "down for maintenance" in page and "接收方没有返回 2xx" in page
    pending = client.get(f"/settings/webhooks/{endpoint.pk}/?state=pending").content.decode()
    assert pending.count('data-testid="webhook-delivery"') == 1 and 'data-state="pending"' in pending
    delivered = WebhookDelivery.objects.get(state="delivered")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivered.pk}/resend/")
    assert response.status_code == 302 and WebhookDelivery.objects.filter(resent_from=delivered, state="delivered").exists()
    client.cookies.load({"django_language": "en"})
    english = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "Delivery log" in english and "The receiver did not answer 2xx" in english and "Decision recorded" in english


def test_other_roles_are_refused_and_another_organizations_endpoint_is_not_found(client, recruiter, hr_admin, outsider, receiver):
    endpoint, _ = services.endpoint_create(actor=hr_admin, url=receiver.url, event_types=["decision.recorded"])
    client.force_login(recruiter)
    assert client.get("/settings/webhooks/").status_code == 403
    assert client.post(f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/settings/webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"/settings/webhooks/{endpoint.pk}/rotate/").status_code == 404
    assert WebhookEndpoint.objects.get().previous_secret == ""


@pytest.mark.timeout(900)  # a hang guard: the whole demo loads
def test_demo_has_delivered_and_failed_deliveries():
    from hirelens.accounts.models import User
    from hirelens.core.demo import DemoContext
    from hirelens.webhooks import demo

    call_command("load_demo", verbosity=0)
    endpoint = WebhookEndpoint.objects.get(url="https://hris.example.com/hooks/hirelens")
    before = WebhookDelivery.objects.count()
    admin = User.objects.get(email="admin@demo.hirelens.local")
    demo.load(DemoContext(organization=admin.organization, other_organization=None, users={"admin": admin}))  # idempotent
    assert WebhookEndpoint.objects.filter(organization=admin.organization).count() == 1 and WebhookDelivery.objects.count() == before
    states = list(WebhookDelivery.objects.filter(endpoint=endpoint, resent_from=None, attempts__gt=0).values_list("state", flat=True))
    assert states.count("failed") == 1 and states.count("delivered") >= 2
