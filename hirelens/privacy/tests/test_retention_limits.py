"""Retention limits per jurisdiction on the HR page (issue 20): the services that add, change and remove a
jurisdiction's row (audited; removing falls back to the default), the table with the positions each row applies to,
the add / edit / remove pages (HR admins only, localized 400s, unknown codes 404), which limit applied in the due
list, and a page whose query count does not grow with rows and positions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirelens.candidates.models import Application
from hirelens.candidates.tests.factories import ApplicationFactory, CandidateFactory
from hirelens.core.models import AuditEvent, RetentionPolicy
from hirelens.positions.tests.factories import PositionFactory
from hirelens.privacy.retention import (
    policy_for,
    retention_due,
    retention_extend,
    retention_limits,
    retention_policy_delete,
    retention_policy_update,
)

pytestmark = pytest.mark.django_db

DAYS = {"candidates_days": 400, "recordings_days": 30, "analyses_days": 60}


def _audits():
    return list(AuditEvent.objects.filter(object_type="core.retentionpolicy").order_by("pk")
                .values_list("action", "object_id", "fields", "actor_id"))


def _close(candidate, position, *, days_ago: int):
    application = ApplicationFactory(candidate=candidate, position=position, organization=candidate.organization)
    when = timezone.now() - timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.REJECTED, updated_at=when)
    return timezone.localdate(when)


# --- services ----------------------------------------------------------------------------------------------------

def test_add_change_and_remove_a_jurisdictions_row_are_audited_and_policy_for_falls_back(org, hr_admin):
    retention_policy_update(actor=hr_admin, recordings_days=100, analyses_days=120, candidates_days=300)
    nyc = retention_policy_update(actor=hr_admin, jurisdiction="us_nyc", **DAYS)
    assert (policy_for(organization_id=org.pk, jurisdiction="us_nyc").recordings_days, nyc.jurisdiction) == (30, "us_nyc")
    retention_policy_update(actor=hr_admin, jurisdiction="us_nyc", recordings_days=20, analyses_days=60, candidates_days=400)
    assert policy_for(organization_id=org.pk, jurisdiction="us_nyc").recordings_days == 20

    retention_policy_delete(actor=hr_admin, jurisdiction="us_nyc")

    fallback = policy_for(organization_id=org.pk, jurisdiction="us_nyc")
    assert (fallback.jurisdiction, fallback.recordings_days, fallback.candidates_days) == ("", 100, 300)
    assert list(RetentionPolicy.objects.filter(organization=org).values_list("jurisdiction", flat=True)) == [""]
    default_id = str(RetentionPolicy.objects.get(organization=org).pk)
    days = ["analyses_days", "candidates_days", "recordings_days"]
    assert _audits() == [
        ("create", default_id, sorted(days + ["jurisdiction:*"]), hr_admin.pk),
        ("create", str(nyc.pk), sorted(days + ["jurisdiction:us_nyc"]), hr_admin.pk),
        ("update", str(nyc.pk), sorted(days + ["jurisdiction:us_nyc"]), hr_admin.pk),
        ("delete", str(nyc.pk), ["analyses_days:60", "candidates_days:400", "jurisdiction:us_nyc", "recordings_days:20"],
         hr_admin.pk)]


def test_the_default_cannot_be_removed_and_a_missing_row_or_bad_code_changes_nothing(org, hr_admin, other_org):
    from hirelens.accounts.tests.factories import UserFactory

    retention_policy_update(actor=hr_admin, jurisdiction="eu", **DAYS)
    other_hr = UserFactory(organization=other_org, role="hr_admin", email="hr@other.example.com")
    before = _audits()
    with pytest.raises(ValidationError):
        retention_policy_delete(actor=hr_admin, jurisdiction="")
    with pytest.raises(RetentionPolicy.DoesNotExist):
        retention_policy_delete(actor=hr_admin, jurisdiction="cn")
    with pytest.raises(RetentionPolicy.DoesNotExist):  # another organization's HR admin cannot remove ours
        retention_policy_delete(actor=other_hr, jurisdiction="eu")
    with pytest.raises(ValidationError):
        retention_policy_update(actor=hr_admin, jurisdiction="mars", **DAYS)
    assert _audits() == before
    assert list(RetentionPolicy.objects.values_list("organization_id", "jurisdiction")) == [(org.pk, "eu")]


def test_a_removed_row_no_longer_lengthens_its_positions_candidates(org, hr_admin):
    retention_policy_update(actor=hr_admin, jurisdiction="eu", candidates_days=600, recordings_days=180, analyses_days=180)
    europe = PositionFactory(organization=org, jurisdiction="eu")
    person = CandidateFactory(organization=org, full_name="欧洲候选人")
    closed = _close(person, europe, days_ago=370)
    assert retention_due(organization_id=org.pk, within_days=30) == []
    retention_policy_delete(actor=hr_admin, jurisdiction="eu")
    due = [(i.kind, i.due_on, i.limit_jurisdiction, i.limit_days) for i in retention_due(organization_id=org.pk, within_days=30)]
    assert due == [("candidate", closed + timedelta(days=365), "", 365)]


def test_the_table_names_each_row_with_its_positions(org, hr_admin):
    retention_policy_update(actor=hr_admin, jurisdiction="us_nyc", **DAYS)
    nyc = [PositionFactory(organization=org, jurisdiction="us_nyc", title=t) for t in ("N4", "N1", "N3", "N2")]
    others = [PositionFactory(organization=org, jurisdiction=j, title=t) for j, t in (("other", "O2"), ("cn", "C1"))]
    rows = retention_limits(organization_id=org.pk)
    assert [(r.jurisdiction, str(r.label), r.policy.candidates_days, r.position_count, r.more) for r in rows] == [
        ("", "None", 365, 2, 0), ("us_nyc", "美国纽约市", 400, 4, 1)]
    assert rows[1].positions == ((nyc[1].pk, "N1"), (nyc[3].pk, "N2"), (nyc[2].pk, "N3"))  # the first three by title
    assert rows[0].positions == ((others[1].pk, "C1"), (others[0].pk, "O2"))  # the default: every other jurisdiction's


# --- pages -------------------------------------------------------------------------------------------------------

def test_hr_admin_adds_edits_and_removes_a_jurisdictions_limits(client, org, hr_admin):
    PositionFactory(organization=org, jurisdiction="us_nyc", title="纽约销售")
    client.force_login(hr_admin)
    page = client.get("/settings/retention/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="limit-row" data-jurisdiction="default"' in page and "data-jurisdiction=\"us_nyc\"" not in page
    form = client.get("/settings/retention/limits/new/").content.decode()
    assert '<option value="us_nyc">美国纽约市</option>' in form and 'value="365"' in form  # prefilled with the default

    added = client.post("/settings/retention/limits/new/", {"jurisdiction": "us_nyc", **DAYS})
    assert added.status_code == 302 and added["Location"] == "/settings/retention/"
    page = client.get("/settings/retention/").content.decode()
    assert "已添加美国纽约市的保留期限。" in page
    row = page[page.index('data-jurisdiction="us_nyc"'):]
    row = row[:row.index("</tr>")]
    assert "美国纽约市" in row and "400 天" in row and "30 天" in row and "1 个职位" in row and "纽约销售" in row
    assert "us_nyc<" not in row.replace('data-jurisdiction="us_nyc"', "")  # the code itself is never shown
    assert '<option value="us_nyc">' not in client.get("/settings/retention/limits/new/").content.decode()

    edit = client.get("/settings/retention/limits/us_nyc/", HTTP_ACCEPT_LANGUAGE="en")
    assert edit.status_code == 200 and 'value="30"' in edit.content.decode()
    saved = client.post("/settings/retention/limits/us_nyc/", {**DAYS, "recordings_days": 14})
    assert saved.status_code == 302
    assert RetentionPolicy.objects.get(organization=org, jurisdiction="us_nyc").recordings_days == 14

    confirm = client.get("/settings/retention/limits/us_nyc/remove/").content.decode()
    assert "移除后，美国纽约市的职位将按组织默认期限保留：未录用候选人数据 365 天，录像 180 天，分析结果 180 天。" in confirm
    assert RetentionPolicy.objects.filter(organization=org, jurisdiction="us_nyc").exists()  # a GET removes nothing
    removed = client.post("/settings/retention/limits/us_nyc/remove/")
    assert removed.status_code == 302
    assert "已移除美国纽约市的保留期限；其职位改按组织的默认期限保留。" in client.get("/settings/retention/").content.decode()
    assert not RetentionPolicy.objects.filter(organization=org, jurisdiction="us_nyc").exists()
    assert [a for a, *_ in _audits()] == ["create", "update", "delete"]


@pytest.mark.parametrize("language,message", [("zh-hans", "确保该值大于或等于30。"), ("en", "Ensure this value is greater than or equal to 30.")])
def test_bad_input_answers_400_with_the_form_in_the_persons_language(client, org, hr_admin, language, message):
    client.force_login(hr_admin)
    client.cookies["django_language"] = language
    retention_policy_update(actor=hr_admin, jurisdiction="eu", **DAYS)
    too_short = client.post("/settings/retention/limits/eu/", {**DAYS, "candidates_days": 5})
    assert too_short.status_code == 400 and message in too_short.content.decode()
    not_a_number = client.post("/settings/retention/limits/new/", {"jurisdiction": "cn", **DAYS, "analyses_days": "x"})
    assert not_a_number.status_code == 400
    taken = client.post("/settings/retention/limits/new/", {"jurisdiction": "eu", **DAYS})  # eu has its row already
    unknown = client.post("/settings/retention/limits/new/", {"jurisdiction": "mars", **DAYS})
    assert taken.status_code == unknown.status_code == 400
    choice = "选择一个有效的选项" if language == "zh-hans" else "Select a valid choice"
    assert choice in unknown.content.decode()
    assert list(RetentionPolicy.objects.filter(organization=org).values_list("jurisdiction", "candidates_days")) == [("eu", 400)]


def test_unknown_or_missing_codes_are_404(client, org, hr_admin, other_org):
    RetentionPolicy.objects.create(organization=other_org, jurisdiction="cn")
    retention_policy_update(actor=hr_admin, recordings_days=100, analyses_days=100, candidates_days=300)
    client.force_login(hr_admin)
    for url in ("/settings/retention/limits/mars/", "/settings/retention/limits/cn/",  # cn: another organization's row
                "/settings/retention/limits/mars/remove/", "/settings/retention/limits/cn/remove/",
                "/settings/retention/limits/default/remove/", "/settings/retention/limits/%20/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, DAYS).status_code == 404, url
    assert RetentionPolicy.objects.filter(organization_id=other_org.pk).count() == 1
    assert RetentionPolicy.objects.get(organization=org).candidates_days == 300


@pytest.mark.parametrize("role", ["recruiter", "interviewer", "hiring_manager"])
def test_only_hr_admins_change_limits(client, org, hr_admin, role, request):
    retention_policy_update(actor=hr_admin, jurisdiction="eu", **DAYS)
    client.force_login(request.getfixturevalue(role))
    for method, url, data in (("get", "/settings/retention/limits/new/", {}),
                              ("post", "/settings/retention/limits/new/", {"jurisdiction": "cn", **DAYS}),
                              ("get", "/settings/retention/limits/eu/", {}),
                              ("post", "/settings/retention/limits/eu/", {**DAYS, "recordings_days": 1}),
                              ("get", "/settings/retention/limits/eu/remove/", {}),
                              ("post", "/settings/retention/limits/eu/remove/", {})):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)
    assert list(RetentionPolicy.objects.filter(organization=org).values_list("jurisdiction", "recordings_days")) == [("eu", 30)]
    assert [a for a, *_ in _audits()] == ["create"]


def test_the_due_list_says_which_limit_applied(client, org, hr_admin):
    retention_policy_update(actor=hr_admin, jurisdiction="us_nyc", candidates_days=380, recordings_days=180, analyses_days=180)
    nyc, china = PositionFactory(organization=org, jurisdiction="us_nyc"), PositionFactory(organization=org, jurisdiction="cn")
    by_nyc, by_default = CandidateFactory(organization=org, full_name="纽约候选"), CandidateFactory(organization=org, full_name="上海候选")
    _close(by_nyc, nyc, days_ago=370)
    _close(by_nyc, china, days_ago=375)  # two positions: the longer (New York's) limit applies
    _close(by_default, china, days_ago=350)
    items = {i.candidate_id: (i.limit_jurisdiction, i.limit_days) for i in retention_due(organization_id=org.pk, within_days=30)}
    assert items == {by_nyc.pk: ("us_nyc", 380), by_default.pk: ("", 365)}
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    page = client.get("/settings/retention/").content.decode()
    limits = {cid: re.sub(r"<[^>]+>", "", page.split(f'data-candidate="{cid}"')[1].split('data-testid="due-limit">')[1].split("</td>")[0])
              for cid in (by_nyc.pk, by_default.pk)}
    assert limits == {by_nyc.pk: "US – New York City · 380 days", by_default.pk: "Organization default · 365 days"}
    until = timezone.localdate() + timedelta(days=25)
    retention_extend(actor=hr_admin, candidate=by_default, until=until, reason="诉讼保全")
    page = client.get("/settings/retention/").content.decode()
    cell = page.split(f'data-candidate="{by_default.pk}"')[1].split('data-testid="due-limit">')[1].split("</td>")[0]
    assert re.sub(r"<[^>]+>", "", cell) == f"Organization default · 365 days Extended to {until.isoformat()}"


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/settings/retention/")
    assert page.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_with_more_jurisdictions_and_positions(client, org, hr_admin):
    retention_policy_update(actor=hr_admin, jurisdiction="eu", **DAYS)
    first = PositionFactory(organization=org, jurisdiction="eu")
    _close(CandidateFactory(organization=org), first, days_ago=390)
    client.force_login(hr_admin)
    client.get("/settings/retention/")  # the first request's one-off queries
    few = _page_queries(client)
    for code in ("cn", "us_il", "us_nyc", "other"):
        retention_policy_update(actor=hr_admin, jurisdiction=code, **DAYS)
        for _ in range(4):
            position = PositionFactory(organization=org, jurisdiction=code)
            _close(CandidateFactory(organization=org), position, days_ago=395)
    retention_policy_update(actor=hr_admin, recordings_days=90, analyses_days=90, candidates_days=365)
    page = client.get("/settings/retention/").content.decode()
    assert page.count('data-testid="limit-row"') == 6 and page.count('data-testid="due-row"') == 17
    assert _page_queries(client) == few
    for url in ("/settings/retention/limits/eu/", "/settings/retention/limits/eu/remove/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= few


def test_the_pages_read_in_english_with_no_chinese_left(client, org, hr_admin):
    retention_policy_update(actor=hr_admin, jurisdiction="eu", **DAYS)
    for title in ("Sales Berlin", "Sales Paris", "Sales Rome", "Sales Madrid"):
        PositionFactory(organization=org, jurisdiction="eu", title=title)
    _close(CandidateFactory(organization=org, full_name="Ann Lee"), PositionFactory(organization=org, title="Ops"), days_ago=380)
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    for url in ("/settings/retention/", "/settings/retention/limits/new/", "/settings/retention/limits/eu/",
                "/settings/retention/limits/eu/remove/"):
        html = client.get(url).content.decode()
        main = html[html.index("<main"):html.index("</main>")]
        text = re.sub(r"<[^>]+>", " ", main).replace(org.name, "")
        assert not re.findall(r"[\u4e00-\u9fff]+", text), (url, re.findall(r"[\u4e00-\u9fff]+", text))
    page = client.get("/settings/retention/").content.decode()
    cell = page[page.index('data-jurisdiction="eu"'):]
    cell = cell[cell.index('data-testid="limit-positions">'):]
    cell = cell[cell.index(">") + 1:cell.index("</td>")]
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() == "4 positions: Sales Berlin, Sales Madrid, Sales Paris and 1 more"
