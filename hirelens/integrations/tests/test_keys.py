"""API keys through the real HTTP API: shown once and stored hashed; refused keys (revoked, expired, wrong secret,
deactivated user) answer 401 problem details in zh and en; scopes read vs write (403 insufficient_scope); a key acts
as its user (an interviewer's key sees what the interviewer sees); last use; every call audited with the key's name;
60 calls a minute per key by default (the embedded cache; Redis in test_rate_redis.py)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.models import AuditEvent
from hirelens.integrations.models import ApiKey
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.positions.tests.factories import PositionAssignmentFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def fresh_minute(margin: int = 15) -> None:
    """The rate limit counts per calendar minute: start a burst early enough in one to end in it."""
    left = 60 - int(time.time()) % 60
    if left < margin:
        time.sleep(left + 0.2)


def post_json(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


def test_the_key_is_returned_once_and_only_its_hash_is_stored(hr_admin):
    key, token = make_api_key(hr_admin, ["positions:read"], name="HRIS 同步")
    prefix, secret = token.removeprefix("hl_").split("_", 1)
    row = ApiKey.objects.get(pk=key.pk)
    assert (row.prefix, row.secret_hash) == (prefix, hashlib.sha256(secret.encode()).hexdigest())
    stored = json.dumps([getattr(row, f.attname) for f in ApiKey._meta.concrete_fields], default=str)
    assert secret not in stored and token not in stored
    assert len(secret) >= 40 and row.scopes == ["positions:read"]
    assert api_client(token).get(ME).json()["email"] == hr_admin.email
    created = AuditEvent.objects.get(action="create", object_type="integrations.apikey", object_id=str(key.pk))
    assert created.actor_label == hr_admin.email and "api_key" not in created.fields


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "API 密钥无效。"), ("en", "Invalid API key.")])
def test_refused_keys_answer_401_problem_details(hr_admin, recruiter, language, title):
    revoked, revoked_token = make_api_key(hr_admin, name="已吊销")
    from hirelens.integrations.services import api_key_revoke

    api_key_revoke(actor=hr_admin, key=revoked)
    expired, expired_token = make_api_key(hr_admin, name="将过期", expires_at=timezone.now() + timedelta(minutes=1))
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _good, good_token = make_api_key(hr_admin)
    wrong_secret = good_token[:-4] + ("AAAA" if not good_token.endswith("AAAA") else "BBBB")
    _theirs, recruiter_token = make_api_key(recruiter)
    recruiter.is_active = False
    recruiter.save(update_fields=["is_active"])
    details = {
        revoked_token: {"zh-hans": "这个密钥已被吊销。", "en": "This key has been revoked."},
        expired_token: {"zh-hans": "这个密钥已过期。", "en": "This key has expired."},
        wrong_secret: {"zh-hans": "找不到这个密钥。", "en": "No such key."},
        recruiter_token: {"zh-hans": "这个密钥代表的用户已停用。", "en": "The user this key acts for is deactivated."},
        "hl_nonsense": {"zh-hans": "密钥格式不正确：应为 hl_ 开头的完整密钥。",
                        "en": "The key is malformed: send the whole key, starting with hl_."},
    }
    for token, detail in details.items():
        response = api_client(token, language).get("/api/v1/positions/")
        body = response.json()
        assert response.status_code == 401, token
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert (body["title"], body["detail"], body["code"]) == (title, detail[language], "invalid_api_key")
    assert api_client(good_token, language).get("/api/v1/positions/").status_code == 200
    assert not AuditEvent.objects.filter(action="api_call").exclude(object_id=str(_good.pk)).exists()  # no key, no entry


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "API 密钥没有所需的权限范围。"),
                                                 ("en", "The API key lacks the required scope.")])
def test_a_read_scope_reads_but_may_not_write(hr_admin, language, title):
    key, token = make_api_key(hr_admin, ["positions:read", "candidates:read"])
    client = api_client(token, language)
    assert client.get("/api/v1/positions/").status_code == 200
    before = AuditEvent.objects.filter(action="create").count()
    refused = post_json(client, "/api/v1/candidates/", {"full_name": "不该创建"})
    assert refused.status_code == 403
    body = refused.json()
    assert (body["title"], body["code"], body["required_scope"]) == (title, "insufficient_scope", "candidates:write")
    from hirelens.candidates.models import Candidate

    assert not Candidate.objects.filter(organization=hr_admin.organization).exists()  # names are encrypted: count
    assert AuditEvent.objects.filter(action="create").count() == before
    # another domain entirely: no scope at all
    assert client.get("/api/v1/processes/positions/1/processes").json()["required_scope"] == "processes:read"
    # the refusal is in the audit log, named by the key
    refusal = AuditEvent.objects.get(action="api_call", fields=["POST /api/v1/candidates/ 403"])
    assert refusal.actor_label == f"{hr_admin.email} · API: {key.name}"
    write_key, write_token = make_api_key(hr_admin, ["candidates:write"])
    created = post_json(api_client(write_token), "/api/v1/candidates/", {"full_name": "写入范围"})
    assert created.status_code == 201
    assert api_client(write_token).get(f"/api/v1/candidates/{created.json()['id']}").status_code == 200  # write includes read


def test_a_key_acting_as_an_interviewer_sees_what_the_interviewer_sees(hr_admin, interviewer, outsider):
    mine = ApplicationFactory(candidate__organization=hr_admin.organization)
    hidden = ApplicationFactory(candidate__organization=hr_admin.organization)
    foreign = ApplicationFactory(candidate__organization=outsider.organization)
    PositionAssignmentFactory(position=mine.position, user=interviewer, role="interviewer")
    _key, token = make_api_key(interviewer, ["candidates:write"])
    client = api_client(token)
    assert [c["id"] for c in client.get("/api/v1/candidates/").json()["items"]] == [mine.candidate_id]
    assert client.get(f"/api/v1/candidates/{mine.candidate_id}").status_code == 200
    for other in (hidden, foreign):
        response = client.get(f"/api/v1/candidates/{other.candidate_id}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # the interviewer may not create candidates on the pages: nor may the key, whatever its scope
    assert post_json(client, "/api/v1/candidates/", {"full_name": "面试官建的"}).status_code == 403
    # and an HR admin's key of another organization sees nothing of this one
    _theirs, outsider_token = make_api_key(outsider)
    assert api_client(outsider_token).get(f"/api/v1/candidates/{mine.candidate_id}").status_code == 404


def test_last_use_is_recorded_at_most_once_a_minute(hr_admin):
    key, token = make_api_key(hr_admin, ["positions:read"])
    assert key.last_used_at is None
    client = api_client(token)
    client.get("/api/v1/positions/")
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    client.get("/api/v1/positions/")
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/v1/positions/")
    assert timezone.now() - ApiKey.objects.get(pk=key.pk).last_used_at < timedelta(seconds=5)


def test_every_call_is_audited_with_the_key_name(hr_admin):
    key, token = make_api_key(hr_admin, name="HRIS 同步")
    label = f"{hr_admin.email} · API: HRIS 同步"
    client = api_client(token)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def new_entries():
        return list(AuditEvent.objects.filter(pk__gt=start).order_by("pk").values_list("action", "object_type", "fields", "actor_label"))

    # a call that writes nothing else: one API_CALL entry, method, path (no query string) and status
    assert client.get(ME, {"q": "张伟"}).status_code == 200
    assert new_entries() == [("api_call", "integrations.apikey", [f"GET {ME} 200"], label)]
    assert AuditEvent.objects.get(pk__gt=start).object_id == str(key.pk)
    # a create writes its own entry, named by the key: no second entry for the call
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    created = post_json(client, "/api/v1/candidates/", {"full_name": "张伟"})
    assert created.status_code == 201
    entries = new_entries()
    assert [e[0] for e in entries] == ["create"] and entries[0][1:] == ("candidates.candidate", entries[0][2], label)
    # a read of personal data: its read entry names the key
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.get(f"/api/v1/candidates/{created.json()['id']}")
    assert [(e[0], e[3]) for e in new_entries()] == [("read", label)]
    # a failed call always has its own entry (the entries of its work may have been rolled back)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert client.get("/api/v1/candidates/999999").status_code == 404
    assert new_entries() == [("api_call", "integrations.apikey", ["GET /api/v1/candidates/999999 404"], label)]
    # the browser session is not a key: no API_CALL entry (the page's own audit applies)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    session = Client()
    session.force_login(hr_admin)
    assert session.get(ME).status_code == 200
    assert new_entries() == []


@pytest.mark.parametrize(("language", "words"), [("zh-hans", ["API 调用", "API 密钥 #{pk}"]),
                                                 ("en", ["API call", "API key #{pk}"])])
def test_the_audit_log_shows_an_api_call_in_words(hr_admin, language, words):
    key, token = make_api_key(hr_admin, name="HRIS 同步")
    api_client(token).get(ME)
    page = Client()
    page.force_login(hr_admin)
    page.cookies["django_language"] = language
    html = page.get("/audit/", {"action": "api_call"}).content.decode()
    rows = re.findall(r'<tr data-testid="audit-row">(.*?)</tr>', html, re.S)
    cells = [re.sub(r"<[^>]+>", "|", row) for row in rows]
    assert len(cells) == 1
    for word in words + [f"GET {ME} 200", f"{hr_admin.email} · API: HRIS 同步"]:
        assert f"|{word.format(pk=key.pk)}|" in cells[0], (word, cells[0])
    assert "integrations.apikey" not in cells[0] and "api_call" not in cells[0]


@pytest.mark.parametrize(("language", "title", "detail"), [
    ("zh-hans", "请求过于频繁。", "此 API 密钥每分钟最多 60 次请求，请 {s} 秒后再试。"),
    ("en", "Too many requests.", "This API key allows at most 60 requests a minute; try again in {s} seconds."),
])
def test_the_61st_call_in_a_minute_is_429_with_retry_after(hr_admin, language, title, detail):
    key, token = make_api_key(hr_admin, ["positions:read"])
    assert key.rate_limit == 60
    client = api_client(token, language)
    fresh_minute()
    calls_before = AuditEvent.objects.filter(action="api_call").count()
    assert [client.get(ME).status_code for _ in range(60)] == [200] * 60
    refused = client.get(ME)
    assert refused.status_code == 429
    retry = int(refused["Retry-After"])
    body = refused.json()
    assert 1 <= retry <= 60 and (body["title"], body["code"]) == (title, "rate_limited")
    assert body["detail"] == detail.format(s=retry)
    assert AuditEvent.objects.filter(action="api_call").count() == calls_before + 60  # the refused call: no entry
    # another key of the same user has its own count; a key with a higher limit gets further
    _other, other_token = make_api_key(hr_admin, ["positions:read"], rate_limit=61)
    other = api_client(other_token)
    assert [other.get(ME).status_code for _ in range(62)] == [200] * 61 + [429]


def test_the_idempotency_purge_task_forgets_records_older_than_a_day(hr_admin):
    from hirelens.integrations.models import IdempotencyRecord
    from hirelens.integrations.tasks import idempotency_records_purge_task

    old = IdempotencyRecord.objects.create(owner="key:1", key="a", fingerprint="f", status=201, body="{}")
    recent = IdempotencyRecord.objects.create(owner="key:1", key="b", fingerprint="f", status=201, body="{}")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    IdempotencyRecord.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(hours=23))
    idempotency_records_purge_task.call_local()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]
    idempotency_records_purge_task.call_local()  # again: nothing else goes
    assert IdempotencyRecord.objects.count() == 1
