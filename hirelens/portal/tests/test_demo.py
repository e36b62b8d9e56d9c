"""The portal's demo: working portal links printed, and 周杰's request for a new portal link from the dead-link page
(a help-desk ticket about his expired link, which HR's "send a new link" answers with a fresh one). Idempotent."""

import pytest

from hirelens.candidates.models import Candidate
from hirelens.core.demo import DemoContext
from hirelens.messaging.models import Ticket, TicketMessage
from hirelens.messaging.services.helpdesk import ticket_can_resend, ticket_resend
from hirelens.portal import demo
from hirelens.portal.models import PortalLink

pytestmark = pytest.mark.django_db


def test_demo_asks_for_a_new_portal_link_once(org, other_org, hr_admin):
    names = ["赵磊", "周杰", "Emily Chen"]
    candidates = {n: Candidate.objects.create(organization=org, full_name=n) for n in names}
    ctx = DemoContext(organization=org, other_organization=other_org, users={"admin": hr_admin}, candidates=candidates)
    demo.load(ctx)
    request = Ticket.objects.get()
    assert (request.candidate.full_name, request.subject_type, request.step, request.new_link_requested) == (
        "周杰", "portal.link", "expired", True)
    expired = PortalLink.objects.get(candidate=candidates["周杰"])
    assert request.subject_id == expired.pk and not expired.is_active
    assert any(line.startswith("Help desk: 周杰 asked for a new portal link") for line in ctx.log)
    demo.load(DemoContext(organization=org, other_organization=other_org, users=ctx.users, candidates=candidates))
    assert (Ticket.objects.count(), PortalLink.objects.filter(candidate=candidates["周杰"]).count()) == (1, 1)

    # HR answers with one click: the portal (registered in PortalConfig.ready) issues a fresh link
    assert ticket_can_resend(request)
    ticket_resend(actor=hr_admin, ticket=request)
    fresh = PortalLink.objects.filter(candidate=candidates["周杰"]).exclude(pk=expired.pk).get()
    assert fresh.is_active
    answer = TicketMessage.objects.filter(ticket=request, direction=TicketMessage.Direction.OUTBOUND).get()
    assert "/portal/" in answer.body
