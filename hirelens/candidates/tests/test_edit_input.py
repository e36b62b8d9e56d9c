"""Typed input at the edge (issue 23 §4): the profile form reads "save anyway" (``allow_duplicate=1``) through
``CandidateEditForm``; any other value is "not ticked", as before."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from hirelens.candidates import services
from hirelens.candidates.models import Candidate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("flag, saved", [("1", True), ("on", False), ("0", False), (None, False)])
def test_edit_saves_a_duplicate_phone_only_when_told_to(client, hr_admin, flag, saved):
    services.candidate_create(actor=hr_admin, full_name="张伟", phone="13800138000")
    other = services.candidate_create(actor=hr_admin, full_name="李娜", phone="13900139000")
    client.force_login(hr_admin)
    posted = {"full_name": "李娜", "phone": "13800138000", "source": "manual"}
    if flag is not None:
        posted["allow_duplicate"] = flag
    response = client.post(f"/candidates/{other.pk}/edit/", posted)
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.phone == "13800138000") is saved
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert flashed == (["已保存。"] if saved else ["已有 1 位候选人的手机号、邮箱或身份证号相同。"])
    assert Candidate.objects.count() == 2
