"""No dead ends (issue 19): an expired, withdrawn or unknown candidate link answers a candidate's page in the
candidate's language that says what happened and offers "ask for a new link" (a help-desk ticket about that link,
rate-limited per candidate and per IP); HR sees who and which link, and resends with one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone, translation

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.interviews.services import _hash as session_hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.messaging.models import Message, Ticket
from hirelens.messaging.services.helpdesk import NEW_LINK_REQUESTS_PER_DAY, WEB_TICKETS_PER_IP_HOUR
from hirelens.portal.services import portal_link_create, portal_link_revoke, portal_url
from hirelens.scheduling.links import link_issue, link_url
from hirelens.scheduling.models import Interview, InterviewLink

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def application(hr_admin):
    return ApplicationFactory(candidate__organization=hr_admin.organization, candidate__full_name="林晓",
                              position__title="后端工程师", position__organization=hr_admin.organization)


def _page(response) -> str:
    return response.content.decode()


def _interview_link(application, *, state: str):
    session = InterviewSessionFactory(application=application, token_hash=session_hash("ai-token-1"), language="en")
    if state == "expired":
        session.expires_at = timezone.now() - timedelta(hours=1)
    else:
        session.revoked_at = timezone.now()
    session.save()
    return "/i/ai-token-1/", session


def _scheduling_link(application, *, kind: str, state: str):
    interview = None
    if kind == InterviewLink.Kind.CANDIDATE:
        start = timezone.now() + timedelta(days=1)
        interview = Interview.objects.create(organization=application.organization, application=application, title="终面",
                                             start_at=start, end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai")
    link, token = link_issue(application=application, kind=kind, interview=interview)
    if state == "expired":
        InterviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        InterviewLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    path = f"/live/join/{token}/" if kind == InterviewLink.Kind.CANDIDATE else link_url(token, absolute=False)
    return path, link


def _portal_link(hr_admin, application, *, state: str):
    link, token = portal_link_create(actor=hr_admin, candidate=application.candidate)
    if state == "expired":
        type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        portal_link_revoke(actor=hr_admin, link=link)
    return portal_url(token, absolute=False), link


def _survey(application):
    from hirelens.feedback.services import survey_send

    survey, token = survey_send(application=application, now=timezone.now() - timedelta(days=30))
    return f"/feedback/s/{token}/", survey


def _dead(kind, state, hr_admin, application):
    if kind == "interview":
        return _interview_link(application, state=state)
    if kind == "live":
        return _scheduling_link(application, kind=InterviewLink.Kind.CANDIDATE, state=state)
    if kind == "booking":
        return _scheduling_link(application, kind=InterviewLink.Kind.BOOKING, state=state)
    if kind == "survey":
        return _survey(application)
    return _portal_link(hr_admin, application, state=state)


CASES = [("interview", "expired"), ("interview", "revoked"), ("live", "expired"), ("live", "revoked"),
         ("booking", "expired"), ("booking", "revoked"), ("survey", "expired"), ("portal", "expired"), ("portal", "revoked")]


@pytest.mark.parametrize(("kind", "state"), CASES)
def test_a_dead_link_says_what_happened_and_asks_hr_for_a_new_one(kind, state, hr_admin, application):
    path, row = _dead(kind, state, hr_admin, application)
    client = Client()
    response = client.get(path)
    page = _page(response)
    assert response.status_code == 410
    assert f'data-testid="dead-link" data-status="{state}" data-kind="{kind}"' in page
    assert "返回工作台" not in page  # not the staff 404
    if kind == "interview":  # the interview's language (English) although the browser did not ask for it
        assert ("Link expired" if state == "expired" else "Link withdrawn by the company") in page
        assert "Beijing time" in page if state == "expired" else True
    else:
        assert ("链接已过期" if state == "expired" else "链接已被招聘方撤回") in page
        if state == "expired":
            assert "北京时间" in page and "Asia/Shanghai" not in page
    action = re.search(r'action="(/messaging/new-link/[^"]+)"', page).group(1)
    response = client.post(action, {"body": ""})
    assert response.status_code == 200 and 'data-testid="new-link-done"' in _page(response)
    ticket = Ticket.objects.get()
    assert ticket.candidate_id == application.candidate_id and ticket.new_link_requested and ticket.step == state
    assert ticket.subject_type == {"interview": "interviews.session", "live": "scheduling.interview", "booking": "scheduling.link",
                                   "survey": "feedback.survey", "portal": "portal.link"}[kind]
    assert ticket.subject_id == (row.interview_id if kind == "live" else row.pk)
    assert ticket.messages.get().body  # a default request text when the candidate wrote nothing

    hr = Client()
    hr.force_login(hr_admin)
    inbox = _page(hr.get("/messaging/helpdesk/"))
    assert "林晓" in inbox and "申请新链接" in inbox and ticket.subject_display in inbox
    assert ("后端工程师" in inbox) is (kind != "portal")  # the portal link is about the candidate, no position


@pytest.mark.parametrize("kind", ["interview", "live", "booking", "survey", "portal"])
def test_an_unknown_link_is_a_404_in_the_browsers_language_that_asks_for_a_contact(kind, org):
    path = {"interview": "/i/no-such-token/", "live": "/live/join/no-such-token/", "booking": "/scheduling/l/no-such-token/",
            "survey": "/feedback/s/no-such-token/", "portal": "/portal/no-such-token/"}[kind]
    client = Client()
    response = client.get(path, **ENGLISH)
    page = _page(response)
    assert response.status_code == 404
    assert 'data-status="unknown"' in page and "Link not recognised" in page and "check" in page.lower()
    assert "Back to the dashboard" not in page and "返回工作台" not in page
    action = re.search(r'action="(/messaging/new-link/[^"]+)"', page).group(1)
    refused = client.post(action, {"body": "I got this link from HR"}, **ENGLISH)
    assert refused.status_code == 400 and "e-mail or phone" in _page(refused)
    assert not Ticket.objects.exists()
    done = client.post(action, {"body": "I got this link from HR", "contact": "lin@example.com"}, **ENGLISH)
    assert done.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.candidate_id is None and ticket.contact == "lin@example.com" and ticket.subject_type == "unknown"
    # the visitor follows the thread through the link on the confirmation page (a token for that ticket only)
    thread = re.search(r'href="(/messaging/help/[^"]+)"', _page(done)).group(1)
    assert "I got this link from HR" in _page(client.get(thread))


def test_a_request_cannot_name_another_link_or_flood_hr(hr_admin, application, org):
    path, session = _interview_link(application, state="expired")
    client = Client()
    action = "/messaging/new-link/interview/ai-token-1/"
    for _i in range(NEW_LINK_REQUESTS_PER_DAY):
        assert client.post(action, {"body": "请重发"}).status_code == 200
    refused = client.post(action, {"body": "再来一次"})
    assert refused.status_code == 400 and "already asked for a new link" in _page(refused)  # the interview is in English
    assert Ticket.objects.count() == 1  # the same candidate and link: one thread
    assert Ticket.objects.get().messages.count() == NEW_LINK_REQUESTS_PER_DAY
    # per IP: unknown links from one address
    unknown = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(WEB_TICKETS_PER_IP_HOUR):
        assert unknown.post(f"/messaging/new-link/portal/guess-{i}/", {"contact": f"x{i}@example.com"}).status_code == 200
    refused = unknown.post("/messaging/new-link/portal/guess-last/", {"contact": "y@example.com"})
    assert refused.status_code == 400 and "提交太频繁" in _page(refused)
    assert Client(REMOTE_ADDR="203.0.113.10").post("/messaging/new-link/portal/other/", {"contact": "z@example.com"}).status_code == 200
    assert Client().post("/messaging/new-link/nonsense/ai-token-1/", {}).status_code == 404


def test_unknown_links_with_several_companies_route_nowhere(org, other_org):
    page = _page(Client().get("/i/no-such-token/"))
    assert 'data-testid="new-link-form"' not in page and "请直接回复发给您这个链接的消息" in page
    assert Client().post("/messaging/new-link/interview/no-such-token/", {"contact": "a@example.com"}).status_code == 400
    assert not Ticket.objects.exists()


def _ticket_for(kind, state, hr_admin, application):
    path, _row = _dead(kind, state, hr_admin, application)
    token = path.rstrip("/").rsplit("/", 1)[1]
    Client().post(f"/messaging/new-link/{kind}/{token}/", {"body": "打不开"})
    return Ticket.objects.get()


@pytest.mark.parametrize(("kind", "opens"), [("booking", "/scheduling/l/"), ("portal", "/portal/"), ("live", "/scheduling/l/")])
def test_hr_resends_a_working_link_with_one_click(kind, opens, hr_admin, application, django_capture_on_commit_callbacks):
    ticket = _ticket_for(kind, "revoked", hr_admin, application)
    hr = Client()
    hr.force_login(hr_admin)
    assert 'data-testid="resend-link"' in _page(hr.get(f"/messaging/helpdesk/{ticket.pk}/"))
    with django_capture_on_commit_callbacks(execute=True):
        assert hr.post(f"/messaging/helpdesk/{ticket.pk}/resend/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "answered" and ticket.first_response_at is not None
    answer = ticket.messages.get(direction="out")
    new_link = re.search(r"https?://\S+", answer.body).group(0)
    assert opens in new_link
    path = new_link.split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200  # the new link works
    message = Message.objects.get(kind="helpdesk_reply")
    assert message.candidate_id == application.candidate_id and new_link in message.body


def test_resend_of_an_expired_ai_interview_keeps_its_link_and_moves_the_deadline(hr_admin, application,
                                                                                  django_capture_on_commit_callbacks):
    """The candidate's request for a new link after the deadline: one click resends the same link with the deadline
    RESEND_EXTENSION_DAYS from now, the link opens again; a withdrawn interview offers no resend."""
    from hirelens.interviews.models import InterviewSession
    from hirelens.interviews.services import RESEND_EXTENSION_DAYS

    ticket = _ticket_for("interview", "expired", hr_admin, application)
    session = InterviewSession.objects.get(pk=ticket.subject_id)
    session.link_token, session.token_hash = "ai-token-1", session_hash("ai-token-1")
    session.save()
    assert session.expires_at <= timezone.now() and Client().get("/i/ai-token-1/").status_code == 410
    hr = Client()
    hr.force_login(hr_admin)
    assert 'data-testid="resend-link"' in _page(hr.get(f"/messaging/helpdesk/{ticket.pk}/"))
    with django_capture_on_commit_callbacks(execute=True):
        assert hr.post(f"/messaging/helpdesk/{ticket.pk}/resend/").status_code == 302
    session.refresh_from_db()
    left = session.expires_at - timezone.now()
    assert timedelta(days=RESEND_EXTENSION_DAYS) - timedelta(minutes=5) < left <= timedelta(days=RESEND_EXTENSION_DAYS)
    invite = Message.objects.get(kind="ai_interview.invite")
    assert "/i/ai-token-1/" in invite.body
    answer = ticket.messages.get(direction="out")
    assert answer.outbound_id == invite.pk and str(RESEND_EXTENSION_DAYS) in answer.body
    assert Client().get("/i/ai-token-1/").status_code == 200  # the same link works again
    session.revoked_at = timezone.now()
    session.save()
    assert 'data-testid="resend-link"' not in _page(hr.get(f"/messaging/helpdesk/{ticket.pk}/"))  # withdrawn


def test_the_forged_subject_of_a_help_link_is_refused():
    assert Client().get("/messaging/help/" + signing.dumps({"o": 1, "c": 1}, salt="other") + "/").status_code == 404
