"""The portal's lines read cleanly at phone size (issue 19, after the screenshots): no dash for an empty stage, each
thing said once on an interview's line (kind, its own name if any, position, state, time), the live room's "join"
only from shortly before the start (before that, when it opens), and times in the one format of the candidate pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.timezones import when_text
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.live.services import JOIN_OPENS_BEFORE_MINUTES
from hirelens.portal.services import portal_link_create, portal_url
from hirelens.scheduling.models import Interview

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(html: str, testid: str) -> list[str]:
    return [_text(m) for m in re.findall(rf'<li data-testid="{testid}"[^>]*>(.*?)</li>', html, re.S)]


@pytest.fixture
def world(hr_admin):
    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__title="Sales representative",
                                     position__organization=hr_admin.organization, stage="")
    _link, token = portal_link_create(actor=hr_admin, candidate=application.candidate)
    return application, portal_url(token, absolute=False)


def _interview(application, *, minutes: float, title: str) -> Interview:
    start = (timezone.now() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    return Interview.objects.create(organization=application.organization, application=application, title=title,
                                    start_at=start, end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai")


@pytest.mark.parametrize(("headers", "status"), [({}, "进行中"), (EN, "In progress")])
def test_an_application_without_a_stage_shows_no_dash(world, headers, status):
    application, url = world
    html = Client(**headers).get(url).content.decode()
    [row] = _rows(html, "portal-application")
    assert row == f"Sales representative · {status}" and "—" not in row
    application.stage = "复试"
    application.save()
    [row] = _rows(Client(**headers).get(url).content.decode(), "portal-application")
    assert row == f"Sales representative · 复试 · {status}"


@pytest.mark.parametrize(("headers", "kind", "state", "opens", "when_label", "ai_kind"), [
    ({}, "视频面试", "已安排", "入口将在面试前 10 分钟开放", "时间：", "AI视频面试"),
    (EN, "Video interview", "Scheduled", "The room opens 10 minutes before the interview", "Time: ", "AI video interview"),
])
def test_an_interview_line_says_each_thing_once(world, headers, kind, state, opens, when_label, ai_kind):
    application, url = world
    later = _interview(application, minutes=3 * 24 * 60, title="面试 · Sales representative")  # the default title
    _interview(application, minutes=4 * 24 * 60, title="复试 · Sales representative")  # a stage's name
    InterviewSessionFactory(application=application, token_hash=_hash("t-lines"), link_token="t-lines", title="AI视频面试")
    html = Client(**headers).get(url).content.decode()
    language = "en" if headers else "zh-hans"
    first, second = _rows(html, "portal-interview")
    when = when_text(later.start_at, "Asia/Shanghai", end=later.end_at, language=language)
    assert first.startswith(f"{kind} · Sales representative · {state} {when_label}{when} {opens}")
    assert first.count("Sales representative") == 1 and "· 面试" not in first and "Interviews" not in first
    assert second.startswith(f"{kind} · 复试 · Sales representative · {state}")
    [ai] = _rows(html, "portal-ai-interview")
    assert ai.startswith(f"{ai_kind} · Sales representative · ") and ai.count(ai_kind) == 1
    if headers:
        assert "AI视频面试" not in ai  # the stage's Chinese default name is not shown in an English page
    assert str(later.start_at.year) not in first or later.start_at.year != timezone.now().year
    assert 'data-testid="portal-interview-open"' not in html  # neither room is open three days ahead


@pytest.mark.parametrize(("headers", "join"), [({}, "进入面试间"), (EN, "Join the interview room")])
def test_the_join_button_shows_from_shortly_before_the_start(world, headers, join):
    application, url = world
    soon = _interview(application, minutes=JOIN_OPENS_BEFORE_MINUTES + 5, title="面试 · Sales representative")
    client = Client(**headers)
    html = client.get(url).content.decode()
    assert join not in html and 'data-testid="portal-interview-opens"' in html
    token = url.rstrip("/").rsplit("/", 1)[1]
    refused = client.post(f"/portal/{token}/interviews/{soon.pk}/open/")
    assert refused.status_code == 302 and refused["Location"].endswith("#interviews")
    Interview.objects.filter(pk=soon.pk).update(start_at=soon.start_at - timedelta(minutes=6),
                                                end_at=soon.end_at - timedelta(minutes=6))  # now 9 minutes before
    html = client.get(url).content.decode()
    assert join in html and 'data-testid="portal-interview-opens"' not in html
    opened = client.post(f"/portal/{token}/interviews/{soon.pk}/open/")
    assert opened.status_code == 302 and opened["Location"].startswith("/live/join/")


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_link_s_expiry_is_written_in_the_one_format(world, headers, hr_admin):
    from hirelens.portal.models import PortalLink

    _application, url = world
    html = Client(**headers).get(url).content.decode()
    link = PortalLink.objects.get()
    expected = when_text(link.expires_at, hr_admin.organization.time_zone, language="en" if headers else "zh-hans")
    expires = _text(re.search(r'data-testid="portal-expires">(.*?)</p>', html, re.S).group(1))
    assert expected in expires and link.expires_at.strftime("%Y-%m-%d") not in html
