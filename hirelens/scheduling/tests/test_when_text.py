"""One way to write a time on the candidate's pages (issue 19), and an interview's default title in the reader's
language: ``when_text`` and the ``when`` / ``when_range`` template helpers; ``Interview.display_title``."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from hirelens.core.timezones import when_text
from hirelens.scheduling.links import link_issue, link_url
from hirelens.scheduling.models import Interview, InterviewLink

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "12月13日（周日）16:37 北京时间"),
                                                ("en", "Sun 13 Dec, 16:37 Beijing time")])
def test_a_moment_this_year(language, text):
    assert when_text(datetime(2026, 12, 13, 16, 37, tzinfo=SHANGHAI), "Asia/Shanghai", language=language, now=NOW) == text


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "2027年1月5日（周二）08:05 北京时间"),
                                                ("en", "Tue 5 Jan 2027, 08:05 Beijing time")])
def test_the_year_only_when_it_is_not_this_year(language, text):
    assert when_text(datetime(2027, 1, 5, 8, 5, tzinfo=SHANGHAI), "Asia/Shanghai", language=language, now=NOW) == text


@pytest.mark.parametrize(("language", "same_day", "next_day"), [
    ("zh-hans", "12月9日（周三）10:00–11:00 北京时间", "12月9日（周三）23:30–12月10日（周四）00:30 北京时间"),
    ("en", "Wed 9 Dec, 10:00–11:00 Beijing time", "Wed 9 Dec, 23:30–Thu 10 Dec, 00:30 Beijing time"),
])
def test_a_range_names_the_end_s_day_only_when_it_is_another(language, same_day, next_day):
    start = datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)
    assert when_text(start, "Asia/Shanghai", end=start + timedelta(hours=1), language=language, now=NOW) == same_day
    late = datetime(2026, 12, 9, 23, 30, tzinfo=SHANGHAI)
    assert when_text(late, "Asia/Shanghai", end=late + timedelta(hours=1), language=language, now=NOW) == next_day


def test_the_moment_is_written_in_the_zone_it_is_given_and_a_bad_zone_falls_back_to_the_site_s():
    moment = datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)  # 02:00 in London
    assert when_text(moment, "Europe/London", language="en", now=NOW) == "Wed 9 Dec, 02:00 London time"
    assert when_text(moment, "Not/AZone", language="zh-hans", now=NOW) == "12月9日（周三）10:00 北京时间"


def test_the_template_helpers_write_the_same():
    moment = timezone.now().astimezone(SHANGHAI).replace(hour=16, minute=37, second=0, microsecond=0)
    template = Template("{% load zones %}{{ m|when:'Asia/Shanghai' }}|{{ m|when }}|{% when_range m e 'Asia/Shanghai' %}")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = template.render(Context({"m": moment, "e": moment + timedelta(minutes=8)}))
            one = when_text(moment, "Asia/Shanghai", language=language)
            assert text == f"{one}|{one}|{when_text(moment, 'Asia/Shanghai', end=moment + timedelta(minutes=8), language=language)}"
            assert str(moment.year) not in text and "-" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("stored", ["面试", "Interview", "Interviews"])
def test_a_default_title_is_shown_in_the_reader_s_language(hr_admin, stored):
    from hirelens.candidates.tests.factories import ApplicationFactory

    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__title="Sales representative",
                                     position__organization=hr_admin.organization)
    start = timezone.now() + timedelta(days=2)
    interview = Interview.objects.create(organization=hr_admin.organization, application=application, start_at=start,
                                         end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai",
                                         title=f"{stored} · Sales representative")
    custom = Interview.objects.create(organization=hr_admin.organization, application=application, start_at=start,
                                      end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai",
                                      title="复试 · Sales representative")
    with translation.override("en"):
        assert interview.display_title == "Interview · Sales representative" and interview.own_name == ""
        assert custom.display_title == "复试 · Sales representative" and custom.own_name == "复试"  # HR's words stay
    with translation.override("zh-hans"):
        assert interview.display_title == "面试 · Sales representative"
    _link, token = link_issue(application=application, kind=InterviewLink.Kind.CANDIDATE, interview=interview)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(link_url(token, absolute=False)).content.decode()
    assert "<h1>Interview · Sales representative</h1>" in english and "面试" not in english
    chinese = Client().get(link_url(token, absolute=False)).content.decode()
    assert "<h1>面试 · Sales representative</h1>" in chinese
    # the time on the link page: the one format, zh and en
    local = start.astimezone(SHANGHAI)
    assert when_text(start, "Asia/Shanghai", end=start + timedelta(hours=1), language="en") in english
    assert f"{local.month}月{local.day}日（周" in chinese and local.strftime("%Y-%m-%d") not in chinese


@pytest.mark.django_db
def test_a_scheduled_interview_stores_the_default_title_untranslated(hr_admin, interviewer):
    from hirelens.live.tests.room_setup import live_interview

    with translation.override("en"):  # HR works in English
        room, _token = live_interview(hr_admin.organization, hr_admin, [interviewer])
    assert room.interview.title == "面试 · 销售代表"


def test_staff_lists_show_a_default_title_in_the_reader_s_language(client, hr_admin):
    """The position's schedule, the upcoming list and the candidate's interviews tab rebuild a default title in
    English for English HR (not "面试 · …"), within their fixed number of queries (the position is selected)."""
    from hirelens.candidates.tests.factories import ApplicationFactory

    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__title="Sales representative",
                                     position__organization=hr_admin.organization)
    start = timezone.now() + timedelta(days=2)
    Interview.objects.create(organization=hr_admin.organization, application=application, start_at=start,
                             end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai", title="面试 · Sales representative")
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    for url in (f"/scheduling/position/{application.position_id}/", f"/candidates/{application.candidate_id}/?tab=interviews"):
        page = client.get(url).content.decode()
        assert "Interview · Sales representative" in page, url
        assert "面试 · Sales representative" not in page, url
