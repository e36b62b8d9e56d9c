"""The demo loader: invitations queued, reminders planned, a help-desk conversation; idempotent."""

import pytest

from hirelens.core.demo import DemoContext
from hirelens.messaging import demo
from hirelens.messaging.models import Message, Reminder, Ticket, TicketMessage

from .factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["with-scheduling", "without-scheduling"])
def scheduling_installed(request, monkeypatch):
    from django.apps import apps

    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: request.param if name == "hirelens.scheduling" else real(name))
    return request.param


def test_demo_is_idempotent(org, other_org, hr_admin, interviewer, django_capture_on_commit_callbacks, scheduling_installed):
    names = ["赵磊", "周杰", "Emily Chen", "孙悦", "吴芳"]
    ctx = DemoContext(organization=org, other_organization=other_org, users={"admin": hr_admin, "interviewer": interviewer},
                      candidates={n: CandidateFactory(organization=org, full_name=n) for n in names})
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(ctx)
    counts = (Message.objects.count(), Reminder.objects.filter(status="planned").count(), Ticket.objects.count(),
              TicketMessage.objects.count())
    if scheduling_installed:  # invitations and reminders come from the scheduling demo's interviews
        assert counts == (1, 0, 5, 10)
    else:  # 3 invitations + 1 help-desk answer; 3 interviews × 2 recipients × 2 offsets
        assert counts == (4, 12, 5, 10)
    # tickets: 孙悦 (WeChat), 吴芳 (web), 3 answered ones of the last days (周杰's request for a new portal link is the
    # portal's demo: portal/tests/test_demo.py)
    assert not Ticket.objects.filter(new_link_requested=True).exists()
    assert Ticket.objects.filter(first_response_at__isnull=False, status="closed").count() == 3
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}  # e-mail (locmem in tests)
    demo.load(DemoContext(organization=org, other_organization=other_org, users=ctx.users, candidates=ctx.candidates))
    assert (Message.objects.count(), Reminder.objects.filter(status="planned").count(), Ticket.objects.count(),
            TicketMessage.objects.count()) == counts
    assert Reminder.objects.count() == counts[1]  # nothing re-planned
