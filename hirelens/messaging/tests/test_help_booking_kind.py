"""Issue 19, no dead ends: the booking page refuses a link of another kind ("kind": a booking sent through an
interview's candidate link). That link names its candidate, so the refusal says what the link is for, offers to open
its own page, and offers "need help?" on that candidate's thread about the interview, with the step in words (zh, en);
on a device pinned to another candidate, that candidate's own thread instead (never the link owner's)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from hirelens.messaging.services.deadlinks import step_words

from .test_help_no_dead_end import _client, ask, need_help

pytestmark = pytest.mark.django_db


def _interview_link(position, name: str):
    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import Interview
    from hirelens.workflows.tests.factories import make_application

    application = make_application(position, name)
    start = timezone.now() + timedelta(days=2)
    interview = Interview.objects.create(organization=application.organization, application=application, title="终面",
                                         start_at=start, end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai")
    _link, token = link_issue(application=application, kind="candidate", interview=interview)
    return application, interview, token


@pytest.mark.parametrize(("language", "title", "words", "step", "asked"), [
    ("zh-hans", "这个链接不能用来预约时间", "这个链接是一场已安排面试的链接，不能用来预约时间。", "用面试链接预约时间（链接与页面不符）",
     "我想改一下面试时间。"),
    ("en", "This link cannot book a time", "This link is for an interview that is already arranged, so it cannot book a time.",
     "Booked a time through an interview's link (the link does not fit the page)", "Can I move my interview?"),
])
def test_a_booking_through_an_interview_link_offers_its_candidates_help_desk(org, language, title, words, step, asked):
    from hirelens.messaging.models import Ticket
    from hirelens.workflows.tests.factories import make_position

    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    application, interview, token = _interview_link(position, "王敏")
    client = _client(language)
    refused = client.post(f"/scheduling/l/{token}/", {"slot": "1"})
    html = refused.content.decode()
    assert refused.status_code == 403 and 'data-code="kind"' in html and words in html
    assert title in html and "链接不可用" not in html and "Link unavailable" not in html  # the link works: it cannot book
    assert f'href="/scheduling/l/{token}/" data-testid="open-link-page"' in html  # the link's own page, one tap away
    url = need_help(html)
    assert "step=kind" in url and token not in url  # the page travels without its token
    # the same thread as the interview page's own "need help?" (the candidate and the interview)
    own = need_help(client.get(f"/scheduling/l/{token}/").content.decode())
    assert url.split("?")[0] == own.split("?")[0]
    before = Ticket.objects.count()
    ticket = ask(client, url, asked)
    assert Ticket.objects.count() == before + 1
    assert ticket.candidate_id == application.candidate_id and ticket.step == "kind"
    assert (ticket.subject_type, ticket.subject_id) == ("scheduling.interview", interview.pk)
    assert ticket.page == "/scheduling/l/…/"
    with translation.override(language):
        assert step_words(ticket.step) == step  # HR reads the step in words


def test_on_a_device_pinned_to_another_candidate_the_help_desk_is_that_candidates(org):
    """A shared phone: 王敏 opened her booking link, then a booking was sent through 孙悦's interview link. The
    refusal's "need help?" is 王敏's (the device's candidate), never 孙悦's thread."""
    from hirelens.scheduling.links import link_issue
    from hirelens.workflows.tests.factories import make_application, make_position

    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    mine = make_application(position, "王敏")
    _link, my_token = link_issue(application=mine, kind="booking")
    theirs, _interview, their_token = _interview_link(position, "孙悦")
    client = _client()
    assert client.get(f"/scheduling/l/{my_token}/").status_code == 200  # the session is now 王敏's
    refused = client.post(f"/scheduling/l/{their_token}/", {"slot": "1"})
    assert refused.status_code == 403 and 'data-code="kind"' in refused.content.decode()
    url = need_help(refused.content.decode())
    assert their_token not in url and my_token not in url
    ticket = ask(client, url, "这是家人的手机。")
    assert ticket.candidate_id == mine.candidate_id != theirs.candidate_id
    assert (ticket.subject_type, ticket.subject_id) == ("", None)
