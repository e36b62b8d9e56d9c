"""Deliveries through a real HTTP receiver on 127.0.0.1: signed, created with the change (or not at all), in order per
object, retried with back-off for 24 hours, recovered after a worker died, signed twice during a rotation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hirelens.core import events
from hirelens.webhooks import services
from hirelens.webhooks.models import WebhookAttempt, WebhookDelivery
from hirelens.webhooks.tasks import stuck, sweep

pytestmark = [pytest.mark.backend, pytest.mark.django_db]


def moved(org, application_id=7, action="advance"):
    return events.ApplicationMoved(organization_id=org.pk, application_id=application_id, position_id=3, action=action,
                                   state="active", from_stage_id=1, to_stage_id=2)


def test_an_event_becomes_one_signed_delivery_after_commit(org, receiver, endpoint_and_secret, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint_and_secret
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(moved(org))
    [got] = receiver.requests
    body = got.json
    assert body["type"] == "application.moved" and body["organization"] == org.pk and body["id"].startswith("evt_")
    assert body["data"] == {"application_id": 7, "position_id": 3, "action": "advance", "state": "active", "from_stage_id": 1,
                            "to_stage_id": 2, "event_id": None}
    assert got.headers["hirelens-webhook-id"] == body["id"]
    assert abs(int(got.headers["hirelens-webhook-timestamp"]) - timezone.now().timestamp()) < 30
    assert got.signed_by(secret) and not got.signed_by(secret + "x") and len(got.signatures()) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code, delivery.body) == ("delivered", 1, 200, got.body)
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.response_excerpt == "ok" and attempt.duration_ms >= 0


def test_the_delivery_row_is_written_in_the_emitting_transaction_and_rolls_back_with_it(org, receiver, endpoint_and_secret,
                                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            events.emit(moved(org))
            assert WebhookDelivery.objects.filter(state="pending").count() == 1  # inside the change's own transaction
            raise RuntimeError("the change fails")
    assert not WebhookDelivery.objects.exists() and receiver.requests == []


def test_a_delivery_whose_task_was_lost_is_sent_by_the_sweep(org, receiver, endpoint_and_secret):
    events.emit(moved(org))  # committed (the test's transaction) but the after-commit queueing never ran: a crash
    assert WebhookDelivery.objects.get().state == "pending" and receiver.requests == []
    assert sweep() == {"interrupted": 0, "requeued": 0}  # not yet: a queued task has a lease's time to run
    later = timezone.now() + services.lease() + timedelta(seconds=1)
    assert services.deliveries_resume_stalled(now=later) == {"interrupted": 0, "requeued": 1}
    assert len(receiver.requests) == 1 and WebhookDelivery.objects.get().state == "delivered"


def test_a_worker_killed_mid_delivery_leaves_a_lease_that_the_sweep_recovers(org, receiver, endpoint_and_secret):
    events.emit(moved(org))
    delivery = WebhookDelivery.objects.get()
    assert services._claim(delivery.pk, timezone.now()) is not None  # a worker took it ... and died before recording
    assert services.delivery_send(delivery_id=delivery.pk).state == "sending"  # another worker may not take it meanwhile
    assert receiver.requests == [] and stuck()["expired_leases"] == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(locked_until=timezone.now() - timedelta(seconds=1))  # the lease ran out
    assert stuck()["expired_leases"] == 1
    assert sweep() == {"interrupted": 1, "requeued": 1}
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 2 and stuck()["expired_leases"] == 0
    assert [(t.error, t.status_code) for t in delivery.tries.all()] == [("interrupted", None), ("", 200)]
    assert len(receiver.requests) == 1


def test_deliveries_about_one_object_go_out_in_order(org, receiver, endpoint_and_secret, django_capture_on_commit_callbacks):
    receiver.answer((503, "busy"))
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(moved(org, 7, "advance"))  # answered 503: stays pending
        events.emit(moved(org, 7, "hold"))  # same application: waits for the first
        events.emit(moved(org, 8, "reject"))  # another application: not held up
    assert [(r.json["data"]["application_id"], r.json["data"]["action"]) for r in receiver.requests] == [(7, "advance"), (8, "reject")]
    first, second, other = WebhookDelivery.objects.order_by("pk")
    assert (first.state, second.state, other.state) == ("pending", "pending", "delivered")
    assert first.last_status_code == 503 and second.attempts == 0
    assert services.delivery_send(delivery_id=second.pk, now=timezone.now() + timedelta(hours=1)).state == "pending"  # not its turn
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_send(delivery_id=first.pk, now=WebhookDelivery.objects.get(pk=first.pk).next_attempt_at)
    assert [(r.json["data"]["application_id"], r.json["data"]["action"]) for r in receiver.requests] == [
        (7, "advance"), (8, "reject"), (7, "advance"), (7, "hold")]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert receiver.requests[0].json["id"] == receiver.requests[2].json["id"]  # a retry carries the same event id


def test_back_off_grows_with_jitter_and_gives_up_after_24_hours(org, receiver, endpoint_and_secret):
    events.emit(moved(org))
    delivery = WebhookDelivery.objects.get()
    t0 = delivery.created_at
    waits = []
    now = t0
    for _ in range(3):
        receiver.answer((500, "server error"))
        delivery = services.delivery_send(delivery_id=delivery.pk, now=now)
        assert delivery.state == "pending"
        waits.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
    assert 15 <= waits[0] <= 30 and 30 <= waits[1] <= 60 and 60 <= waits[2] <= 120
    receiver.answer((500, "server error"))
    late = t0 + timedelta(hours=23, minutes=59, seconds=50)  # the next try would fall after the 24 hours: failed now
    delivery = services.delivery_send(delivery_id=delivery.pk, now=late)
    assert (delivery.state, delivery.last_error, delivery.attempts) == ("failed", "http_status", 4)
    assert [t.response_excerpt for t in delivery.tries.all()] == ["server error"] * 4

    events.emit(moved(org, 9))
    never = WebhookDelivery.objects.get(state="pending")
    gone = services.delivery_send(delivery_id=never.pk, now=never.created_at + timedelta(hours=24, seconds=1))
    assert (gone.state, gone.last_error, gone.attempts) == ("failed", "expired", 0) and len(receiver.requests) == 4


def test_rotation_signs_with_both_secrets_for_24_hours(org, hr_admin, receiver, endpoint_and_secret, django_capture_on_commit_callbacks):
    endpoint, old = endpoint_and_secret
    endpoint, new = services.endpoint_rotate_secret(actor=hr_admin, endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(moved(org))
    got = receiver.requests[-1]
    assert len(got.signatures()) == 2 and got.signed_by(new) and got.signed_by(old)
    assert got.signatures()[0] == services.sign(new, int(got.headers["hirelens-webhook-timestamp"]), got.body)
    # a day later the previous secret no longer signs
    services.endpoint_rotate_secret(actor=hr_admin, endpoint=endpoint, now=timezone.now() - timedelta(hours=25))
    endpoint.refresh_from_db()
    newest = endpoint.secret
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(moved(org, 8))
    got = receiver.requests[-1]
    assert len(got.signatures()) == 1 and got.signed_by(newest) and not got.signed_by(new)


def test_private_addresses_are_refused_unless_allowed(settings, org, hr_admin, receiver, endpoint_and_secret):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:9/x", "https://localhost/x", "https://10.1.2.3/x", "http://169.254.169.254/latest",
                "https://[::1]/x", "https://192.168.0.5/x"):
        with pytest.raises(ValidationError) as exc:
            services.endpoint_create(actor=hr_admin, url=url, event_types=["candidate.created"])
        assert "url" in exc.value.message_dict, url
    events.emit(moved(org))  # the endpoint made while allowed: its delivery is refused, not sent
    delivery = services.delivery_send(delivery_id=WebhookDelivery.objects.get().pk)
    assert (delivery.state, delivery.last_error) == ("failed", "address_blocked") and receiver.requests == []
    assert services.address_allowed("https://93.184.216.34/hooks")  # a public address


def test_only_subscribed_types_of_active_endpoints_of_the_organization_get_deliveries(org, other_org, hr_admin, receiver,
                                                                                       endpoint_and_secret):
    endpoint, _secret = endpoint_and_secret
    services.endpoint_update(actor=hr_admin, endpoint=endpoint, event_types=["decision.recorded"])
    events.emit(moved(org))
    events.emit(moved(other_org))
    events.emit(events.InterviewLinkOpened(organization_id=org.pk, link_id=1, kind="candidate", application_id=7))
    assert not WebhookDelivery.objects.exists()
    events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=5, application_id=7, outcome="hire",
                                        decided_at="2026-12-01T08:00:00+00:00"))
    assert json.loads(WebhookDelivery.objects.get().body)["data"] == {"decision_id": 5, "application_id": 7, "outcome": "hire",
                                                                     "stage_id": None, "decided_at": "2026-12-01T08:00:00+00:00"}
    pending = WebhookDelivery.objects.get()
    services.endpoint_update(actor=hr_admin, endpoint=endpoint, active=False)
    events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=6, application_id=7, outcome="hire"))
    assert WebhookDelivery.objects.count() == 1  # a disabled endpoint gets nothing new ...
    delivery = services.delivery_send(delivery_id=pending.pk)
    assert (delivery.state, delivery.last_error) == ("failed", "disabled") and receiver.requests == []  # ... nor sends


def test_resend_sends_the_same_event_again(org, hr_admin, receiver, endpoint_and_secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(moved(org))
    first = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.delivery_resend(actor=hr_admin, delivery=first)
    again.refresh_from_db()
    assert again.state == "delivered" and again.resent_from_id == first.pk and again.event_id == first.event_id
    assert [r.body for r in receiver.requests] == [first.body, first.body]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_killed_mid_delivery_the_delivery_is_sent_after_the_sweep(org, hr_admin, receiver, real_queue, start_worker):
    import os
    import signal
    import time

    endpoint, secret = services.endpoint_create(actor=hr_admin, url=receiver.url, event_types=["application.moved"])
    receiver.delay_s = 15  # the first request hangs: the worker is killed while it waits for the answer
    fast = {"HIRELENS_JOB_LEASE_S": 1, "HIRELENS_JOB_SWEEP_S": 1, "HIRELENS_WEBHOOKS_TIMEOUT_S": 2}  # lease: 3 × 2 s
    worker = start_worker(**fast)
    events.emit(moved(org))  # autocommit: queued at once

    def wait(predicate, what, who):
        deadline = time.time() + 120
        while not predicate():
            assert time.time() < deadline, f"timed out waiting for {what}\n{who.output()}"
            time.sleep(0.05)

    wait(lambda: len(receiver.requests) == 1, "the first try to reach the receiver", worker)
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait()
    receiver.delay_s = 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "sending" and delivery.attempts == 0  # the dead worker recorded nothing
    second = start_worker(**fast)
    wait(lambda: WebhookDelivery.objects.filter(pk=delivery.pk, state="delivered").exists(), "the delivery after the sweep", second)
    delivery.refresh_from_db()
    assert [(t.error, t.status_code) for t in delivery.tries.all()] == [("interrupted", None), ("", 200)]
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body
    assert all(r.signed_by(secret) for r in receiver.requests)
    assert receiver.requests[0].headers["hirelens-webhook-id"] == receiver.requests[1].headers["hirelens-webhook-id"]
