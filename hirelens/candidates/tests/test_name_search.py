"""Name search (issue 16 §1): Latin prefixes, pinyin and initials through keyed tokens; keyset pagination of the
candidate list and its API; the searchable application picker; name filters on the board and the session list."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from hirelens.candidates import search, services
from hirelens.candidates.models import Candidate, SearchToken
from hirelens.candidates.selectors import application_ids_matching, candidate_list
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.positions.tests.factories import PositionAssignmentFactory, PositionFactory

from .factories import ApplicationFactory

pytestmark = pytest.mark.django_db

NAMES = ["张伟", "张薇", "周雨桐", "曾小贤", "吕布", "Zhang Wei", "Zoe Zhao", "Wang Fang", "欧阳娜娜", "李明"]


def _make(actor, names):
    return {name: services.candidate_create(actor=actor, full_name=name, allow_duplicate=True) for name in names}


def _found(actor, q):
    return sorted(c.full_name for c in candidate_list(actor=actor, q=q))


@pytest.fixture
def people(hr_admin):
    return _make(hr_admin, NAMES)


@pytest.mark.parametrize(("query", "expected"), [
    ("Zha", ["Zhang Wei", "Zoe Zhao", "张伟", "张薇"]),  # Latin prefix of Zhang / Zhao, and of the pinyin zhang
    ("zhang wei", ["Zhang Wei", "张伟", "张薇"]),    # pinyin syllables (薇 is wei too) and the Latin name
    ("zhangwei", ["张伟", "张薇"]),                 # joined pinyin
    ("zw", ["张伟", "张薇"]),                       # initials
    ("zyt", ["周雨桐"]), ("zy", ["周雨桐"]),  # initials and their prefix
    ("zhouyu", ["周雨桐"]),                         # a prefix of the joined pinyin
    ("zeng", ["曾小贤"]), ("ceng", ["曾小贤"]),      # a surname read both ways
    ("lv bu", ["吕布"]), ("lubu", ["吕布"]),         # ü typed as v or u
    ("ouyang", ["欧阳娜娜"]),
    ("周雨桐", ["周雨桐"]), ("伟", ["张伟"]),          # characters and pairs, as before
    ("Wang Fa", ["Wang Fang"]), ("wa fa", ["Wang Fang"]),
    ("zhangsan", []), ("xyz", []), ("q", []),
])
def test_names_are_found_by_prefix_pinyin_and_initials(hr_admin, people, query, expected):
    assert _found(hr_admin, query) == expected


def test_name_tokens_are_keyed_and_apart_from_content_tokens(hr_admin, people, settings):
    stored = set(SearchToken.objects.filter(candidate=people["张伟"]).values_list("token", flat=True))
    assert search.name_token_hash("zw") in stored and search.token_hash("zw") not in stored
    assert search.name_token_hash("zw") != search.token_hash("zw")
    settings.BLIND_INDEX_KEY = b"another key entirely, 32 bytes!!"
    assert search.name_token_hash("zw") not in stored  # keyed: without the key the hash cannot be recomputed


def test_resume_words_do_not_match_as_name_prefixes(hr_admin):
    c = services.candidate_create(actor=hr_admin, full_name="李雷", allow_duplicate=True)
    c.skills = ["Python"]
    c.save(update_fields=["skills"])
    services.candidate_reindex(candidate=c)
    assert _found(hr_admin, "python") == ["李雷"]
    assert _found(hr_admin, "pyth") == []  # prefixes are for names only


def test_search_is_isolated_per_organization(hr_admin, outsider, people):
    _make(outsider, ["张伟"])
    assert _found(outsider, "zw") == ["张伟"]
    assert [c.organization_id for c in candidate_list(actor=outsider, q="zw")] == [outsider.organization_id]
    assert _found(hr_admin, "zw") == ["张伟", "张薇"]


def test_interviewer_finds_only_assigned_people(hr_admin, interviewer, people):
    position = PositionFactory(organization=hr_admin.organization)
    PositionAssignmentFactory(position=position, user=interviewer)
    ApplicationFactory(candidate=people["张伟"], position=position, organization=hr_admin.organization)
    assert _found(interviewer, "zw") == ["张伟"]


def test_reindex_command_adds_name_tokens_only_when_needed(hr_admin, people):
    c = people["周雨桐"]
    SearchToken.objects.filter(candidate=c, token__in=search.name_tokens(c.full_name)).delete()
    assert _found(hr_admin, "zyt") == []
    call_command("reindex_search", verbosity=0)
    assert _found(hr_admin, "zyt") == ["周雨桐"]
    before = SearchToken.objects.count()
    call_command("reindex_search", verbosity=0)  # nothing needed: nothing added
    assert SearchToken.objects.count() == before


# --- keyset pagination ----------------------------------------------------------------------

@pytest.fixture
def many(hr_admin):
    return [Candidate.objects.create(organization=hr_admin.organization, full_name=f"候选人{i:02d}") for i in range(45)]


def _ids(response):
    import re

    return [int(x) for x in re.findall(r'data-testid="candidate-row" data-id="(\d+)"', response.content.decode())]


def _link(response, testid):
    import html
    import re

    found = re.search(rf'href="([^"]+)" rel="\w+" data-testid="{testid}"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("sort", ["new", "old", "updated"])
def test_keyset_pages_walk_every_row_once_and_back(client, hr_admin, many, sort):
    client.force_login(hr_admin)
    response = client.get("/candidates/", {"sort": sort})
    seen, pages = [], [response]
    while True:
        seen += _ids(response)
        following = _link(response, "page-next")
        if not following:
            break
        response = client.get("/candidates/" + following)
        assert response.status_code == 200
        pages.append(response)
    assert sorted(seen) == sorted(c.pk for c in many) and len(seen) == 45
    assert [len(_ids(p)) for p in pages] == [20, 20, 5]
    assert "第 41–45 位 · 共 45 位" in pages[-1].content.decode()
    back = client.get("/candidates/" + _link(pages[-1], "page-previous"))
    assert _ids(back) == _ids(pages[1])
    assert "第 21–40 位" in back.content.decode()
    first = client.get("/candidates/" + _link(back, "page-previous"))
    assert _ids(first) == _ids(pages[0]) and _link(first, "page-previous") is None


def test_deep_cursor_and_old_page_links(client, hr_admin, many):
    client.force_login(hr_admin)
    newest_first = sorted((c.pk for c in many), reverse=True)
    assert _ids(client.get("/candidates/?page=3")) == newest_first[40:]  # old links still land on the right rows
    past = client.get("/candidates/?page=2500", follow=True)
    assert _ids(past) == newest_first[:20] and "该页码超出了结果范围" in past.content.decode()
    deep = client.get("/candidates/" + _link(client.get("/candidates/?page=2"), "page-next"))
    assert _ids(deep) == newest_first[40:]


@pytest.mark.parametrize("cursor", ["garbage", "eyJzIjoibmV3In0:1abc:def", "x" * 300])
def test_a_bad_cursor_is_a_clear_400(client, hr_admin, many, cursor):
    client.force_login(hr_admin)
    response = client.get("/candidates/", {"cursor": cursor})
    assert response.status_code == 400
    assert "这个翻页链接已失效或不完整" in response.content.decode()
    api = client.get("/api/v1/candidates/", {"cursor": cursor})
    assert api.status_code == 400 and api.json()["status"] == 400


def test_a_cursor_of_another_sort_is_refused(client, hr_admin, many):
    client.force_login(hr_admin)
    following = _link(client.get("/candidates/", {"sort": "old"}), "page-next")
    cursor = following.split("cursor=")[1]
    from urllib.parse import unquote

    assert client.get("/candidates/", {"sort": "new", "cursor": unquote(cursor)}).status_code == 400


def test_sort_by_name_within_the_page(client, hr_admin):
    _make(hr_admin, ["周雨桐", "Brown", "安然", "陈晨", "白露"])
    client.force_login(hr_admin)
    text = client.get("/candidates/", {"order": "name"}).content.decode()
    order = sorted(["周雨桐", "Brown", "安然", "陈晨", "白露"], key=text.index)
    assert order == ["安然", "白露", "Brown", "陈晨", "周雨桐"]


def test_api_keyset_next_walks_every_row_once(client, hr_admin, many, django_assert_max_num_queries):
    client.force_login(hr_admin)
    first = client.get("/api/v1/candidates/", {"limit": 20}).json()
    assert first["count"] == 45 and first["next"]
    seen = [c["id"] for c in first["items"]]
    cursor = first["next"]
    while cursor:
        with django_assert_max_num_queries(14):
            body = client.get("/api/v1/candidates/", {"limit": 20, "cursor": cursor}).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next"]
    assert body["count"] is None  # counted on the first page only: a deep page does not recount every match
    assert sorted(seen) == sorted(c.pk for c in many) and len(seen) == 45
    by_offset = client.get("/api/v1/candidates/", {"limit": 20, "offset": 40}).json()
    assert [c["id"] for c in by_offset["items"]] == seen[40:] and by_offset["next"] is None


def test_list_page_cost_is_bounded_with_a_cursor(client, hr_admin, many, django_assert_max_num_queries):
    client.force_login(hr_admin)
    following = _link(client.get("/candidates/"), "page-next")
    audit_record(action="login", actor=hr_admin, obj=hr_admin)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(14):
        assert client.get("/candidates/" + following).status_code == 200
    assert AuditEvent.objects.filter(pk__gt=last).count() == 1


# --- the application picker -------------------------------------------------------------------

@pytest.fixture
def picked(hr_admin, people):
    org = hr_admin.organization
    backend = PositionFactory(organization=org, title="后端工程师")
    sales = PositionFactory(organization=org, title="销售代表")
    apps = {
        "周雨桐": ApplicationFactory(candidate=people["周雨桐"], position=backend, organization=org, stage="初试"),
        "张伟": ApplicationFactory(candidate=people["张伟"], position=backend, organization=org, stage="复试"),
        "张薇": ApplicationFactory(candidate=people["张薇"], position=sales, organization=org, stage="初试"),
    }
    return backend, sales, apps


def test_picker_returns_labels_of_matching_people(client, hr_admin, picked, django_assert_max_num_queries):
    backend, _sales, apps = picked
    client.force_login(hr_admin)
    audit_record(action="login", actor=hr_admin, obj=hr_admin)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(14):
        body = client.get("/candidates/pick/applications", {"q": "zyt"}).json()
    assert body == {"results": [{"id": apps["周雨桐"].pk, "label": "周雨桐 · 后端工程师 · 初试"}]}
    entries = list(AuditEvent.objects.filter(pk__gt=last))
    assert [(e.action, e.targets) for e in entries] == [("read", [f"candidates.candidate:{apps['周雨桐'].candidate_id}"])]
    both = client.get("/candidates/pick/applications", {"q": "zw"}).json()["results"]
    assert sorted(r["label"] for r in both) == ["张伟 · 后端工程师 · 复试", "张薇 · 销售代表 · 初试"]
    one = client.get("/candidates/pick/applications", {"q": "zw", "position": backend.pk}).json()["results"]
    assert [r["id"] for r in one] == [apps["张伟"].pk]
    assert client.get("/candidates/pick/applications", {"q": "nobody"}).json() == {"results": []}


def test_picker_respects_access(client, hr_admin, interviewer, outsider, picked):
    _backend, sales, apps = picked
    PositionAssignmentFactory(position=sales, user=interviewer)
    client.force_login(interviewer)  # an interviewer of another position sees nothing of the backend role
    assert client.get("/candidates/pick/applications", {"q": "zyt"}).json() == {"results": []}
    assert [r["id"] for r in client.get("/candidates/pick/applications", {"q": "zw"}).json()["results"]] == [apps["张薇"].pk]
    client.force_login(outsider)
    assert client.get("/candidates/pick/applications", {"q": "zw"}).json() == {"results": []}
    client.logout()
    assert client.get("/candidates/pick/applications", {"q": "zw"}).status_code == 302


def test_application_ids_matching_and_name_filters(client, hr_admin, picked):
    backend, _sales, apps = picked
    org = hr_admin.organization.pk
    assert set(application_ids_matching(org, "zw").values_list("pk", flat=True)) == {apps["张伟"].pk, apps["张薇"].pk}
    client.force_login(hr_admin)
    board = client.get(f"/processes/position/{backend.pk}/board/", {"q": "zyt"}).content.decode()
    assert "周雨桐" in board and "张伟" not in board


def test_schedule_page_does_not_list_all_applications(client, hr_admin, picked):
    backend, _sales, _apps = picked
    client.force_login(hr_admin)
    text = client.get(f"/scheduling/position/{backend.pk}/").content.decode()
    assert 'data-testid="interview-application"' in text and "周雨桐" not in text and "张伟" not in text


def test_scheduling_without_a_picked_application_says_so(client, hr_admin, picked):
    backend, _sales, _apps = picked
    client.force_login(hr_admin)
    response = client.post(f"/scheduling/position/{backend.pk}/interviews/new/", {"application": ""}, follow=True)
    assert response.status_code == 200 and "请输入候选人姓名并从列表中选择一位" in response.content.decode()


def test_pages_in_english(client, hr_admin, many, picked):
    import re

    backend, _sales, _apps = picked
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    text = client.get("/candidates/").content.decode()
    assert f"1–20 of {Candidate.objects.count()}" in text and ">Next</a>" in text and "Sort this page by name" in text
    bad = client.get("/candidates/", {"cursor": "garbage"}).content.decode()
    assert "This page link has expired or is incomplete" in bad and "Back to the first page" in bad
    schedule = client.get(f"/scheduling/position/{backend.pk}/").content.decode()
    assert "Type a name, pinyin or initials" in schedule and "No matching candidate found." in schedule
    for page in (text, bad, schedule):
        chrome = re.sub(r"<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
        chrome = re.sub(r"中文|员工\d+|初试|复试|候选人\d\d|张伟|张薇|周雨桐|曾小贤|吕布|欧阳娜娜|李明|后端工程师|销售代表", " ", chrome)
        assert not re.search(r"[\u3400-\u9fff\uff08\uff09\uff0c\uff1a\u3002]", chrome), chrome[:2000]
