"""Bounded scheduling pages (issue 22): the position's schedule, the organization-wide interview list and "my
interviews" show one page at a time, cost the same number of queries with 10 or 120 interviews, filter, search by
the candidate's name, and show only what the reader may see."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirelens.candidates import services as candidates
from hirelens.scheduling.models import Interview, InterviewSlot
from hirelens.workflows.tests.factories import assign, make_application, make_position

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'href="\?([^"]*)" rel="next"')


def _interviews(position, n: int, *, interviewers=(), start=0, hours_from_now=24, status="scheduled", step_hours=1):
    """``n`` interviews of ``n`` new applications, one hour apart from ``hours_from_now`` (bulk: tests at scale)."""
    now = timezone.now()
    made = []
    for i in range(start, start + n):
        application = make_application(position, f"候选人{i:03d}")
        begin = now + timedelta(hours=hours_from_now + i * step_hours)
        made.append(Interview(organization=position.organization, application=application, title=f"面试 · {position.title}",
                              start_at=begin, end_at=begin + timedelta(minutes=45), time_zone="Asia/Shanghai", status=status,
                              uid=f"list-{position.pk}-{status}-{i}@test"))
    made = Interview.objects.bulk_create(made)
    through = Interview.interviewers.through
    through.objects.bulk_create([through(interview_id=iv.pk, user_id=u.pk) for iv in made for u in interviewers])
    return made


def _slots(position, n: int, interviewer, start=0):
    now = timezone.now()
    made = InterviewSlot.objects.bulk_create([
        InterviewSlot(organization=position.organization, position=position, start_at=now + timedelta(days=2, hours=i),
                      end_at=now + timedelta(days=2, hours=i, minutes=30), time_zone="Asia/Shanghai") for i in range(start, start + n)])
    through = InterviewSlot.interviewers.through
    through.objects.bulk_create([through(interviewslot_id=s.pk, user_id=interviewer.pk) for s in made])


def _login(client, user):
    """Signed in, with the organization's audit chain started (as after any real sign-in)."""
    from hirelens.core.audit import audit_record

    client.force_login(user)
    audit_record(action="login", actor=user, obj=user)


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def _walk(client, url) -> tuple[list[int], set[int]]:
    """Follow the "next" links from ``url`` to the end: the interview ids in order, and the query counts seen."""
    ids, counts = [], set()
    base = url.split("?", 1)[0]
    while True:
        page, queries = _get(client, url)
        counts.add(queries)
        ids += [int(i) for i in re.findall(r'data-testid="interview" data-id="(\d+)"', page)]
        found = NEXT.search(page)
        if not found:
            return ids, counts
        url = base + "?" + found.group(1).replace("&amp;", "&")


@pytest.fixture
def position(org, interviewer):
    position = make_position(org, title="后端工程师")
    assign(position, interviewer)
    return position


@pytest.mark.parametrize("url", ["/scheduling/position/{position}/", "/scheduling/interviews/", "/scheduling/availability/"])
def test_pages_cost_the_same_with_10_or_120_interviews(client, hr_admin, interviewer, position, url):
    url = url.format(position=position.pk)
    rows = 10 if "availability" in url else 20  # "my interviews": the next ten
    _interviews(position, 10, interviewers=[interviewer, hr_admin])
    _slots(position, 10, interviewer)
    small = {}
    for user in (hr_admin, interviewer):
        _login(client, user)
        page, small[user.role] = _get(client, url)
        assert page.count('data-testid="interview" ') == 10
    _interviews(position, 110, interviewers=[interviewer, hr_admin], start=10)
    _slots(position, 110, interviewer, start=10)
    for user in (hr_admin, interviewer):
        _login(client, user)
        page, large = _get(client, url)
        assert large == small[user.role] <= 14, (user.role, small, large)
        assert page.count('data-testid="interview" ') == rows


def test_paging_walks_every_interview_once_in_order(client, hr_admin, interviewer, position):
    made = _interviews(position, 45, interviewers=[interviewer])
    _login(client, hr_admin)
    for url in (f"/scheduling/position/{position.pk}/", "/scheduling/interviews/"):
        ids, counts = _walk(client, url)
        assert ids == [i.pk for i in made]  # soonest first, no repeats, none left out
        assert len(counts) == 1  # a deep page costs what the first one does
    page, _queries = _get(client, "/scheduling/interviews/")
    assert "第 1–20 条" in page
    following = NEXT.search(page).group(1).replace("&amp;", "&")
    second, _queries = _get(client, "/scheduling/interviews/?" + following)
    assert "第 21–40 条" in second
    back = re.search(r'href="\?([^"]*)" rel="prev"', second).group(1).replace("&amp;", "&")
    first, _queries = _get(client, "/scheduling/interviews/?" + back)
    assert re.findall(r'data-id="(\d+)"', first) == [str(i.pk) for i in made[:20]] and "第 1–20 条" in first


