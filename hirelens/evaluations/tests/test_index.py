"""The evaluations index is bounded by its page: keyset pages newest change first, a capped count, the same few
queries with 3 or 40 applications, no encrypted resume read for the list, people found by name."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hirelens.candidates.models import Candidate
from hirelens.candidates.services.records import candidate_reindex
from hirelens.evaluations import selectors
from hirelens.workflows import services as wf
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = pytest.mark.django_db


def _seed(org, hr_admin, n: int, *, title="后端工程师", first=0):
    position = make_position(org, title=title, department="技术部")
    published_process(hr_admin, position, "technical")
    apps = []
    for i in range(n):
        application = make_application(position, f"评估者{first + i:02d}")
        wf.pipeline_start(actor=hr_admin, application=application)
        apps.append(application)
    return position, apps


def _names(page: str) -> list[str]:
    import re

    return re.findall(r"评估者\d\d", page)


def test_pages_forward_and_back_newest_change_first(org, hr_admin, client, monkeypatch):
    monkeypatch.setattr(selectors, "INDEX_PER_PAGE", 4)
    _position, apps = _seed(org, hr_admin, 10)
    client.force_login(hr_admin)
    first = client.get("/evaluations/")
    text = first.content.decode()
    assert _names(text) == [f"评估者{i:02d}" for i in (9, 8, 7, 6)]
    assert "第 1–4 个 · 共 10 个申请" in text and 'data-testid="page-previous"' not in text
    second = client.get("/evaluations/", {"cursor": first.context["page"].next_cursor}).content.decode()
    assert _names(second) == [f"评估者{i:02d}" for i in (5, 4, 3, 2)]
    page = client.get("/evaluations/", {"cursor": first.context["page"].next_cursor}).context["page"]
    third = client.get("/evaluations/", {"cursor": page.next_cursor})
    assert _names(third.content.decode()) == ["评估者01", "评估者00"] and third.context["page"].next_cursor is None
    back = client.get("/evaluations/", {"cursor": third.context["page"].previous_cursor})
    assert _names(back.content.decode()) == [f"评估者{i:02d}" for i in (5, 4, 3, 2)] and back.context["page"].start == 5
    home = client.get("/evaluations/", {"cursor": back.context["page"].previous_cursor}).context["page"]
    assert home.start == 1 and home.previous_cursor is None and [a.candidate.full_name for a in home.rows][0] == "评估者09"


def test_count_is_capped_and_a_forged_cursor_is_refused(org, hr_admin, client, monkeypatch):
    monkeypatch.setattr(selectors, "INDEX_COUNT_CAP", 5)
    _seed(org, hr_admin, 7)
    client.force_login(hr_admin)
    page = client.get("/evaluations/").content.decode()
    assert "第 1–7 个 · 共 5+ 个申请" in page
    response = client.get("/evaluations/", {"cursor": "forged"})
    assert response.status_code == 400 and "这个翻页链接已失效或不完整" in response.content.decode()
    client.cookies["django_language"] = "en"
    assert "Applications 1–7 of more than 5" in client.get("/evaluations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize("role", ["hr", "interviewer"])
def test_queries_do_not_grow_with_the_applications_and_no_resume_is_read(org, hr_admin, interviewer, client, role):
    counts = []
    for n, title in ((3, "小职位"), (40, "大职位")):
        position, _apps = _seed(org, hr_admin, n, title=title)
        assign(position, interviewer, "interviewer")
        user = hr_admin if role == "hr" else interviewer
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/evaluations/")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "resume_text" not in sql and "resume_parsed_json" not in sql and "phone" not in sql.split("FROM")[0]
    assert counts[0] == counts[1]


def test_search_by_name_and_interviewers_see_only_assigned_positions(org, hr_admin, interviewer, client):
    position, _apps = _seed(org, hr_admin, 3)
    _seed(org, hr_admin, 2, title="产品经理", first=50)
    assign(position, interviewer, "interviewer")
    for candidate in Candidate.objects.all():
        candidate_reindex(candidate=candidate)
    client.force_login(hr_admin)
    found = client.get("/evaluations/", {"q": "评估者51"}).context["page"].rows
    assert [a.candidate.full_name for a in found] == ["评估者51"]
    client.force_login(interviewer)
    assert sorted(_names(client.get("/evaluations/").content.decode())) == ["评估者00", "评估者01", "评估者02"]


def test_another_organization_sees_nothing(org, hr_admin, outsider, client):
    _seed(org, hr_admin, 3)
    client.force_login(outsider)
    assert _names(client.get("/evaluations/").content.decode()) == []
