"""Issue 19, "need help?" on every candidate page: the pages that end a path — a live room that has ended or was
cancelled, a survey already sent (and its thank-you page), the AI interview's choice and explanation pages, the
candidate's data-and-rights page — offer the help desk with the page and the step attached, and a question asked
there joins the candidate's open thread about the same subject (the one the interview, room or survey page opens)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone, translation

from hirelens.messaging.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


def _client(language: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def need_help(html: str) -> str:
    """The page's "need help?" link (its href), which must be there."""
    found = re.search(r'<a href="([^"]+)" data-testid="need-help">', html)
    assert found, "no need-help link on the page"
    return unescape(found.group(1))


def ask(client: Client, url: str, body: str) -> Ticket:
    """Opens the help page from ``url`` and sends ``body`` with the page and step the link carried."""
    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    page = unescape(re.search(r'name="page" value="([^"]*)"', html).group(1))
    step = unescape(re.search(r'name="step" value="([^"]*)"', html).group(1))
    assert client.post(url, {"body": body, "page": page, "step": step}).status_code == 302
    message = TicketMessage.objects.select_related("ticket").latest("pk")  # encrypted at rest: found by order, then read
    assert message.body == body and message.direction == "in"
    return message.ticket


@pytest.mark.parametrize(("language", "words", "asked"), [("zh-hans", "面试已结束", "面试结束了，结果什么时候通知？"),
                                                          ("en", "The interview has ended", "When will I hear back?")])
def test_an_ended_live_room_offers_the_help_desk_with_why(org, hr_admin, interviewer, language, words, asked):
    from hirelens.live.models import LiveRoom
    from hirelens.live.tests.room_setup import live_interview

    room, token = live_interview(org, hr_admin, [interviewer])
    client = _client(language)
    before = need_help(client.get(f"/live/join/{token}/").content.decode())  # the join page's own link: same subject
    LiveRoom.objects.filter(pk=room.pk).update(state=LiveRoom.State.ENDED)
    response = client.get(f"/live/join/{token}/")
    html = response.content.decode()
    assert response.status_code == 410 and words in html
    url = need_help(html)
    assert "step=ended" in url and token not in url  # the page travels without its token
    ticket = ask(client, url, asked)
    assert ticket.candidate_id == room.application.candidate_id and ticket.step == "ended"
    assert (ticket.subject_type, ticket.subject_id) == ("scheduling.interview", room.interview_id)
    with translation.override("zh-hans"):
        assert str(ticket.step_display) == "面试已结束"  # HR reads the step in words
    # a follow-up from the room's own page joins the same open thread
    ask(client, before, asked + " 2")
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 2


def test_a_cancelled_live_interview_offers_the_help_desk_and_the_staff_room_does_not(org, hr_admin, interviewer):
    from hirelens.live.tests.room_setup import live_interview
    from hirelens.scheduling.models import Interview

    room, token = live_interview(org, hr_admin, [interviewer])
    Interview.objects.filter(pk=room.interview_id).update(status=Interview.Status.CANCELLED)
    html = _client().get(f"/live/join/{token}/").content.decode()
    assert "面试已取消" in html and "step=cancelled" in need_help(html)
    staff = Client()
    staff.force_login(interviewer)
    staff_page = staff.get(f"/live/{room.pk}/")
    assert staff_page.status_code == 410 and 'data-testid="need-help"' not in staff_page.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_sent_survey_and_its_thanks_page_offer_the_help_desk(org, language):
    from hirelens.candidates.tests.factories import ApplicationFactory
    from hirelens.feedback.services import survey_send

    application = ApplicationFactory(candidate__organization=org, position__organization=org)
    survey, token = survey_send(application=application, now=timezone.now())
    client = _client(language)
    thanks = client.post(f"/feedback/s/{token}/", {"process_length": "just_right", "stability": "stable", "professionalism": "4",
                                                   "nps": "8", "comment": ""})
    html = thanks.content.decode()
    assert thanks.status_code == 200 and ("感谢您的反馈" in html or "Thank you" in html)
    assert "step=answered" in need_help(html)
    again = client.get(f"/feedback/s/{token}/")
    assert again.status_code == 410
    ticket = ask(client, need_help(again.content.decode()), "我想补充一点意见")
    assert (ticket.subject_type, ticket.subject_id, ticket.step) == ("feedback.survey", survey.pk, "answered")
    assert ticket.candidate_id == application.candidate_id


