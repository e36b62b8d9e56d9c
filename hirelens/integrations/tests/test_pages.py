"""The HR admin's API-key pages through the Django client: the list in words, the form, the key shown once (and never
again), revocation with a confirmation step; HR admins only; another organization's key is a 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hirelens.core.models import AuditEvent
from hirelens.integrations.models import ApiKey
from hirelens.integrations.services import api_key_revoke
from hirelens.integrations.testing import api_client, make_api_key

pytestmark = pytest.mark.django_db

LIST, NEW = "/settings/api-keys/", "/settings/api-keys/new/"


def signed_in(user, language="zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def rows(html: str) -> dict[str, str]:
    """key id -> the row's visible text, cells separated by |."""
    found = re.findall(r'<tr data-testid="api-key-row" data-key="(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    return {pk: re.sub(r"\s*\|[\s|]*", "|", re.sub(r"<[^>]+>", "|", row)) for pk, row in found}


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", {"active": "有效", "expired": "已过期", "revoked": "已吊销", "scope": "候选人与文档：读写",
                 "read": "职位：只读", "never": "从未使用", "forever": "长期有效"}),
    ("en", {"active": "Active", "expired": "Expired", "revoked": "Revoked", "scope": "Candidates and documents: Read and write",
            "read": "Positions: Read", "never": "Never used", "forever": "No expiry"}),
])
def test_the_list_names_people_scopes_and_states_in_words(hr_admin, recruiter, outsider, language, words):
    hr_admin.full_name, recruiter.full_name = "王芳", "李招聘"
    hr_admin.save()
    recruiter.save()
    from hirelens.integrations.services import api_key_create

    active, _t = api_key_create(actor=hr_admin, user=recruiter, name="HRIS 同步",
                                scopes=["candidates:read", "candidates:write", "positions:read"])
    ApiKey.objects.filter(pk=active.pk).update(last_used_at=timezone.now())
    expired, _t = make_api_key(hr_admin, ["positions:read"], name="过期的", expires_at=timezone.now() + timedelta(minutes=1))
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _t = make_api_key(hr_admin, ["positions:read"], name="停用的")
    api_key_revoke(actor=hr_admin, key=revoked)
    theirs, _t = make_api_key(outsider, name="别家的")
    response = signed_in(hr_admin, language).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    shown = rows(html)
    assert list(shown) == [str(revoked.pk), str(expired.pk), str(active.pk)]  # newest first; not another company's
    row = shown[str(active.pk)]
    assert f"|HRIS 同步|hl_{active.prefix}_…|{words['scope']}|{words['read']}|李招聘|王芳|{words['forever']}|" in row
    assert f"|{words['active']}|" in row and words["never"] not in row
    assert f"|{words['expired']}|" in shown[str(expired.pk)] and f"|{words['revoked']}|" in shown[str(revoked.pk)]
    assert f"/settings/api-keys/{active.pk}/revoke/" in html and f"/settings/api-keys/{revoked.pk}/revoke/" not in html
    assert f"/settings/api-keys/{expired.pk}/revoke/" in html  # ApiKey.can_revoke: an expired key may still be revoked
    assert [k.can_revoke for k in ApiKey.objects.filter(pk__in=[active.pk, expired.pk, revoked.pk]).order_by("pk")] == [
        True, True, False]
    assert "candidates:write" not in row and "active" not in row.lower().replace(words["active"].lower(), "")
    assert active.secret_hash not in html and theirs.name not in html


def test_only_hr_admins_reach_the_pages(hr_admin, recruiter, interviewer, hiring_manager, outsider):
    key, _token = make_api_key(hr_admin)
    for user in (recruiter, interviewer, hiring_manager):
        client = signed_in(user)
        for url in (LIST, NEW, f"/settings/api-keys/{key.pk}/revoke/"):
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 403
        assert client.post(NEW, {"name": "x", "user": user.pk, "scopes": ["positions:read"], "rate_limit": 60}).status_code == 403
    assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None
    # another organization's HR admin: the same 404 as a key that does not exist
    other = signed_in(outsider)
    assert other.get(f"/settings/api-keys/{key.pk}/revoke/").status_code == 404
    assert other.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 404
    assert ApiKey.objects.get().revoked_at is None
    assert Client().get(LIST).status_code == 302  # signed out: the login page
    # the organization settings page links the list
    assert 'href="/settings/api-keys/"' in signed_in(hr_admin).get("/settings/").content.decode()


