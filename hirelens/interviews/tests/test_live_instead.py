"""Issue 20, "a live interview instead": HR's grant sends the candidate a booking link (scheduling's self-booking) and
withdraws the AI interview, the candidate's message carries the link, both sides see what was arranged; a position whose
process has no live stage is refused with nothing done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from conftest import SMTPSink
from hirelens.core.models import AuditEvent
from hirelens.interviews import choice
from hirelens.interviews.models import CandidateRequest, InterviewSession
from hirelens.interviews.services import _hash
from hirelens.interviews.testing import session_actor_for
from hirelens.messaging.models import Message
from hirelens.messaging.services import message_deliver
from hirelens.scheduling import services as scheduling
from hirelens.scheduling.models import Interview, InterviewLink
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

from .factories import InterviewSessionFactory

pytestmark = pytest.mark.django_db
TOKEN = "live-instead-token"


def _session(position, *, language="zh-hans", email="zhou.yutong@example.com"):
    application = make_application(position, "周雨桐")
    application.candidate.email = email
    application.candidate.save()
    return InterviewSessionFactory(application=application, token_hash=_hash(TOKEN), link_token=TOKEN, language=language)


def _ask(session) -> CandidateRequest:
    return choice.request_create(actor=session_actor_for(session, TOKEN), session=session, kind="live_interview",
                                 details="我听力不好，希望和面试官直接交流。")


@pytest.fixture
def live_position(org, hr_admin, interviewer):
    position = make_position(org, title="后端工程师", time_zone="Asia/Shanghai")
    published_process(hr_admin, position, "technical")  # its process has live stages (技术面试, 终面)
    assign(position, interviewer, "interviewer")
    return position


def _slot(hr_admin, position, interviewer, *, days=3):
    from zoneinfo import ZoneInfo

    from hirelens.core.timezones import parse_local

    day = (timezone.now().astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=days)).date()
    return scheduling.slot_create(actor=hr_admin, position=position, start=parse_local(f"{day}T10:00", "Asia/Shanghai"),
                                  end=parse_local(f"{day}T11:00", "Asia/Shanghai"), interviewers=[interviewer])


def _booking_path(text: str) -> str:
    match = re.search(r"(/scheduling/l/[^\s/]+/)", text)
    assert match, text
    return match.group(1)


def test_grant_sends_a_booking_link_withdraws_the_ai_interview_and_tells_the_candidate(
        org, recruiter, hr_admin, interviewer, live_position, smtp_server):
    session = _session(live_position)
    item = _ask(session)
    before = InterviewLink.objects.count()
    item = choice.request_answer(actor=recruiter, item=item, grant=True, answer="好的，改为与面试官的视频面试。")

    # the booking link of that application, the AI interview withdrawn, the audit row names the link
    link = item.booking_link
    assert InterviewLink.objects.count() == before + 1
    assert (link.kind, link.application_id, link.revoked_at, link.created_by) == ("booking", session.application_id, None, recruiter)
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
    session.refresh_from_db()
    assert session.revoked_at is not None and not session.is_open
    audit = AuditEvent.objects.filter(object_type="interviews.candidaterequest", object_id=str(item.pk), action="update").get()
    assert audit.fields == ["answer", "booking_link", "status"] and audit.actor_id == recruiter.pk
    assert AuditEvent.objects.filter(object_type="interviews.interviewsession", object_id=str(session.pk),
                                      fields=["revoked_at"]).exists()

    # the candidate's message: the answer, the AI interview cancelled, the booking link that opens their booking page
    message = Message.objects.get(subject_type="interviews.candidaterequest", subject_id=str(item.pk))
    message_deliver(message_id=message.pk)
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])
    assert "已同意" in text and "好的，改为与面试官的视频面试。" in text and "AI视频面试已取消，您无需再作答" in text
    slot = _slot(hr_admin, live_position, interviewer)
    candidate = Client()
    booking = candidate.get(_booking_path(text))
    assert booking.status_code == 200 and 'name="slot"' in booking.content.decode()
    assert candidate.post(_booking_path(text), {"slot": slot.pk}).status_code == 302
    interview = Interview.objects.get(application=session.application)
    assert interview.slot_id == slot.pk and interview.status == "scheduled"

    # the candidate's interview link now leads to the choice page, which shows the booked time; nothing more to send
    assert candidate.get(f"/i/{TOKEN}/")["Location"] == f"/i/{TOKEN}/choice/"
    page = candidate.get(f"/i/{TOKEN}/choice/").content.decode()
    assert 'data-testid="choice-replaced"' in page and 'data-testid="send-request"' not in page
    assert "真人面试时间" in page and "10:00–11:00 北京时间" in page
    assert candidate.post(f"/i/{TOKEN}/choice/", {"action": "request", "kind": "extra_time"}).status_code == 400
    assert CandidateRequest.objects.count() == 1


def test_the_candidate_books_from_their_choice_page_with_a_fresh_link(org, recruiter, hr_admin, interviewer, live_position,
                                                                       smtp_server):
    session = _session(live_position, language="en")
    item = choice.request_answer(actor=recruiter, item=_ask(session), grant=True, answer="A live interview it is.")
    message_deliver(message_id=Message.objects.get(subject_type="interviews.candidaterequest", subject_id=str(item.pk)).pk)
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])  # in the interview's language
    assert "The AI video interview is cancelled: you need not answer it. Choose a time for your live interview" in text
    assert "/scheduling/l/" in text and f"/i/{TOKEN}/choice/" in text
    candidate = Client()
    page = candidate.get(f"/i/{TOKEN}/choice/").content.decode()
    assert "A live interview replaces this AI video interview" in page and 'data-testid="book-live"' in page
    response = candidate.post(f"/i/{TOKEN}/choice/", {"action": "book"})
    assert response.status_code == 302 and "/l/" in response["Location"]
    assert candidate.get(response["Location"]).status_code == 200
    assert InterviewLink.objects.filter(application=session.application, kind="booking").count() == 2
    # the application ended since (rejected): the withdrawn link mints no more booking links
    type(session.application).objects.filter(pk=session.application_id).update(status="rejected")
    assert candidate.post(f"/i/{TOKEN}/choice/", {"action": "book"}).status_code == 400
    assert InterviewLink.objects.filter(application=session.application, kind="booking").count() == 2


def test_a_process_without_a_live_stage_is_refused_and_nothing_is_done(org, recruiter, hr_admin):
    position = make_position(org, title="销售代表")  # no process at all
    session = _session(position)
    item = _ask(session)
    with pytest.raises(ValidationError) as refused:
        choice.request_answer(actor=recruiter, item=item, grant=True, answer="好的")
    assert "没有真人面试（直播面试）环节" in refused.value.messages[0]
    item.refresh_from_db()
    session.refresh_from_db()
    assert (item.status, item.answer, item.booking_link_id) == ("open", "", None)
    assert session.revoked_at is None and not InterviewLink.objects.exists()
    assert not Message.objects.filter(subject_type="interviews.candidaterequest").exists()
    # declining needs no live stage
    assert choice.request_answer(actor=recruiter, item=item, grant=False, answer="抱歉").status == "declined"
    session.refresh_from_db()
    assert session.revoked_at is None


def test_a_submitted_interview_is_not_withdrawn(org, recruiter, live_position):
    session = _session(live_position)
    item = _ask(session)
    InterviewSession.objects.filter(pk=session.pk).update(state="submitted", submitted_at=timezone.now())
    item = choice.request_answer(actor=recruiter, item=item, grant=True, answer="好的")
    session.refresh_from_db()
    assert item.booking_link is not None and session.revoked_at is None


def test_hr_grants_on_the_request_page_and_the_rows_show_the_arrangement(client, org, recruiter, hr_admin, interviewer,
                                                                         live_position, django_assert_max_num_queries):
    session = _session(live_position)
    item = _ask(session)
    client.force_login(recruiter)
    page = client.get(f"/interviews/requests/{item.pk}/").content.decode()
    assert 'data-testid="request-live-hint"' in page and "0 个开放的面试时间段" in page
    response = client.post(f"/interviews/requests/{item.pk}/", {"grant": "1", "answer": "好的"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "这个职位目前没有开放的面试时间段" in page  # HR is told to open times
    assert "已发送预约链接，候选人尚未预约" in page and 'data-testid="request-schedule"' in page
    listing = client.get("/interviews/requests/?status=all").content.decode()
    row = listing[listing.index('data-testid="request-row"'):]
    assert "周雨桐" in row and "已发送预约链接，候选人尚未预约" in row

    # HR schedules the live interview on the scheduling pages (or the candidate books): the rows show its time
    from zoneinfo import ZoneInfo

    from hirelens.core.timezones import parse_local

    day = (timezone.now().astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=4)).date()
    interview = scheduling.interview_schedule(actor=hr_admin, application=session.application,
                                              start=parse_local(f"{day}T14:00", "Asia/Shanghai"),
                                              end=parse_local(f"{day}T15:00", "Asia/Shanghai"), interviewers=[interviewer])
    for _n in range(3):
        other = make_application(live_position, "另一位")
        extra = InterviewSessionFactory(application=other)
        CandidateRequest.objects.create(organization=org, session=extra, kind="live_interview", status="granted",
                                        answer="好的", answered_at=timezone.now(), answered_by=recruiter)
    with django_assert_max_num_queries(14):
        listing = client.get("/interviews/requests/?status=all").content.decode()
    assert f"/scheduling/interviews/{interview.pk}/" in listing and "14:00–15:00 北京时间" in listing
    detail = client.get(f"/interviews/requests/{item.pk}/").content.decode()
    assert "14:00–15:00 北京时间" in detail and "已安排" in detail
    session_page = client.get(f"/interviews/{session.pk}/").content.decode()  # the AI interview's page says it too
    assert 'data-testid="request-arranged"' in session_page and "14:00–15:00 北京时间" in session_page

    client.cookies["django_language"] = "en"
    listing = client.get("/interviews/requests/?status=all").content.decode()
    assert "Live interview" in listing and "14:00–15:00 Beijing time" in listing


def test_hr_page_says_why_a_grant_is_refused(client, org, recruiter):
    session = _session(make_position(org, title="销售代表"))
    item = _ask(session)
    client.force_login(recruiter)
    response = client.post(f"/interviews/requests/{item.pk}/", {"grant": "1", "answer": "好的"})
    assert response.status_code == 400 and "没有真人面试（直播面试）环节" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.post(f"/interviews/requests/{item.pk}/", {"grant": "1", "answer": "OK"})
    assert "has no live interview stage" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open" and not InterviewLink.objects.exists()