def test_the_choice_explanation_and_rights_pages_offer_the_help_desk_on_the_candidates_threads(org, hr_admin):
    from hirelens.interviews.services import _hash
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.portal.services import portal_link_create

    token = "help-no-dead-end"
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(token), link_token=token)
    client = _client()
    choice = need_help(client.get(f"/i/{token}/choice/").content.decode())
    explanation = need_help(client.get(f"/i/{token}/explanation/").content.decode())
    assert "step=choice" in choice and "step=explanation" in explanation and token not in choice + explanation
    first = ask(client, choice, "延长时间的申请多久有答复？")
    second = ask(client, explanation, "复核需要多久？")
    assert first.pk == second.pk  # one thread per candidate and subject: the interview
    assert (first.subject_type, first.subject_id) == ("interviews.session", session.pk)
    assert Ticket.objects.get().step == "explanation"  # the thread says where the candidate asked last

    candidate = session.application.candidate
    _link, portal_token = portal_link_create(actor=hr_admin, candidate=candidate)
    rights = need_help(client.get(f"/privacy/portal/{portal_token}/").content.decode())
    assert "step=privacy" in rights and portal_token not in rights  # the rights page's token stays out of the ticket
    ticket = ask(client, rights, "怎么撤回同意？")
    assert ticket.candidate_id == candidate.pk and ticket.subject_type == "" and ticket.step == "privacy"
    # the portal's own link is the same thread (no subject)
    home = need_help(client.get(f"/portal/{portal_token}/").content.decode())
    assert ask(client, home, "还有一个问题").pk == ticket.pk


def test_an_expired_download_link_offers_the_candidate_the_help_desk_and_hr_none(org, hr_admin):
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from hirelens.privacy import services
    from hirelens.privacy.models import PrivacyExport
    from hirelens.privacy.tests.factories import application_in

    candidate = application_in(org).candidate
    export = services.export_start(actor=hr_admin, privacy_request=services.privacy_request_create(
        actor=hr_admin, candidate=candidate, kind="export"))
    export.status, export.expires_at = PrivacyExport.Status.READY, timezone.now() - timedelta(minutes=1)
    export.file.save("archive.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    export.save()
    path = services.export_url(export, absolute=False)
    client = _client()
    response = client.get(path)
    assert response.status_code == 410
    url = need_help(response.content.decode())
    assert "step=expired" in url and export.token not in url  # the download token stays out of the ticket
    ticket = ask(client, url, "下载链接过期了，能再发一次吗？")
    assert ticket.candidate_id == candidate.pk and ticket.step == "expired" and ticket.page == "/privacy/download/…/"
    staff = Client()
    staff.force_login(hr_admin)
    assert 'data-testid="need-help"' not in staff.get(path).content.decode()


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "自愿填写性别与种族/族裔"),
                                                 ("en", "Voluntary self-identification of sex and race/ethnicity")])
def test_the_self_identification_page_offers_the_help_desk_without_its_token(org, hr_admin, language, words):
    from django.urls import reverse

    from hirelens.messaging.services.deadlinks import step_words
    from hirelens.portal.services import portal_link_create
    from hirelens.privacy.tests.factories import application_in

    candidate = application_in(org).candidate
    _link, portal_token = portal_link_create(actor=hr_admin, candidate=candidate)
    client = _client(language)
    url = need_help(client.get(reverse("fairness:self_identify", args=["p", portal_token])).content.decode())
    assert "step=self_identify" in url and portal_token not in url  # the page's token stays out of the ticket
    ticket = ask(client, url, "这些信息谁能看到？")
    assert ticket.candidate_id == candidate.pk and ticket.step == "self_identify" and ticket.page == "/self-id/p/…/"
    with translation.override(language):
        assert step_words(ticket.step) == words  # HR reads the step in words


def test_another_candidates_booking_link_on_this_device_offers_this_candidates_help_desk(org):
    """A shared phone: 王敏 opened her booking link, then someone else's. The refusal page offers the help desk on
    王敏's own thread (the candidate the device's session belongs to), never on the other link's owner."""
    from hirelens.scheduling.links import link_issue
    from hirelens.workflows.tests.factories import make_application, make_position

    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    mine, theirs = make_application(position, "王敏"), make_application(position, "孙悦")
    _link, my_token = link_issue(application=mine, kind="booking")
    _link, their_token = link_issue(application=theirs, kind="booking")
    client = _client()
    assert client.get(f"/scheduling/l/{my_token}/").status_code == 200  # the session is now 王敏's
    refused = client.get(f"/scheduling/l/{their_token}/")
    assert refused.status_code == 403 and 'data-code="other_candidate"' in refused.content.decode()
    url = need_help(refused.content.decode())
    assert "step=other_candidate" in url and their_token not in url and my_token not in url
    ticket = ask(client, url, "我用了家人的手机，怎么预约？")
    assert ticket.candidate_id == mine.candidate_id and ticket.step == "other_candidate"
