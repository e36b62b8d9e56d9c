"""hirelens/core/apitools.py: cursor pages (ties in created_at, a forged cursor), ETag / If-Match; idempotency keys
(hirelens/integrations/idempotency.py, POST /api/v1/candidates/ with an API key)."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils import timezone

from hirelens.candidates.models import Candidate
from hirelens.core.apitools import ApiProblem, check_if_match, cursor_page, etag_of, with_etag
from hirelens.integrations.models import ApiKey, IdempotencyRecord
from hirelens.integrations.testing import api_client, make_api_key

pytestmark = pytest.mark.django_db


def test_cursor_pages_walk_rows_with_the_same_created_at_once_each(hr_admin):
    keys = [make_api_key(hr_admin, name=f"k{n}")[0] for n in range(7)]
    same = timezone.now()
    ApiKey.objects.filter(pk__in=[k.pk for k in keys[1:6]]).update(created_at=same)  # five rows tie
    qs = ApiKey.objects.filter(organization=hr_admin.organization)
    seen, cursor, pages = [], "", 0
    while True:
        page = cursor_page(qs, cursor=cursor, limit=2)
        seen += [k.pk for k in page.items]
        pages += 1
        if page.next is None:
            break
        cursor = page.next
    expected = list(qs.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert seen == expected and len(seen) == 7 and pages == 4
    # the same walk oldest first
    first = cursor_page(qs, limit=4, order="created_at")
    rest = cursor_page(qs, cursor=first.next, limit=4, order="created_at")
    assert [k.pk for k in first.items + rest.items] == expected[::-1] and rest.next is None
    assert len(cursor_page(qs, limit=1000).items) == 7  # limit capped at 100, not refused


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjoxfQ:1abc:def", None])
def test_a_cursor_this_list_did_not_issue_is_a_400(hr_admin, cursor):
    for n in range(3):
        make_api_key(hr_admin, name=f"k{n}")
    qs = ApiKey.objects.all()
    if cursor is None:  # a real cursor, but of another list (another salt): refused too
        cursor = cursor_page(qs, limit=1, salt="other.list").next
    with pytest.raises(ApiProblem) as refused:
        cursor_page(qs, cursor=cursor, limit=1, salt="this.list")
    assert (refused.value.status, refused.value.code) == (400, "invalid_cursor")


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "请求参数不正确。"), ("en", "The request's parameters are not valid.")])
def test_a_bad_cursor_answers_400_problem_details(hr_admin, language, title):
    _key, token = make_api_key(hr_admin, ["feedback:read"])
    response = api_client(token, language).get("/api/v1/feedback/cases", {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["title"]) == ("invalid_cursor", title)


def test_if_match_refuses_a_stale_etag_with_412(hr_admin):
    key, _token = make_api_key(hr_admin)
    rf = RequestFactory()
    tag = etag_of(key)
    assert tag.startswith('"') and tag == etag_of(ApiKey.objects.get(pk=key.pk))
    check_if_match(rf.patch("/", headers={"If-Match": tag}), key)  # current: passes
    check_if_match(rf.patch("/"), key)  # no header: passes
    check_if_match(rf.patch("/", headers={"If-Match": "*"}), key)
    check_if_match(rf.patch("/", headers={"If-Match": f'"nope", W/{tag}'}), key)  # one of a list, weak form
    ApiKey.objects.filter(pk=key.pk).update(updated_at=timezone.now())
    changed = ApiKey.objects.get(pk=key.pk)
    assert etag_of(changed) != tag
    with pytest.raises(ApiProblem) as stale:
        check_if_match(rf.patch("/", headers={"If-Match": tag}), changed)
    assert (stale.value.status, stale.value.code, stale.value.headers["ETag"]) == (412, "precondition_failed", etag_of(changed))
    from django.http import HttpResponse

    assert with_etag(HttpResponse(), changed)["ETag"] == etag_of(changed)
    record = IdempotencyRecord.objects.create(owner="user:1", key="k", fingerprint="f", status=201, body="{}")
    assert etag_of(record) != etag_of(IdempotencyRecord(pk=record.pk, owner="user:1", key="other", fingerprint="f",
                                                         status=201, body="{}", created_at=record.created_at))


def _create(client, body, key):
    return client.post("/api/v1/candidates/", data=json.dumps(body), content_type="application/json",
                       headers={"Idempotency-Key": key} if key else {})


def test_the_same_idempotency_key_and_body_answers_the_first_answer_without_a_second_row(hr_admin):
    key, token = make_api_key(hr_admin, ["candidates:write"])
    client = api_client(token)
    first = _create(client, {"full_name": "幂等一"}, "import-0001")
    again = _create(client, {"full_name": "幂等一"}, "import-0001")
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    assert Candidate.objects.filter(organization=hr_admin.organization).count() == 1
    assert IdempotencyRecord.objects.get().owner == f"key:{key.pk}"
    # without a key each POST creates; another key (or another caller with the same key) is another request
    assert _create(client, {"full_name": "幂等二"}, "import-0002").status_code == 201
    _other, other_token = make_api_key(hr_admin, ["candidates:write"])
    assert _create(api_client(other_token), {"full_name": "幂等一", "email": "x@example.com"}, "import-0001").json()["id"] != first.json()["id"]
    assert Candidate.objects.filter(organization=hr_admin.organization).count() == 3


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "Idempotency-Key 已用于另一个请求。"),
                                                 ("en", "This Idempotency-Key was used for another request.")])
def test_the_same_idempotency_key_with_another_body_is_a_422(hr_admin, language, title):
    _key, token = make_api_key(hr_admin, ["candidates:write"])
    client = api_client(token, language)
    assert _create(client, {"full_name": "幂等一"}, "import-0001").status_code == 201
    reused = _create(client, {"full_name": "别的人"}, "import-0001")
    assert reused.status_code == 422
    assert (reused.json()["code"], reused.json()["title"]) == ("idempotency_key_reused", title)
    assert Candidate.objects.filter(organization=hr_admin.organization).count() == 1
    too_long = _create(client, {"full_name": "别的人"}, "x" * 201)
    assert (too_long.status_code, too_long.json()["code"]) == (400, "invalid_request")


def test_a_stored_first_answer_keeps_no_personal_data_in_clear(hr_admin):
    """The stored answer of a create names the person it created: it is encrypted at rest like the record itself."""
    from django.db import connection

    _key, token = make_api_key(hr_admin)
    client = api_client(token)
    body = {"full_name": "欧阳明月", "phone": "13700137000"}
    first = client.post("/api/v1/candidates/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="row-9")
    assert first.status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM integrations_idempotencyrecord")
        [(raw,)] = cursor.fetchall()
    assert "欧阳明月" not in raw and "13700137000" not in raw
    again = client.post("/api/v1/candidates/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="row-9")
    assert again.json() == first.json()  # decrypted for the retry


def test_erasing_the_person_deletes_the_stored_answer_that_names_them(hr_admin, django_capture_on_commit_callbacks):
    from hirelens.core.erasure import erase_candidate

    _key, token = make_api_key(hr_admin)
    client = api_client(token)
    created = client.post("/api/v1/candidates/", {"full_name": "上官婉儿"}, content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="row-10").json()
    client.post("/api/v1/candidates/", {"full_name": "司马光"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="row-11")
    assert IdempotencyRecord.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        result = erase_candidate(candidate=Candidate.objects.get(pk=created["id"]), actor=hr_admin, reason="删除请求")
    assert [json.loads(r.body)["full_name"] for r in IdempotencyRecord.objects.all()] == ["司马光"]  # only theirs went
    assert result.counts["integrations.idempotency_record"] == 1
