"""The merge pages read their ids through forms (issue 23 §4): a malformed duplicate id is a 404 as a missing record,
a malformed merge id the "not found" message; nothing is merged or undone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hirelens.candidates import services
from hirelens.candidates.models import Candidate, CandidateMerge

pytestmark = pytest.mark.django_db


def _pair(hr_admin):
    primary = services.candidate_create(actor=hr_admin, full_name="李娜", email="ln@example.com")
    duplicate = services.candidate_create(actor=hr_admin, full_name="李娜", email="LN@example.com", allow_duplicate=True)
    return primary, duplicate


def test_malformed_duplicate_id_is_a_404_and_nothing_is_merged(client, hr_admin):
    primary, duplicate = _pair(hr_admin)
    client.force_login(hr_admin)
    url = reverse("candidates:merge", args=[primary.pk])
    for bad in ("abc", "1.5", "-3", "9" * 30):
        assert client.get(url, {"duplicate": bad}).status_code == 404
        assert client.post(url, {"duplicate": bad, "confirm": "1"}).status_code == 404
    assert Candidate.objects.filter(pk=duplicate.pk).exists() and not CandidateMerge.objects.exists()
    page = client.get(url).content.decode()  # no duplicate named: the list to pick from
    assert f"?duplicate={duplicate.pk}" in page
    assert str(duplicate.full_name) in client.get(url, {"duplicate": duplicate.pk}).content.decode()


def test_malformed_merge_id_on_undo_is_the_message(client, hr_admin):
    primary, duplicate = _pair(hr_admin)
    merge = services.candidate_merge(actor=hr_admin, primary=primary, duplicate=duplicate)
    client.force_login(hr_admin)
    url = reverse("candidates:merge_undo", args=[primary.pk])
    for bad in ("abc", "", str(merge.pk) + "x"):
        response = client.post(url, {"merge": bad}, follow=True)
        assert response.redirect_chain[0][1] == 302
        assert [str(m) for m in response.context["messages"]] == ["没有找到这次合并。"]
    merge.refresh_from_db()
    assert merge.undone_at is None and not Candidate.objects.filter(pk=duplicate.pk).exists()
    response = client.post(url, {"merge": str(merge.pk)})
    merge.refresh_from_db()
    assert response.status_code == 302 and merge.undone_at is not None
