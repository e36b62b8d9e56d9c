"""The portal lists every interview of the candidate (AI video, live, other scheduled) with its state and time in
words and its action while it is open, in a number of queries that does not grow with the interviews (issue 19)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.portal.services import portal_link_create, portal_url
from hirelens.scheduling.models import Interview, InterviewLink

pytestmark = pytest.mark.django_db


def _interview(application, *, hours: float, status=Interview.Status.SCHEDULED, title="终面", zone="Asia/Shanghai"):
    start = timezone.now() + timedelta(hours=hours)
    return Interview.objects.create(organization=application.organization, application=application, title=title,
                                    start_at=start, end_at=start + timedelta(hours=1), time_zone=zone, status=status)


def _world(hr_admin, n: int):
    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__title="数据分析师",
                                     position__organization=hr_admin.organization)
    for i in range(n):
        InterviewSessionFactory(application=application, token_hash=_hash(f"t-{n}-{i}"), link_token=f"t-{n}-{i}")
        _interview(application, hours=24 + i, title=f"复试 {i}")
        _interview(application, hours=-48 - i, status=Interview.Status.COMPLETED, title=f"初试 {i}")
    _link, token = portal_link_create(actor=hr_admin, candidate=application.candidate)
    return application, portal_url(token, absolute=False)


def test_every_interview_with_its_state_time_in_words_and_action(client, hr_admin):
    application, url = _world(hr_admin, 1)
    _interview(application, hours=-0.5, title="进行中的面试")
    _interview(application, hours=30, status=Interview.Status.CANCELLED, title="取消的面试", zone="Europe/London")
    page = client.get(url).content.decode()
    assert page.count('data-testid="portal-ai-interview"') == 1 and 'data-testid="portal-ai-start"' in page
    assert page.count('data-testid="portal-interview"') == 4
    assert "已安排" in page and "已结束" in page and "进行中" in page and "已取消" in page
    assert "北京时间" in page and "伦敦时间" in page and "Asia/Shanghai" not in page and "Europe/London" not in page
    assert page.count('data-testid="portal-interview-open"') == 1  # the one under way; tomorrow's room opens later
    assert page.count("入口将在面试前 10 分钟开放") == 1
    assert 'data-kind="live"' in page  # scheduled without a stage: held in the live room
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_COOKIE="django_language=en").content.decode()
    assert "Beijing time" in english and "Cancelled" in english and "Join the interview room" in english
    assert "The room opens 10 minutes before the interview" in english


def test_join_from_the_portal_issues_a_candidate_link_of_that_interview(client, hr_admin):
    application, url = _world(hr_admin, 1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tomorrow = Interview.objects.get(title="复试 0")
    refused = client.post(f"/portal/{token}/interviews/{tomorrow.pk}/open/", follow=True)
    assert "入口将在面试前 10 分钟开放" in refused.content.decode() and not InterviewLink.objects.exists()  # not yet
    interview = _interview(application, hours=0.1, title="马上开始")  # in 6 minutes: the room is open
    response = client.post(f"/portal/{token}/interviews/{interview.pk}/open/")
    assert response.status_code == 302 and response["Location"].startswith("/live/join/")
    link = InterviewLink.objects.get()
    assert (link.kind, link.interview_id, link.created_by_id) == ("candidate", interview.pk, None)
    ended = Interview.objects.get(title="初试 0")
    assert client.post(f"/portal/{token}/interviews/{ended.pk}/open/").status_code == 302
    assert InterviewLink.objects.count() == 1  # nothing issued for an interview that is over
    other = _interview(ApplicationFactory(candidate__organization=hr_admin.organization), hours=5)
    assert client.post(f"/portal/{token}/interviews/{other.pk}/open/").status_code == 404
    assert InterviewLink.objects.count() == 1


def test_the_portal_reads_in_a_bounded_number_of_queries(client, hr_admin):
    _app, small = _world(hr_admin, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(small).status_code == 200
    _app, large = _world(hr_admin, 6)
    with CaptureQueriesContext(connection) as six:
        assert client.get(large).status_code == 200
    assert len(six) == len(one), [q["sql"][:120] for q in six.captured_queries]