def test_past_interviews_most_recent_first_and_filters(client, hr_admin, interviewer, recruiter, org, position):
    upcoming = _interviews(position, 3, interviewers=[interviewer])
    past = _interviews(position, 3, interviewers=[recruiter], start=3, hours_from_now=-100, status="completed")
    cancelled = _interviews(position, 2, interviewers=[interviewer], start=6, hours_from_now=30, status="cancelled")
    _login(client, hr_admin)

    def ids(query, path="/scheduling/interviews/"):
        page, _queries = _get(client, f"{path}?{query}")
        return [int(i) for i in re.findall(r'data-testid="interview" data-id="(\d+)"', page)]

    assert ids("") == [i.pk for i in sorted(upcoming + cancelled, key=lambda i: i.start_at)]
    assert ids("when=past") == [i.pk for i in reversed(past)]
    assert ids("when=all&status=completed") == [i.pk for i in past]
    assert ids("status=cancelled") == [i.pk for i in cancelled]
    assert ids(f"when=all&interviewer={recruiter.pk}") == [i.pk for i in past]
    assert ids(f"interviewer={interviewer.pk}&status=scheduled") == [i.pk for i in upcoming]
    assert ids("kind=live") == ids("") and ids("kind=stage") == []  # no stage: held in a room
    day = upcoming[0].start_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    expected = [i.pk for i in sorted(upcoming + cancelled, key=lambda i: i.start_at)
                if i.start_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == day]
    assert ids(f"from={day.isoformat()}&to={day.isoformat()}") == expected  # custom dates, in the reader's zone
    assert ids(f"when=custom&from={day.isoformat()}&to={day.isoformat()}", f"/scheduling/position/{position.pk}/") == expected
    other = make_position(org, title="销售代表")
    elsewhere = _interviews(other, 2, interviewers=[interviewer], start=20)
    assert ids(f"position={other.pk}") == [i.pk for i in elsewhere]
    assert ids(f"position={other.pk}", f"/scheduling/position/{position.pk}/") == ids("", f"/scheduling/position/{position.pk}/")
    today = ids("when=today") + ids("when=week")  # computed in the reader's zone; no error
    assert set(today) <= {i.pk for i in upcoming + cancelled + elsewhere}
    page, _queries = _get(client, "/scheduling/interviews/?from=2026-13-40")
    assert "日期格式不正确，已忽略日期筛选。" in page and 'data-testid="interview"' in page
    page, _queries = _get(client, "/scheduling/interviews/?cursor=made-up")
    assert "翻页链接已失效，已回到第一页。" in page and page.count('data-testid="interview"') == len(upcoming + cancelled + elsewhere)
    # a cursor of the upcoming list is not one of the past list (another order)
    _interviews(position, 25, interviewers=[interviewer], start=40)
    first, _queries = _get(client, "/scheduling/interviews/")
    cursor = re.search(r"cursor=([^\"&]+)", NEXT.search(first).group(1)).group(1)
    page, _queries = _get(client, f"/scheduling/interviews/?when=past&cursor={cursor}")
    assert "翻页链接已失效" in page