@pytest.mark.parametrize(("language", "warning"), [("zh-hans", "它只显示这一次"), ("en", "it is shown only this once")])
def test_create_shows_the_key_once_and_it_works(hr_admin, recruiter, language, warning):
    client = signed_in(hr_admin, language)
    form = client.get(NEW).content.decode()
    assert re.search(rf'<option value="{hr_admin.pk}" selected>', form)  # acting as oneself by default
    assert 'name="scopes" value="candidates:read"' in form and 'name="scopes" value="webhooks:write"' in form
    assert 'type="date"' in form and 'name="rate_limit"' in form and 'value="60"' in form
    until = timezone.localdate() + timedelta(days=30)
    response = client.post(NEW, {"name": "ATS 导入", "user": recruiter.pk, "scopes": ["positions:read", "candidates:write"],
                                 "expires_on": until.isoformat(), "rate_limit": "120"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = re.search(r'value="(hl_[0-9a-f]{8}_[\w-]+)"', html).group(1)
    assert warning in html and 'data-testid="api-key-copy"' in html
    key = ApiKey.objects.get(name="ATS 导入")
    assert (key.user, key.created_by, key.scopes, key.rate_limit) == (recruiter, hr_admin, ["candidates:write", "positions:read"], 120)
    assert timezone.localtime(key.expires_at).date() == until + timedelta(days=1)  # valid through the chosen day
    assert token.startswith(f"hl_{key.prefix}_") and token.split("_", 2)[2] not in str(key.secret_hash)
    # shown once: neither the list nor a reload of the form shows it again
    assert token not in client.get(LIST).content.decode() and token not in client.get(NEW).content.decode()
    me = api_client(token).get("/api/v1/accounts/me")
    assert me.status_code == 200 and me.json()["email"] == recruiter.email  # the key acts as the chosen user
    assert AuditEvent.objects.filter(action="create", object_type="integrations.apikey", object_id=str(key.pk),
                                     actor_label=hr_admin.email).count() == 1


@pytest.mark.parametrize(("language", "messages"), [
    ("zh-hans", ["请至少选择一个权限范围。", "到期时间必须在将来。", "这个字段是必填项。"]),
    ("en", ["Choose at least one scope.", "The expiry must be in the future.", "This field is required."]),
])
def test_a_bad_form_is_a_400_that_says_why(hr_admin, outsider, language, messages):
    client = signed_in(hr_admin, language)
    response = client.post(NEW, {"name": "", "user": hr_admin.pk, "rate_limit": "60"})
    assert response.status_code == 400
    html = response.content.decode()
    assert messages[2] in html
    response = client.post(NEW, {"name": "x", "user": hr_admin.pk, "scopes": [], "rate_limit": "60"})
    assert response.status_code == 400 and messages[0] in response.content.decode()
    response = client.post(NEW, {"name": "x", "user": hr_admin.pk, "scopes": ["positions:read"], "rate_limit": "60",
                                 "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and messages[1] in response.content.decode()
    # a user of another organization is not a choice; nor is a scope that does not exist
    assert client.post(NEW, {"name": "x", "user": outsider.pk, "scopes": ["positions:read"], "rate_limit": "60"}).status_code == 400
    assert client.post(NEW, {"name": "x", "user": hr_admin.pk, "scopes": ["payroll:write"], "rate_limit": "60"}).status_code == 400
    assert client.post(NEW, {"name": "x", "user": hr_admin.pk, "scopes": ["positions:read"], "rate_limit": "0"}).status_code == 400
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(("language", "question", "done"), [
    ("zh-hans", "吊销 API 密钥“HRIS 同步”？", "已吊销密钥“HRIS 同步”"),
    ("en", "Revoke API key \u201cHRIS 同步\u201d?", "Key \u201cHRIS 同步\u201d revoked"),
])
def test_revoke_asks_first_then_the_key_stops_working(hr_admin, language, question, done):
    key, token = make_api_key(hr_admin, ["positions:read"], name="HRIS 同步")
    assert api_client(token).get("/api/v1/positions/").status_code == 200
    client = signed_in(hr_admin, language)
    confirm = client.get(f"/settings/api-keys/{key.pk}/revoke/")
    assert confirm.status_code == 200 and question in confirm.content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None  # asking changes nothing
    response = client.post(f"/settings/api-keys/{key.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(LIST, 302)] and done in response.content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert api_client(token).get("/api/v1/positions/").json()["code"] == "invalid_api_key"
    assert AuditEvent.objects.filter(action="update", object_type="integrations.apikey", object_id=str(key.pk),
                                     fields=["revoked_at"]).count() == 1


def test_the_list_costs_the_same_for_three_keys_or_thirty(hr_admin, django_assert_max_num_queries):
    client = signed_in(hr_admin)
    for n in range(3):
        make_api_key(hr_admin, name=f"密钥{n}")
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(27):
        make_api_key(hr_admin, name=f"更多{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(LIST).content.decode())) == 25  # a page
