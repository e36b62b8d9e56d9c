"""Typed input at the edge (issue 23 §4): the help desk and template pages read their POST through forms; a ticket id
that is not a whole number is the page's "not found" message (400, nothing written), never a 500."""

import pytest
from django.test import Client

from hirelens.messaging.models import Ticket, TicketMessage
from hirelens.messaging.services import ticket_open_web
from hirelens.messaging.services.helpdesk import help_link_token

from .factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ticket", ["abc", "1.5", "-3", "99999999999999999999999"])
def test_help_page_answers_a_malformed_ticket_with_not_found_and_writes_nothing(org, ticket):
    candidate = CandidateFactory(organization=org, email="web@example.com")
    mine = ticket_open_web(organization_id=org.pk, candidate=candidate, body="摄像头无法开启")
    url = f"/messaging/help/{help_link_token(candidate=candidate)}/?page=/portal/interview/9"
    response = Client().post(url, {"ticket": ticket, "body": "还是不行"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "找不到这条对话。" in page and "还是不行" in page
    assert TicketMessage.objects.filter(ticket=mine).count() == 1
    response = Client().post(url, {"ticket": str(mine.pk), "body": "还是不行"})
    assert response.status_code == 302 and TicketMessage.objects.filter(ticket=mine).count() == 2


def test_help_page_keeps_the_page_and_step_of_a_refused_question(org):
    candidate = CandidateFactory(organization=org, email="web@example.com")
    url = f"/messaging/help/{help_link_token(candidate=candidate)}/"
    response = Client().post(url, {"body": "   ", "page": "/portal/booking/3", "step": "选择时间"})
    page = response.content.decode()
    assert response.status_code == 400 and "请填写内容。" in page
    assert 'name="page" value="/portal/booking/3"' in page and 'name="step" value="选择时间"' in page
    assert not Ticket.objects.exists()


def test_hr_reply_that_is_blank_is_flashed_and_not_sent(org, recruiter):
    candidate = CandidateFactory(organization=org, email="web@example.com")
    ticket = ticket_open_web(organization_id=org.pk, candidate=candidate, body="摄像头无法开启")
    client = Client()
    client.force_login(recruiter)
    response = client.post(f"/messaging/helpdesk/{ticket.pk}/reply/", {"body": "  "}, follow=True)
    assert "请填写内容。" in response.content.decode()
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1
    response = client.post("/messaging/helpdesk/abc/reply/", {"body": "你好"})
    assert response.status_code == 404