def test_rows_name_candidate_position_and_interviewers(client, hr_admin, interviewer, position):
    interview = _interviews(position, 1, interviewers=[interviewer, hr_admin])[0]
    _login(client, hr_admin)
    page, _queries = _get(client, "/scheduling/interviews/")
    row = page.split(f'data-id="{interview.pk}"', 1)[1].split("</tr>", 1)[0]
    assert interview.application.candidate.full_name in row and "后端工程师" in row
    assert interviewer.full_name in row and hr_admin.full_name in row
    assert f'href="/candidates/{interview.application.candidate_id}/"' in row and f'href="/scheduling/interviews/{interview.pk}/"' in row
    english = client.get("/scheduling/interviews/", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    text = client.get("/scheduling/interviews/").content.decode()
    assert english.status_code == 200 and "All interviews" in text and "Upcoming" in text
    assert f"{interviewer.full_name}, {hr_admin.full_name}" in text or f"{hr_admin.full_name}, {interviewer.full_name}" in text


def test_search_by_candidate_name(client, hr_admin, interviewer, position):
    now = timezone.now()
    people = {}
    for i, name in enumerate(["周雨桐", "张伟", "Zoe Zhou"]):
        candidate = candidates.candidate_create(actor=hr_admin, full_name=name, allow_duplicate=True)
        application = candidates.application_create(actor=hr_admin, candidate=candidate, position=position)
        people[name] = Interview.objects.create(organization=position.organization, application=application, title="面试",
                                                start_at=now + timedelta(days=1, hours=i), end_at=now + timedelta(days=1, hours=i, minutes=30),
                                                time_zone="Asia/Shanghai", uid=f"search-{i}")
    _login(client, hr_admin)
    for query, expected in (("zyt", ["周雨桐"]), ("周", ["周雨桐"]), ("zhang", ["张伟"]), ("Zoe", ["Zoe Zhou"]), ("nobody", [])):
        page, _queries = _get(client, f"/scheduling/interviews/?q={query}")
        assert re.findall(r'data-testid="interview" data-id="(\d+)"', page) == [str(people[n].pk) for n in expected], query


def test_interviewer_sees_only_assigned_positions(client, hr_admin, interviewer, outsider, org, position):
    mine = _interviews(position, 2, interviewers=[hr_admin])
    hidden = make_position(org, title="财务经理")
    secret = _interviews(hidden, 2, interviewers=[interviewer], start=10)
    _login(client, interviewer)
    page, _queries = _get(client, "/scheduling/interviews/?when=all")
    assert re.findall(r'data-testid="interview" data-id="(\d+)"', page) == [str(i.pk) for i in mine]
    assert "财务经理" not in page and secret[0].application.candidate.full_name not in page
    # naming a hidden position or the interviewer of a hidden interview shows nothing of it
    assert 'data-testid="interview" ' not in _get(client, f"/scheduling/interviews/?position={hidden.pk}")[0]
    page, _queries = _get(client, f"/scheduling/interviews/?interviewer={interviewer.pk}")
    assert 'data-testid="interview" ' not in page
    # the interviewer choices are the members of the reader's positions, not the whole organization
    from hirelens.accounts.tests.factories import UserFactory

    UserFactory(organization=org, role="interviewer", email="elsewhere@example.com", full_name="孙其他")
    assert "孙其他" not in page and interviewer.full_name in page
    _login(client, hr_admin)
    page, _queries = _get(client, "/scheduling/interviews/?when=all")
    assert len(re.findall(r'data-testid="interview" data-id', page)) == 4 and "孙其他" in page
    _login(client, outsider)
    page, _queries = _get(client, "/scheduling/interviews/?when=all")
    assert 'data-testid="interview" ' not in page and "后端工程师" not in page
    client.logout()
    assert client.get("/scheduling/interviews/").status_code == 302


def test_my_interviews_are_bounded_and_named(client, hr_admin, interviewer, position):
    made = _interviews(position, 14, interviewers=[interviewer])
    _interviews(position, 3, interviewers=[hr_admin], start=50)  # someone else's
    _login(client, interviewer)
    page, _queries = _get(client, "/scheduling/availability/")
    mine = page.split('data-testid="my-interviews"', 1)[1].split("</ul>", 1)[0]
    assert mine.count('data-testid="interview"') == 10
    assert all(i.application.candidate.full_name in mine for i in made[:10]) and made[10].application.candidate.full_name not in mine
    assert f'href="/scheduling/interviews/?interviewer={interviewer.pk}"' in page and "查看我的全部面试" in page
    full, _queries = _get(client, f"/scheduling/interviews/?interviewer={interviewer.pk}")
    assert full.count('data-testid="interview" ') == 14


def test_interview_list_is_in_the_navigation(client, hr_admin, interviewer):
    for user in (hr_admin, interviewer):
        _login(client, user)
        assert 'href="/scheduling/interviews/"' in client.get("/").content.decode()


def test_picker_is_bounded_and_never_shows_another_organization(client, hr_admin, outsider, position):
    for i in range(25):
        candidate = candidates.candidate_create(actor=hr_admin, full_name=f"周{i:02d}", allow_duplicate=True)
        candidates.application_create(actor=hr_admin, candidate=candidate, position=position)
    other_position = make_position(outsider.organization, title="外部职位")
    stranger = candidates.candidate_create(actor=outsider, full_name="周外人", allow_duplicate=True)
    candidates.application_create(actor=outsider, candidate=stranger, position=other_position)
    _login(client, hr_admin)
    results = client.get("/candidates/pick/applications", {"q": "周"}).json()["results"]
    assert len(results) == 20 and not any("周外人" in r["label"] for r in results)
    assert client.get("/candidates/pick/applications", {"q": "周外"}).json()["results"] == []
    _login(client, outsider)
    assert [r["id"] for r in client.get("/candidates/pick/applications", {"q": "周"}).json()["results"]] == [
        stranger.applications.get().pk]
