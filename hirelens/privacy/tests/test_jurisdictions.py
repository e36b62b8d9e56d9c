"""One list of jurisdictions (issue 23, hirelens.core.jurisdictions): the positions, the privacy settings and the
retention rows store the same codes; the old ones are mapped by the migrations; the retention due list matches a
position's jurisdiction to the row of that jurisdiction; people read the names, in Chinese and in English."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hirelens.candidates.models import Application
from hirelens.candidates.tests.factories import ApplicationFactory, CandidateFactory
from hirelens.core.jurisdictions import RULES, Jurisdiction, law_choices, rules_for
from hirelens.core.models import RetentionPolicy
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.positions.models import Position
from hirelens.positions.tests.factories import PositionFactory
from hirelens.privacy import services
from hirelens.privacy.models import JURISDICTION_DAYS
from hirelens.privacy.retention import retention_due, retention_policy_update

pytestmark = pytest.mark.django_db

BEFORE = [("core", "0005_audit_api_call"), ("privacy", "0002_export_token_hash")]


def test_the_rules_of_each_jurisdiction():
    assert Jurisdiction.values == ["cn", "eu", "us_il", "us_nyc", "other"]
    assert {code: JURISDICTION_DAYS[code]["delete"] for code in Jurisdiction.values} == {
        "cn": 15, "eu": 30, "us_il": 30, "us_nyc": 30, "other": 30}
    assert [Position(jurisdiction=code).advance_notice for code in Jurisdiction.values] == [0, 0, 0, 10, 0]
    assert Position(jurisdiction=Jurisdiction.US_NYC, advance_notice_days=2).advance_notice == 2
    assert rules_for("") == rules_for("other") and Position.Jurisdiction is Jurisdiction
    assert [str(label) for _code, label in law_choices()] == [
        "中国《个人信息保护法》", "欧盟 GDPR", "美国伊利诺伊州 AI 视频面试法", "美国纽约市第 144 号地方法", "其他"]


def test_every_stored_jurisdiction_is_a_code_of_the_one_list():
    from django.apps import apps

    from hirelens.positions.api import JURISDICTION_HELP

    fields = {f"{model._meta.label}.{field.name}": field for model in apps.get_models() for field in model._meta.fields
              if "jurisdiction" in field.name}
    assert set(fields) == {"core.RetentionPolicy.jurisdiction", "positions.Position.jurisdiction",
                           "privacy.PrivacySettings.jurisdiction"}  # a new one joins this list, with the same choices
    for name, field in fields.items():
        assert field.choices == Jurisdiction.choices, name
        assert field.max_length >= max(map(len, Jurisdiction.values)), name
    for code, rules in RULES.items():  # the API's description is made from the list and its rules
        assert f"{code} (" in JURISDICTION_HELP
        assert (f"{code}: {rules.advance_notice_days} business days" in JURISDICTION_HELP) == bool(rules.advance_notice_days)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_map_every_old_code():
    from hirelens.accounts.tests.factories import OrganizationFactory

    orgs = [OrganizationFactory(slug=f"j{i}") for i in range(6)]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old_settings, old_policy = old.get_model("privacy", "PrivacySettings"), old.get_model("core", "RetentionPolicy")
    for org, law in zip(orgs, ["cn_pipl", "eu_gdpr", "us_il_aivia", "us_nyc", "other"], strict=False):
        old_settings.objects.create(organization_id=org.pk, jurisdiction=law)
    a, b = orgs[0].pk, orgs[1].pk
    for org_id, code in [(a, ""), (a, "eu"), (a, "EU_GDPR"), (a, "CN_PIPL"), (a, "Illinois"), (a, "mars"),
                         (b, "NYC"), (b, "us_nyc "), (b, "other")]:
        old_policy.objects.create(organization_id=org_id, jurisdiction=code, candidates_days=100 + len(code))

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    from hirelens.privacy.models import PrivacySettings

    assert list(PrivacySettings.objects.filter(organization__in=orgs).order_by("organization_id")
                .values_list("jurisdiction", flat=True)) == ["cn", "eu", "us_il", "us_nyc", "other"]
    # "eu" stays (it applied to EU positions until now), its other spelling leaves; unknown text applied to nothing
    assert sorted(RetentionPolicy.objects.filter(organization_id__in=[a, b]).values_list(
        "organization_id", "jurisdiction", "candidates_days")) == sorted([
            (a, "", 100), (a, "eu", 102), (a, "cn", 107), (a, "us_il", 108),
            (b, "us_nyc", 103), (b, "other", 105)])

    executor = MigrationExecutor(connection)
    executor.migrate([("privacy", "0002_export_token_hash")])  # back: the law codes again
    back = executor.loader.project_state([("privacy", "0002_export_token_hash")]).apps.get_model("privacy", "PrivacySettings")
    assert list(back.objects.filter(organization_id__in=[o.pk for o in orgs]).order_by("organization_id")
                .values_list("jurisdiction", flat=True)) == ["cn_pipl", "eu_gdpr", "us_il_aivia", "us_nyc", "other"]
    MigrationExecutor(connection).migrate(latest)


def _close(candidate, position, *, days_ago: int):
    application = ApplicationFactory(candidate=candidate, position=position, organization=candidate.organization)
    when = timezone.now() - timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.REJECTED, updated_at=when)
    return timezone.localdate(when)


def test_the_retention_row_of_a_jurisdiction_applies_to_its_positions(org, hr_admin):
    retention_policy_update(actor=hr_admin, recordings_days=180, analyses_days=180, candidates_days=30)
    retention_policy_update(actor=hr_admin, recordings_days=180, analyses_days=180, candidates_days=60,
                            jurisdiction=Jurisdiction.US_NYC)
    nyc = PositionFactory(organization=org, jurisdiction=Jurisdiction.US_NYC)
    other = PositionFactory(organization=org, jurisdiction=Jurisdiction.OTHER)
    in_nyc, elsewhere = CandidateFactory(organization=org), CandidateFactory(organization=org)
    nyc_closed, other_closed = _close(in_nyc, nyc, days_ago=40), _close(elsewhere, other, days_ago=40)
    due = {(i.candidate_id, i.due_on) for i in retention_due(organization_id=org.pk, within_days=30) if i.kind == "candidate"}
    assert due == {(elsewhere.pk, other_closed + timedelta(days=30)), (in_nyc.pk, nyc_closed + timedelta(days=60))}
    with pytest.raises(ValidationError):  # a code outside the list is refused, the privacy settings' old ones too
        retention_policy_update(actor=hr_admin, recordings_days=1, analyses_days=1, candidates_days=1, jurisdiction="us_il_aivia")
    assert sorted(RetentionPolicy.objects.filter(organization=org).values_list("jurisdiction", flat=True)) == ["", "us_nyc"]


def _page(client, user, url: str, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {value: label.strip() for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)}


@pytest.mark.parametrize(("language", "laws", "places"), [
    ("zh-hans", ["中国《个人信息保护法》", "欧盟 GDPR", "美国伊利诺伊州 AI 视频面试法", "美国纽约市第 144 号地方法", "其他"],
     ["中国", "欧盟", "美国伊利诺伊州", "美国纽约市", "其他"]),
    ("en", ["China – Personal Information Protection Law (PIPL)", "EU – GDPR",
            "US – Illinois Artificial Intelligence Video Interview Act", "US – New York City Local Law 144", "Other"],
     ["China", "EU", "US – Illinois", "US – New York City", "Other"]),
])
def test_pages_name_the_jurisdictions_in_both_languages(client, org, hr_admin, language, laws, places):
    services.privacy_settings_update(actor=hr_admin, jurisdiction=Jurisdiction.EU)
    settings_page = _page(client, hr_admin, "/privacy/settings/", language)
    assert _options(settings_page, "jurisdiction") == dict(zip(Jurisdiction.values, laws, strict=True))
    assert re.search(r'<option value="eu"[^>]*selected', settings_page)
    position = PositionFactory(organization=org, jurisdiction=Jurisdiction.US_NYC)
    edit_page = _page(client, hr_admin, f"/positions/{position.pk}/edit/", language)
    assert _options(edit_page, "jurisdiction") == dict(zip(Jurisdiction.values, places, strict=True))
    assert re.search(r'<option value="us_nyc"[^>]*selected', edit_page)
    RetentionPolicy.objects.create(organization=org, jurisdiction=Jurisdiction.US_NYC, candidates_days=400)
    records = _page(client, hr_admin, "/fairness/records/", language)
    text = re.sub(r"<[^>]+>", " ", records)
    assert f"{places[3]}{'：' if language == 'zh-hans' else ':'}" in text and "us_nyc" not in text


def test_the_api_takes_and_answers_the_codes_with_their_names(hr_admin):
    from config.api import api

    english = api_client(make_api_key(hr_admin)[1], language="en")
    made = english.post("/api/v1/positions/", data=json.dumps({"title": "后端工程师", "jurisdiction": "us_nyc"}),
                        content_type="application/json")
    assert made.status_code == 201
    assert (made.json()["jurisdiction"], made.json()["jurisdiction_label"]) == ("us_nyc", "US – New York City")
    refused = english.post("/api/v1/positions/", data=json.dumps({"title": "x", "jurisdiction": "us_il_aivia"}),
                           content_type="application/json")
    assert refused.status_code == 400 and Position.objects.filter(title="x").count() == 0
    schema = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    for name in ("PositionIn", "PositionOut"):
        prop = schema[name]["properties"]["jurisdiction"]
        assert prop["enum"] == ["cn", "eu", "us_il", "us_nyc", "other"], (name, prop)
